"""Field-level write rules: one definition per model, the same answer from forms, API and
imports (issue #9 item 1, `core.field_rules`).

The probe: the demo enterprise reporter sent `PATCH /api/v1/enterprises/<own id>/
{"department_ids": [], "uscc": "<another valid code>"}` and got 200 — the edit page
locks those fields, the API did not. The generic tests walk every writable API route
and every edit page, as each persona, and try every writable field.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework import serializers as drf
from rest_framework.test import APIClient

from tests.test_scope_meta import ALL_ROUTES, build_foreigns
from xuanpei.core.field_rules import locked_fields, refusal, registered_models, user_kind
from xuanpei.core.forms import ScopedModelForm
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

PERSONAS = ("district", "town_a", "town_a_viewer", "department", "enterprise")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --------------------------------------------------------------------------- the probe's case


def test_an_enterprise_cannot_drop_its_departments_or_change_its_code_through_the_api(district):
    d = district
    d.ent_a1.departments.set([d.dept_unit])
    uscc = d.ent_a1.uscc
    response = api(d.enterprise).patch(
        f"/api/v1/enterprises/{d.ent_a1.pk}/",
        {"department_ids": [], "uscc": make_uscc(424242)},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["uscc"] == ["您无权修改“统一社会信用代码”"]
    assert response.json()["department_ids"] == ["您无权修改“行业主管部门”"]
    d.ent_a1.refresh_from_db()
    assert d.ent_a1.uscc == uscc
    assert list(d.ent_a1.departments.all()) == [d.dept_unit]


def test_an_enterprise_may_still_edit_its_own_fields_and_send_locked_ones_back_unchanged(
    district,
):
    d = district
    response = api(d.enterprise).patch(
        f"/api/v1/enterprises/{d.ent_a1.pk}/",
        {"address": "东城路9号", "uscc": d.ent_a1.uscc.lower(), "unit_id": d.street_a.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    d.ent_a1.refresh_from_db()
    assert d.ent_a1.address == "东城路9号"


def test_the_town_may_change_what_the_enterprise_may_not(district):
    d = district
    response = api(d.town_a).patch(
        f"/api/v1/enterprises/{d.ent_a1.pk}/", {"uscc": make_uscc(424243)}, format="json"
    )
    assert response.status_code == 200
    d.ent_a1.refresh_from_db()
    assert d.ent_a1.uscc == make_uscc(424243)


def test_a_department_import_row_moving_a_supervised_enterprise_is_a_row_error(district):
    """A department may update the enterprises it supervises, but their 属地 is the
    territory's to say: the edit page locks it, so does the import."""
    d = district
    row = [
        d.supervised.name,
        d.supervised.uscc,
        "东新城/甲街道",  # it sits in 西新城/乙镇
        "教育局",
        d.sector.name,
        "",
        "",
        "新地址1号",
        "",
        "",
        "",
    ]
    result = run_import(
        "enterprises", xlsx_bytes([HEADERS, row]), filename="e.xlsx", user=d.department
    )
    assert result.accepted == 0
    [error] = result.errors
    assert (error.row, error.column) == (2, "属地")
    assert error.message == "您无权修改“属地”"
    fresh = Enterprise.objects.get(pk=d.supervised.pk)
    assert (fresh.unit, fresh.address) == (d.town_b_sub, d.supervised.address)


def test_the_edit_page_ignores_a_posted_code_from_the_enterprise(district, client):
    d = district
    uscc = d.ent_a1.uscc
    client.force_login(d.enterprise)
    url = reverse("orgs:enterprise_edit", args=[d.ent_a1.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "departments"}
    data.update(uscc=make_uscc(424244), name="东城甲企业（改）", unit=d.street_a.pk)
    client.post(url, data)
    d.ent_a1.refresh_from_db()
    assert (d.ent_a1.name, d.ent_a1.uscc) == ("东城甲企业（改）", uscc)


def test_user_kinds_follow_what_the_user_is_attached_to(district):
    d = district
    kinds = {
        p: user_kind(getattr(d, p)) for p in ("district", "town_a", "department", "enterprise")
    }
    assert kinds == {
        "district": "district",
        "town_a": "unit",
        "department": "department",
        "enterprise": "enterprise",
    }


def test_every_model_with_rules_is_a_model_the_platform_writes():
    labels = sorted(m._meta.label for m in registered_models())
    assert labels == [
        "orgs.Enterprise",
        "orgs.Unit",
        "plans.Plan",
        "plans.ProgressReport",
        "plans.Task",
        "publicity.Activity",
        "publicity.Campaign",
        "publicity.MediaPost",
        "publicity.ThemedDayRule",
        "training.TrainingSession",
    ]


# --------------------------------------------------------------------------- generic: the API

WRITABLE_API_ROUTES = [
    r
    for r in ALL_ROUTES
    if r.is_api
    and r.actions
    and "partial_update" in r.actions.values()
    and "patch" in getattr(r.view_class, "http_method_names", ())
]


def test_the_walker_finds_the_writable_api_routes():
    names = {r.name for r in WRITABLE_API_ROUTES}
    assert {"api:enterprise-detail", "api:unit-detail", "api:progressreport-detail"} <= names


def _another_value(field, current):
    """A valid-looking value different from `current` for a DRF field (None: cannot make one)."""
    if isinstance(field, drf.ManyRelatedField):
        qs = field.child_relation.get_queryset()
        pks = {o.pk for o in current} if current is not None else set()
        if pks:
            return []
        other = qs.first() or qs.model._default_manager.first()
        return [other.pk] if other else None
    if isinstance(field, drf.PrimaryKeyRelatedField):
        cur = getattr(current, "pk", current)
        other = field.get_queryset().exclude(pk=cur).first()
        other = other or field.get_queryset().model._default_manager.exclude(pk=cur).first()
        return other.pk if other else None
    if isinstance(field, drf.ChoiceField):
        others = [c for c in field.choices if c != current and c != ""]
        return others[0] if others else None
    if isinstance(field, drf.DecimalField | drf.IntegerField):
        return str((current or Decimal(0)) + 1)
    if isinstance(field, drf.CharField):
        if "uscc" in (field.source or ""):
            return make_uscc(777001)
        return f"{current or ''}改"[: field.max_length or 50]
    return None


def _current(obj, field):
    source = field.source.split(".")[0]
    value = getattr(obj, source, None)
    manager = type(obj)._default_manager
    if value is None and source.startswith("parent") and hasattr(manager, "get_parent"):
        value = manager.get_parent(obj)
    return list(value.all()) if hasattr(value, "all") else value


@pytest.mark.parametrize("route", WRITABLE_API_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_writable_api_field_answers_as_the_rules_say(route, persona, district):
    """For each persona and each writable field of a row it may change: a locked field is
    refused with 400 naming it and the row keeps its value; any other field is never
    refused for being locked."""
    build_foreigns(district)
    user = getattr(district, persona)
    viewset = route.view_class
    model = viewset.queryset.model
    obj = model.objects.for_user(user, "change").order_by("pk").first()
    if obj is None:
        # Nothing of this model is this persona's to change: the route answers 403/404.
        response = api(user).patch(reverse(route.name, args=[10**8]), {}, format="json")
        assert response.status_code in (403, 404)
        return
    request = SimpleNamespace(user=user, method="PATCH")
    serializer = viewset.serializer_class(instance=obj, context={"request": request})
    locked = locked_fields(user, model, obj)
    tried = 0
    for name, field in serializer.fields.items():
        if field.read_only or isinstance(field, drf.ListSerializer):
            continue
        current = _current(obj, field)
        value = _another_value(field, current)
        if value is None:
            continue
        tried += 1
        rule = serializer.locked_rule(name, field)
        response = api(user).patch(reverse(route.name, args=[obj.pk]), {name: value}, format="json")
        body = response.json() if response.status_code != 204 else {}
        if rule is not None:
            assert rule in locked
            assert response.status_code == 400, (name, body)
            assert body[name] == [refusal(model, rule)]
            fresh = model.objects.get(pk=obj.pk)
            assert _comparable(_current(fresh, field)) == _comparable(current), name
        else:
            assert refusal(model, name) not in str(body), (name, body)
            assert name not in locked
    assert tried or not locked


def _comparable(value):
    if isinstance(value, list):
        return sorted(getattr(v, "pk", v) for v in value)
    return getattr(value, "pk", value)


# --------------------------------------------------------------------------- generic: the pages

EDIT_ROUTES = [
    r
    for r in ALL_ROUTES
    if r.name
    and r.name.endswith("_edit")
    and isinstance(getattr(r.view_class, "form_class", None), type)
    and issubclass(r.view_class.form_class, ScopedModelForm)
]


@pytest.mark.parametrize("route", EDIT_ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_edit_form_locks_exactly_what_the_api_refuses(route, persona, district, client):
    build_foreigns(district)
    user = getattr(district, persona)
    model = route.view_class.form_class._meta.model
    obj = model.objects.for_user(user, "change").order_by("pk").first()
    if obj is None:
        return  # nothing to edit (the scope test checks the 403/404)
    client.force_login(user)
    response = client.get(reverse(route.name, args=[obj.pk]), follow=True)
    if response.status_code != 200:
        assert response.status_code in (403, 404)  # a row rule (can_manage) says no
        return
    form = response.context["form"]
    locked = locked_fields(user, model, obj)
    for name in locked & set(form.fields):
        assert form.fields[name].disabled, (persona, name)


def test_the_enterprise_edit_form_and_api_lock_the_same_fields_for_the_enterprise(district, client):
    d = district
    client.force_login(d.enterprise)
    form = client.get(reverse("orgs:enterprise_edit", args=[d.ent_a1.pk])).context["form"]
    disabled = {n for n, f in form.fields.items() if f.disabled}
    assert disabled == {"unit", "departments", "uscc"}
    assert locked_fields(d.enterprise, Enterprise, d.ent_a1) == disabled
