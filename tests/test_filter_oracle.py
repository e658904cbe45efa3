"""Filters are no existence oracle (issue #9 item 11).

The probe: `?enterprise=<id in another town>` answered 200 with no rows while
`?enterprise=99999999` answered 400, so anyone could tell which ids exist elsewhere.
Every filter that takes an object id now chooses among the objects the user may see
(`core.filtering.narrow_choices`), so a foreign id and an id that does not exist get
the same answer. The generic test walks every API list route and every declared
filter that names an object, as every persona.
"""

from __future__ import annotations

import pytest
from django.db.models import ForeignKey
from django.urls import reverse
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter, NumberFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.test import APIClient

from tests.test_scope_meta import ALL_ROUTES, build_foreigns

NOWHERE = 99999999
# The foreign objects (tests/scope_registry.py) belong to 东新城: outside these three.
PERSONAS = ("town_b", "department", "enterprise")

LIST_ROUTES = [r for r in ALL_ROUTES if r.is_api and r.actions and r.actions.get("get") == "list"]


def _target_model(filterset_class, name, flt):
    """The model an object-id filter names, or None for a filter that takes no object id."""
    if isinstance(flt, ModelChoiceFilter | ModelMultipleChoiceFilter):
        return flt.queryset.model if flt.queryset is not None else None
    if isinstance(flt, NumberFilter) and flt.field_name:
        model = filterset_class._meta.model
        field = None
        for part in flt.field_name.split("__"):
            field = model._meta.get_field(part)
            if not field.is_relation:
                return None
            model = field.related_model
        return model if isinstance(field, ForeignKey) else None
    return None


def object_filters(route):
    view = route.view_class()
    view.request = None
    queryset = route.view_class.queryset
    filterset_class = DjangoFilterBackend().get_filterset_class(view, queryset)
    if filterset_class is None:
        return []
    found = []
    for name, flt in filterset_class.base_filters.items():
        model = _target_model(filterset_class, name, flt)
        if model is not None and hasattr(model.objects, "for_user"):
            found.append((name, model))
    return found


CASES = [(r, name, model) for r in LIST_ROUTES for name, model in object_filters(r)]


def test_the_walker_finds_the_filters_of_the_probe():
    found = {(r.name, name) for r, name, _m in CASES}
    assert {
        ("api:person-list", "enterprise"),
        ("api:certificate-list", "holder"),
        ("api:certificate-list", "enterprise"),
        ("api:assignment-list", "unit"),
        ("api:assignment-list", "plan"),
        ("api:task-list", "plan"),
    } <= found


def shape(response):
    body = response.json()
    if isinstance(body, dict) and "results" in body:
        return response.status_code, sorted(body), body["count"]
    return response.status_code, body


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0].name}?{c[1]}")
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_foreign_id_and_a_missing_id_get_the_same_answer(case, persona, district):
    route, name, model = case
    build_foreigns(district)
    user = getattr(district, persona)
    foreign = model.objects.exclude(pk__in=model.objects.for_user(user, "view").values("pk"))
    foreign = foreign.order_by("pk").first()
    assert foreign is not None, f"no {model.__name__} outside {persona}'s scope"
    client = APIClient()
    client.force_authenticate(user)
    url = reverse(route.name)
    answer_foreign = client.get(url, {name: foreign.pk})
    answer_missing = client.get(url, {name: NOWHERE})
    assert shape(answer_foreign) == shape(answer_missing)


def test_the_probe_answers_the_same_for_another_towns_enterprise_and_none(district):
    d = district
    client = APIClient()
    client.force_authenticate(d.town_a)
    for route in ("/api/v1/certificates/", "/api/v1/posts/"):
        foreign = client.get(route, {"enterprise": d.ent_b1.pk})
        missing = client.get(route, {"enterprise": NOWHERE})
        assert foreign.status_code == missing.status_code == 400
        assert foreign.json() == missing.json()
        assert list(foreign.json()) == ["enterprise"]


def test_an_own_id_still_filters(district):
    d = district
    client = APIClient()
    client.force_authenticate(d.town_a)
    for route in ("/api/v1/people/", "/api/v1/certificates/", "/api/v1/posts/"):
        response = client.get(route, {"enterprise": d.ent_a1.pk})
        assert response.status_code == 200
