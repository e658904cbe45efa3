"""The unit and enterprise pages, persona by persona (tests/personas.py)."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from xuanpei.orgs.choices import RiskLevel
from xuanpei.orgs.factories import EnterpriseFactory, SectorFactory, make_uscc
from xuanpei.orgs.models import Enterprise

BACKEND = "django.contrib.auth.backends.ModelBackend"
# Paths, not reverse(): resolving the URLconf at import time would import every view module.
LIST = "/orgs/enterprises/"
ADD = "/orgs/enterprises/add/"
ALL_NAMES = {"东城甲企业", "东城乙企业", "西城丙企业", "西城教育监管企业"}
# The list's name order (core/ordering.py): pinyin on PostgreSQL (dōng < xī, jiǎ < yǐ,
# bǐng < jiào), code points on SQLite (乙 U+4E59 before 甲 U+7532).
BY_NAME = (
    ["东城甲企业", "东城乙企业", "西城丙企业", "西城教育监管企业"]
    if connection.vendor == "postgresql"
    else sorted(ALL_NAMES)
)


def test_the_paths_above_are_the_named_routes():
    assert reverse("orgs:enterprise_list") == LIST
    assert reverse("orgs:enterprise_add") == ADD


def login(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def listed(response) -> list[str]:
    return [e.name for e in response.context["object_list"]]


def to_fullwidth(code: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in code.lower())


def form_data(district, **overrides):
    data = {
        "name": "新登记企业有限公司",
        "uscc": make_uscc(77),
        "unit": district.street_a.pk,
        "sector": district.sector.pk,
        "scale": "small",
        "risk_level": RiskLevel.GENERAL,
        "address": "东新城甲街道1号",
        "legal_representative": "王五",
        "safety_contact": "赵六",
        "safety_phone": "13900000000",
    }
    data.update(overrides)
    return data


# The list ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district", ALL_NAMES),
        ("town_a", {"东城甲企业", "东城乙企业"}),
        ("town_b", {"西城丙企业", "西城教育监管企业"}),
        ("town_a_viewer", {"东城甲企业", "东城乙企业"}),
        ("department", {"西城教育监管企业"}),
        ("enterprise", {"东城甲企业"}),
    ],
)
def test_the_list_shows_only_the_enterprises_in_the_personas_scope(
    client, district, persona, expected
):
    response = login(client, getattr(district, persona)).get(LIST)

    assert response.status_code == 200
    assert set(listed(response)) == expected
    body = response.content.decode()
    for name in ALL_NAMES - expected:
        assert name not in body


def test_the_list_asks_anonymous_visitors_to_log_in(client, district):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_search_finds_by_name(client, district):
    response = login(client, district.district).get(LIST, {"q": "教育"})
    assert listed(response) == ["西城教育监管企业"]


def test_search_finds_by_uscc_typed_in_full_width_lower_case(client, district):
    code = district.ent_b1.uscc
    response = login(client, district.district).get(LIST, {"q": to_fullwidth(code[:12])})
    assert "西城丙企业" in listed(response)
    response = client.get(LIST, {"q": code})
    assert listed(response) == ["西城丙企业"]


def test_search_never_reaches_outside_scope(client, district):
    response = login(client, district.town_a).get(LIST, {"q": district.ent_b1.uscc})
    assert listed(response) == []
    assert "没有符合条件的企业" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "town_b_unit"}, {"西城丙企业", "西城教育监管企业"}),
        ({"unit": "street_a"}, {"东城甲企业", "东城乙企业"}),
        ({"department": "dept_unit"}, {"西城教育监管企业"}),
        ({"risk_level": RiskLevel.MAJOR}, {"东城乙企业"}),
        ({"sector": "other_sector"}, {"西城丙企业"}),
        ({"scale": "large"}, {"西城丙企业"}),
        ({"is_active": "false"}, {"东城甲企业"}),
        ({"is_active": "true"}, {"东城乙企业", "西城丙企业", "西城教育监管企业"}),
    ],
)
def test_filters_narrow_the_list(client, district, params, expected):
    other = SectorFactory(name="危险化学品", code="hazchem")
    Enterprise.objects.filter(pk=district.ent_b1.pk).update(sector=other, scale="large")
    Enterprise.objects.filter(pk=district.ent_a2.pk).update(risk_level=RiskLevel.MAJOR)
    Enterprise.objects.filter(pk=district.ent_a1.pk).update(is_active=False)
    objects = {**district.__dict__, "other_sector": other}
    query = {k: (objects[v].pk if v in objects else v) for k, v in params.items()}

    response = login(client, district.district).get(LIST, query)

    assert response.status_code == 200
    assert set(listed(response)) == expected


def test_sorting_by_name_descending_and_by_risk_severity(client, district):
    Enterprise.objects.filter(pk=district.ent_b1.pk).update(risk_level=RiskLevel.MAJOR)
    Enterprise.objects.filter(pk=district.supervised.pk).update(risk_level=RiskLevel.LOW)
    login(client, district.district)

    by_name = listed(client.get(LIST, {"sort": "-name"}))
    assert by_name == BY_NAME[::-1]

    by_risk = listed(client.get(LIST, {"sort": "risk"}))
    assert by_risk[0] == "西城丙企业"
    assert by_risk[-1] == "西城教育监管企业"


def test_an_unknown_sort_key_falls_back_to_the_name(client, district):
    response = login(client, district.district).get(LIST, {"sort": "password"})
    assert listed(response) == BY_NAME


def test_pagination_keeps_the_filters_in_its_links(client, district):
    street = district.street_a
    for _ in range(30):
        EnterpriseFactory(unit=street, sector=district.sector)

    response = login(client, district.town_a).get(LIST, {"q": "企业", "per_page": 10})

    assert len(listed(response)) == 10
    assert response.context["paginator"].count == 32
    assert "q=%E4%BC%81%E4%B8%9A&amp;per_page=10&amp;page=2" in response.content.decode()


def test_htmx_requests_get_only_the_table_and_boosted_ones_the_page(client, district):
    login(client, district.district)

    partial = client.get(LIST, {"q": "东城"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert 'id="enterprise-table"' in partial.content.decode()
    assert set(listed(partial)) == {"东城甲企业", "东城乙企业"}
    assert "HX-Request" in partial["Vary"]

    boosted = client.get(LIST, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.content.decode()

    restore = client.get(LIST, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_the_buttons_follow_the_role(client, district):
    page = login(client, district.town_a).get(LIST, {"risk_level": "general"}).content.decode()
    assert ADD in page
    assert reverse("orgs:enterprise_import") in page
    assert reverse("orgs:enterprise_export") + "?risk_level=general" in page

    page = login(client, district.town_a_viewer).get(LIST).content.decode()
    assert ADD not in page
    assert reverse("orgs:enterprise_import") not in page
    assert reverse("orgs:enterprise_export") in page


def test_the_list_runs_a_fixed_number_of_queries(client, district, django_assert_max_num_queries):
    for i in range(40):
        EnterpriseFactory(
            unit=district.town_b_sub if i % 2 else district.street_a,
            sector=district.sector,
            departments=[district.dept_unit],
        )
    login(client, district.district)
    client.get(LIST)  # warm the session

    with django_assert_max_num_queries(14):
        response = client.get(LIST, {"sort": "risk"})
    assert len(listed(response)) == 25

    login(client, district.department)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert response.context["paginator"].count == 41


# Autocomplete -----------------------------------------------------------------


def test_autocomplete_returns_scoped_matches_as_json(client, district):
    url = reverse("orgs:enterprise_autocomplete")

    data = login(client, district.town_a).get(url, {"q": "企业"}).json()

    assert {r["text"] for r in data["results"]} == {"东城甲企业", "东城乙企业"}
    assert set(data["results"][0]) == {"id", "text", "uscc", "unit"}


def test_autocomplete_stops_at_twenty(client, district):
    for _ in range(25):
        EnterpriseFactory(unit=district.street_a, sector=district.sector)
    url = reverse("orgs:enterprise_autocomplete")

    data = login(client, district.town_a).get(url, {"q": "测试企业"}).json()

    assert len(data["results"]) == 20


def test_autocomplete_answers_htmx_with_a_partial(client, district):
    url = reverse("orgs:enterprise_autocomplete")
    response = login(client, district.department).get(
        url, {"q": "城"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "西城教育监管企业" in body
    assert "东城甲企业" not in body


# Detail -----------------------------------------------------------------------


def test_detail_shows_the_enterprise_and_its_departments(client, district):
    url = reverse("orgs:enterprise_detail", args=[district.supervised.pk])
    body = login(client, district.department).get(url).content.decode()
    assert "西城教育监管企业" in body
    assert "教育局" in body
    assert district.supervised.uscc in body


def test_detail_shows_the_change_history_in_chinese(client, district):
    url = reverse("orgs:enterprise_close", args=[district.ent_a2.pk])
    login(client, district.town_a).post(
        url, {"closed_at": timezone.localdate().isoformat(), "reason": "迁出本区"}
    )

    body = client.get(reverse("orgs:enterprise_detail", args=[district.ent_a2.pk])).content.decode()

    assert "修改" in body
    assert "关闭原因：— → 迁出本区" in body
    assert "在营：是 → 否" in body


@pytest.mark.parametrize("route", ["enterprise_detail", "enterprise_edit", "enterprise_close"])
def test_an_enterprise_outside_scope_is_a_404(client, district, route):
    url = reverse(f"orgs:{route}", args=[district.ent_b1.pk])
    assert login(client, district.town_a).get(url).status_code == 404
    # An enterprise account may not close at all: 403 before any look-up.
    expected = 403 if route == "enterprise_close" else 404
    assert login(client, district.enterprise).get(url).status_code == expected
    if route != "enterprise_detail":
        response = login(client, district.town_a).post(url, {"reason": "x"})
        assert response.status_code == 404
    Enterprise.objects.get(pk=district.ent_b1.pk, is_active=True)


def test_a_viewer_gets_403_on_edit_and_close(client, district):
    login(client, district.town_a_viewer)
    for route in ("enterprise_edit", "enterprise_close"):
        url = reverse(f"orgs:{route}", args=[district.ent_a1.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, form_data(district)).status_code == 403
    assert client.get(ADD).status_code == 403
    assert Enterprise.objects.get(pk=district.ent_a1.pk).name == "东城甲企业"


def test_the_detail_offers_edit_and_close_only_to_those_allowed(client, district):
    url = reverse("orgs:enterprise_detail", args=[district.ent_a1.pk])
    edit = reverse("orgs:enterprise_edit", args=[district.ent_a1.pk])
    close = reverse("orgs:enterprise_close", args=[district.ent_a1.pk])

    page = login(client, district.town_a).get(url).content.decode()
    assert edit in page and close in page
    page = login(client, district.town_a_viewer).get(url).content.decode()
    assert edit not in page and close not in page
    page = login(client, district.enterprise).get(url).content.decode()
    assert edit in page and close not in page


# Create -----------------------------------------------------------------------


def test_create_registers_an_enterprise_and_audits_it(client, district):
    response = login(client, district.town_a).post(
        ADD, form_data(district, departments=[district.dept_unit.pk])
    )

    created = Enterprise.objects.get(name="新登记企业有限公司")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert created.unit == district.street_a
    assert list(created.departments.all()) == [district.dept_unit]
    assert created.created_by == district.town_a
    entry = LogEntry.objects.get_for_object(created).get(action=LogEntry.Action.CREATE)
    assert entry.actor == district.town_a


def test_create_normalises_a_full_width_lower_case_uscc(client, district):
    code = make_uscc(4242)
    login(client, district.town_a).post(ADD, form_data(district, uscc=f" {to_fullwidth(code)} "))
    assert Enterprise.objects.get(name="新登记企业有限公司").uscc == code


def test_create_with_a_bad_check_character_shows_the_reason_and_writes_nothing(client, district):
    code = make_uscc(77)
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    before = Enterprise.objects.count()

    response = login(client, district.town_a).post(ADD, form_data(district, uscc=bad))

    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert "is-invalid" in response.content.decode()
    assert Enterprise.objects.count() == before


def test_create_with_a_short_uscc_names_the_length(client, district):
    response = login(client, district.town_a).post(ADD, form_data(district, uscc="91610100"))
    assert "应为18位" in response.content.decode()
    assert not Enterprise.objects.filter(name="新登记企业有限公司").exists()


def test_create_with_a_registered_uscc_says_so(client, district):
    response = login(client, district.town_a).post(
        ADD, form_data(district, uscc=district.ent_b1.uscc.lower())
    )
    assert "该统一社会信用代码已登记" in response.content.decode()
    assert not Enterprise.objects.filter(name="新登记企业有限公司").exists()


def test_create_with_empty_required_fields_names_them(client, district):
    response = login(client, district.town_a).post(ADD, {"name": ""})
    form = response.context["form"]
    assert {"name", "uscc", "unit", "sector"} <= set(form.errors)
    assert "该字段是必填项" in response.content.decode()
    assert Enterprise.objects.count() == 4


def test_the_unit_choices_are_the_users_towns_and_streets_only(client, district):
    form = login(client, district.town_a).get(ADD).context["form"]
    assert set(form.fields["unit"].queryset) == {district.town_a_unit, district.street_a}
    assert set(form.fields["departments"].queryset) == {
        district.dept_unit,
        district.other_dept_unit,
    }


def test_create_into_a_sibling_towns_unit_is_refused(client, district):
    response = login(client, district.town_a).post(
        ADD, form_data(district, unit=district.town_b_sub.pk)
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not Enterprise.objects.filter(name="新登记企业有限公司").exists()


def test_an_enterprise_account_cannot_create(client, district):
    assert login(client, district.enterprise).get(ADD).status_code == 403


# Edit -------------------------------------------------------------------------


def test_edit_saves_the_changes_and_audits_them(client, district):
    url = reverse("orgs:enterprise_edit", args=[district.ent_a1.pk])
    data = form_data(
        district,
        name="东城甲企业（更名）",
        uscc=district.ent_a1.uscc,
        departments=[district.dept_unit.pk],
    )

    response = login(client, district.town_a).post(url, data)

    assert response.status_code == 302
    ent = Enterprise.objects.get(pk=district.ent_a1.pk)
    assert ent.name == "东城甲企业（更名）"
    assert list(ent.departments.all()) == [district.dept_unit]
    updates = LogEntry.objects.get_for_object(ent).filter(action=LogEntry.Action.UPDATE)
    fields = [u for u in updates if "name" in u.changes_dict]
    assert len(fields) == 1
    assert fields[0].actor == district.town_a
    assert fields[0].changes_dict["name"] == ["东城甲企业", "东城甲企业（更名）"]
    assert {u.actor for u in updates} == {district.town_a}


def test_edit_cannot_move_an_enterprise_to_a_sibling_town(client, district):
    url = reverse("orgs:enterprise_edit", args=[district.ent_a1.pk])
    data = form_data(district, uscc=district.ent_a1.uscc, unit=district.town_b_sub.pk)

    response = login(client, district.town_a).post(url, data)

    assert response.status_code == 200
    assert Enterprise.objects.get(pk=district.ent_a1.pk).unit == district.street_a


def test_an_enterprise_account_edits_its_record_but_not_its_unit_code_or_supervisors(
    client, district
):
    url = reverse("orgs:enterprise_edit", args=[district.ent_a1.pk])
    form = login(client, district.enterprise).get(url).context["form"]
    assert all(form.fields[f].disabled for f in ("unit", "departments", "uscc"))

    data = form_data(
        district,
        name="东城甲企业",
        uscc=make_uscc(999),
        unit=district.town_a_unit.pk,
        departments=[district.dept_unit.pk],
        safety_phone="13711112222",
    )
    response = client.post(url, data)

    assert response.status_code == 302
    ent = Enterprise.objects.get(pk=district.ent_a1.pk)
    assert ent.safety_phone == "13711112222"
    assert ent.uscc == district.ent_a1.uscc
    assert ent.unit == district.street_a
    assert not ent.departments.exists()


def test_a_department_edits_a_supervised_enterprise_in_a_town_it_cannot_see(client, district):
    ent = district.supervised
    url = reverse("orgs:enterprise_edit", args=[ent.pk])
    login(client, district.department)
    form = client.get(url).context["form"]
    assert form.fields["unit"].disabled

    data = form_data(
        district,
        name=ent.name,
        uscc=ent.uscc,
        unit=district.street_a.pk,
        departments=[district.dept_unit.pk],
        risk_level=RiskLevel.HIGH,
    )
    response = client.post(url, data)

    assert response.status_code == 302
    ent.refresh_from_db()
    assert ent.risk_level == RiskLevel.HIGH
    assert ent.unit == district.town_b_sub


def test_a_department_cannot_drop_its_own_supervision(client, district):
    ent = district.supervised
    url = reverse("orgs:enterprise_edit", args=[ent.pk])
    data = form_data(
        district, name=ent.name, uscc=ent.uscc, departments=[district.other_dept_unit.pk]
    )

    response = login(client, district.department).post(url, data)

    assert response.status_code == 200
    assert "超出了您的管辖范围" in response.content.decode()
    assert list(ent.departments.all()) == [district.dept_unit]


# Close ------------------------------------------------------------------------


def test_close_marks_the_enterprise_closed_and_audits_it(client, district):
    url = reverse("orgs:enterprise_close", args=[district.ent_a2.pk])
    day = timezone.localdate() - datetime.timedelta(days=3)

    response = login(client, district.town_a).post(
        url, {"closed_at": day.isoformat(), "reason": "已注销"}
    )

    assert response.status_code == 302
    ent = Enterprise.objects.get(pk=district.ent_a2.pk)
    assert (ent.is_active, ent.closed_at, ent.closed_reason) == (False, day, "已注销")
    entry = LogEntry.objects.get_for_object(ent).filter(action=LogEntry.Action.UPDATE).first()
    assert entry.actor == district.town_a
    assert "is_active" in entry.changes_dict


def test_the_close_form_proposes_today(client, district):
    url = reverse("orgs:enterprise_close", args=[district.ent_a2.pk])
    body = login(client, district.town_a).get(url).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in body


def test_close_needs_a_reason_and_a_date_not_in_the_future(client, district):
    url = reverse("orgs:enterprise_close", args=[district.ent_a2.pk])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    response = login(client, district.town_a).post(
        url, {"closed_at": tomorrow.isoformat(), "reason": ""}
    )

    body = response.content.decode()
    assert "关闭日期不能晚于今天" in body
    assert "该字段是必填项" in body
    assert Enterprise.objects.get(pk=district.ent_a2.pk).is_active


def test_a_closed_enterprise_cannot_be_closed_again(client, district):
    Enterprise.objects.filter(pk=district.ent_a2.pk).update(is_active=False)
    url = reverse("orgs:enterprise_close", args=[district.ent_a2.pk])
    response = login(client, district.town_a).post(
        url, {"closed_at": timezone.localdate().isoformat(), "reason": "重复"}
    )
    assert "该企业已关闭" in response.content.decode()


def test_reporters_and_enterprise_accounts_may_not_close(client, district):
    url = reverse("orgs:enterprise_close", args=[district.ent_a1.pk])
    assert login(client, district.enterprise).get(url).status_code == 403
    url = reverse("orgs:enterprise_close", args=[district.supervised.pk])
    assert login(client, district.department).get(url).status_code == 403


# Units ------------------------------------------------------------------------


def test_the_district_sees_the_whole_tree(client, district):
    response = login(client, district.district).get(reverse("orgs:unit_list"))
    body = response.content.decode()
    for name in ("测试区", "东新城", "西新城", "甲街道", "甲社区", "乙镇", "教育局"):
        assert name in body


def test_a_new_town_sees_its_own_subtree_only(client, district):
    body = login(client, district.town_a).get(reverse("orgs:unit_list")).content.decode()
    for name in ("东新城", "甲街道", "甲社区"):
        assert name in body
    for name in ("测试区", "西新城", "乙镇", "教育局"):
        assert name not in body


def test_an_enterprise_account_is_neither_offered_nor_shown_the_unit_tree(client, district):
    # Issue #8 §4: an enterprise account has no unit in its scope, so no 单位 menu and a 403.
    client = login(client, district.enterprise)
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{reverse("orgs:unit_list")}"' not in home
    assert client.get(reverse("orgs:unit_list")).status_code == 403


def test_unit_detail_counts_children_enterprises_and_users(client, district):
    Enterprise.objects.filter(pk=district.ent_a2.pk).update(is_active=False)
    url = reverse("orgs:unit_detail", args=[district.town_a_unit.pk])

    ctx = login(client, district.town_a).get(url).context

    assert [c.name for c in ctx["children"]] == ["甲街道"]
    assert ctx["enterprise_stats"] == {"total": 2, "active": 1}
    # town_a, town_a_viewer, and the account of ent_a1
    assert ctx["user_count"] == 3


def test_unit_detail_outside_scope_is_a_404(client, district):
    url = reverse("orgs:unit_detail", args=[district.town_b_unit.pk])
    assert login(client, district.town_a).get(url).status_code == 404
    url = reverse("orgs:unit_detail", args=[district.root.pk])
    assert client.get(url).status_code == 404


def test_the_district_admin_sets_a_units_founding_date_on_its_page(client, district):
    """成立日期 (the date activities are checked against) has a page: district admins only."""
    unit = district.street_a
    detail = reverse("orgs:unit_detail", args=[unit.pk])
    edit = reverse("orgs:unit_edit", args=[unit.pk])
    login(client, district.district)
    assert edit in client.get(detail).content.decode()  # offered

    response = client.post(edit, {"established_on": "2015-03-01"})
    assert response.status_code == 302 and response["Location"] == detail
    unit.refresh_from_db()
    assert unit.established_on == datetime.date(2015, 3, 1)
    assert LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.UPDATE).exists()
    assert "2015-03-01" in client.get(detail).content.decode()

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = client.post(edit, {"established_on": tomorrow.isoformat()}).content.decode()
    assert "日期不能晚于今天" in page
    unit.refresh_from_db()
    assert unit.established_on == datetime.date(2015, 3, 1)


def test_a_unit_admin_is_neither_offered_nor_allowed_the_founding_date(client, district):
    unit = district.street_a
    edit = reverse("orgs:unit_edit", args=[unit.pk])
    login(client, district.town_a)
    assert edit not in client.get(reverse("orgs:unit_detail", args=[unit.pk])).content.decode()
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"established_on": "2015-03-01"}).status_code == 403
    unit.refresh_from_db()
    assert unit.established_on is None


def test_a_departments_detail_counts_the_enterprises_it_supervises(client, district):
    url = reverse("orgs:unit_detail", args=[district.dept_unit.pk])
    ctx = login(client, district.district).get(url).context
    assert ctx["enterprise_stats"]["total"] == 1
    assert ctx["enterprise_filter"] == f"department={district.dept_unit.pk}"
