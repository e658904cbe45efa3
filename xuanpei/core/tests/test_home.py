"""The home dashboard counts only what its reader may see (tests/personas.py)."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xuanpei.orgs.choices import RiskLevel
from xuanpei.orgs.factories import EnterpriseFactory
from xuanpei.orgs.models import Enterprise

BACKEND = "django.contrib.auth.backends.ModelBackend"
HOME = "/"


def dashboard(client, user):
    client.force_login(user, backend=BACKEND)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def groups(response) -> dict[str, int]:
    return {g["label"]: g["total"] for g in response.context["orgs"]["groups"]}


def test_home_is_the_named_route():
    assert reverse("core:home") == HOME


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_district_sees_every_new_town_and_every_department(client, district):
    Enterprise.objects.filter(pk=district.ent_a2.pk).update(is_active=False)

    response = dashboard(client, district.district)
    orgs = response.context["orgs"]

    assert (orgs["total"], orgs["active"], orgs["closed"]) == (4, 3, 1)
    assert groups(response) == {"东新城": 2, "西新城": 2}
    assert {d["name"]: d["count"] for d in orgs["departments"]} == {"教育局": 1, "住建局": 1}
    assert {k["label"]: k["count"] for k in orgs["unit_kinds"]} == {
        "新城": 2,
        "镇街": 2,
        "村/社区": 1,
        "行业部门": 2,
    }


def test_a_new_town_sees_its_own_streets_only(client, district):
    response = dashboard(client, district.town_a)
    orgs = response.context["orgs"]

    assert orgs["total"] == 2
    assert groups(response) == {"甲街道": 2}
    assert orgs["departments"] == []
    body = response.content.decode()
    for foreign in ("西新城", "乙镇", "西城丙企业", "教育局"):
        assert foreign not in body


def test_enterprises_sitting_at_the_new_town_itself_get_their_own_row(client, district):
    EnterpriseFactory(unit=district.town_a_unit, sector=district.sector)
    response = dashboard(client, district.town_a)
    assert groups(response) == {"东新城（本级）": 1, "甲街道": 2}
    urls = {g["label"]: g["url"] for g in response.context["orgs"]["groups"]}
    assert urls["东新城（本级）"] == ""
    assert urls["甲街道"] == f"/orgs/enterprises/?unit={district.street_a.pk}"


def test_a_department_counts_the_enterprises_it_supervises(client, district):
    response = dashboard(client, district.department)
    orgs = response.context["orgs"]
    assert orgs["total"] == 1
    assert groups(response) == {"西新城": 1}
    assert all(g["url"] == "" for g in orgs["groups"])


def test_an_enterprise_account_sees_its_own_enterprise(client, district):
    response = dashboard(client, district.enterprise)
    # Its own card, not a territory's dashboard of one enterprise with empty unit charts.
    assert "orgs" not in response.context
    assert "各单位企业数" not in response.content.decode()
    assert response.context["own_enterprise"] == district.ent_a1
    assert "东城甲企业" in response.content.decode()
    assert "东城乙企业" not in response.content.decode()


def test_risk_levels_count_active_enterprises(client, district):
    Enterprise.objects.filter(pk=district.ent_a1.pk).update(risk_level=RiskLevel.MAJOR)
    Enterprise.objects.filter(pk=district.ent_b1.pk).update(
        risk_level=RiskLevel.MAJOR, is_active=False
    )
    response = dashboard(client, district.district)
    risks = {r["value"]: r["count"] for r in response.context["orgs"]["risks"]}
    assert risks == {"major": 1, "high": 0, "general": 2, "low": 0}


def test_the_chart_is_fed_from_a_json_script_and_local_echarts(client, district):
    body = dashboard(client, district.district).content.decode()

    assert "/static/vendor/echarts/echarts.min.js" in body
    start = body.index('<script id="enterprise-chart-data" type="application/json">')
    payload = body[start:].split(">", 1)[1].split("</script>", 1)[0]
    chart = json.loads(payload)
    assert chart["labels"] == ["东新城", "西新城"]
    assert chart["active"] == [2, 2]
    assert chart["closed"] == [0, 0]
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body


def test_the_navigation_links_units_and_enterprises_and_keeps_module_places(client, district):
    body = dashboard(client, district.town_a).content.decode()
    assert reverse("orgs:unit_list") in body
    assert reverse("orgs:enterprise_list") in body
    for module in ("计划任务", "宣传", "培训", "持证", "考核通报", "评估"):
        assert module in body


def test_an_enterprise_user_is_not_offered_the_units_plans(client, district):
    body = dashboard(client, district.enterprise).content.decode()
    assert reverse("plans:plan_list") not in body and "持证" in body


@pytest.mark.parametrize("persona", ["district", "town_a", "department", "enterprise"])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, district, persona, django_assert_max_num_queries
):
    for i in range(60):
        EnterpriseFactory(
            unit=[district.street_a, district.town_b_sub, district.town_a_unit][i % 3],
            sector=district.sector,
            departments=[district.dept_unit, district.other_dept_unit][: i % 3],
        )
    client.force_login(getattr(district, persona), backend=BACKEND)
    client.get(HOME)

    # 12 for the enterprise cards, 1 for the plan tasks card (issue #4 §6), 1 for its
    # 待审核 count (issue #8 §11).
    with django_assert_max_num_queries(14):
        response = client.get(HOME)
    assert response.status_code == 200


def enterprise_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    return sum('FROM "orgs_enterprise"' in q["sql"] for q in ctx.captured_queries)


def test_the_counts_are_made_once_per_scope_and_again_after_an_enterprise_changes(client, district):
    assert dashboard(client, district.district).context["orgs"]["total"] == 4
    assert enterprise_queries(client) == 0  # the same scope's reading, from the cache
    EnterpriseFactory(unit=district.street_a, sector=district.sector)  # post_save
    assert dashboard(client, district.district).context["orgs"]["total"] == 5
    # Another scope never gets the district's reading.
    assert dashboard(client, district.town_b).context["orgs"]["total"] == 2
    district.ent_a1.departments.add(district.department.unit)  # m2m_changed
    assert dashboard(client, district.department).context["orgs"]["total"] == 2
