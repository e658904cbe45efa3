"""The /api/v1/ endpoints for units and enterprises: scoped like the pages, token auth, audit."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from xuanpei.accounts.services import issue_api_token
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import EnterpriseFactory, make_uscc
from xuanpei.orgs.models import Enterprise, Unit


def enterprises_url():
    return reverse("api:enterprise-list")


def units_url():
    return reverse("api:unit-list")


def detail(pk):
    return reverse("api:enterprise-detail", args=[pk])


def client_for(user, *, token=False):
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_api_token(user).key}")
    else:
        client.force_authenticate(user)
    return client


def names(response):
    return {row["name"] for row in response.json()["results"]}


def new_enterprise(d, **extra):
    return {
        "name": "接口新建企业",
        "uscc": make_uscc(424242),
        "unit_id": d.street_a.pk,
        "sector_id": d.sector.pk,
        "risk_level": "low",
        **extra,
    }


# Reading -------------------------------------------------------------------------


def test_anonymous_requests_are_refused(district):
    assert APIClient().get(enterprises_url()).status_code in (401, 403)


def test_each_persona_lists_exactly_the_enterprises_of_its_scope(district):
    d = district
    assert names(client_for(d.town_a).get(enterprises_url())) == {"东城甲企业", "东城乙企业"}
    assert names(client_for(d.town_b).get(enterprises_url())) == {"西城丙企业", "西城教育监管企业"}
    assert names(client_for(d.department).get(enterprises_url())) == {"西城教育监管企业"}
    assert names(client_for(d.enterprise).get(enterprises_url())) == {"东城甲企业"}
    assert len(names(client_for(d.district).get(enterprises_url()))) == 4


def test_an_enterprise_outside_scope_is_a_404_for_read_write_and_close(district):
    d = district
    client = client_for(d.town_a)
    url = detail(d.ent_b1.pk)
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "改名"}, format="json").status_code == 404
    close = reverse("api:enterprise-close", args=[d.ent_b1.pk])
    assert client.post(close, {"closed_at": "2026-01-01", "reason": "x"}).status_code == 404
    d.ent_b1.refresh_from_db()
    assert d.ent_b1.name == "西城丙企业" and d.ent_b1.is_active


def test_the_enterprise_representation_nests_brief_unit_sector_and_departments(district):
    d = district
    data = client_for(d.department).get(detail(d.supervised.pk)).json()
    assert data["unit"] == {"id": d.town_b_sub.pk, "name": "乙镇", "kind": UnitKind.TOWN}
    assert data["sector"]["name"] == "工矿商贸"
    assert [dep["name"] for dep in data["departments"]] == ["教育局"]
    assert data["risk_level_display"] == "一般风险（黄）"
    assert "unit_id" not in data


def test_the_list_is_filtered_by_the_shared_enterprise_filterset(district):
    d = district
    client = client_for(d.district)
    assert names(client.get(enterprises_url(), {"unit": d.town_a_unit.pk})) == {
        "东城甲企业",
        "东城乙企业",
    }
    assert names(client.get(enterprises_url(), {"department": d.dept_unit.pk})) == {
        "西城教育监管企业"
    }
    assert names(client.get(enterprises_url(), {"q": d.ent_b1.uscc.lower()})) == {"西城丙企业"}
    # A filter choice outside the user's scope is rejected, never used to peek.
    response = client_for(d.town_a).get(enterprises_url(), {"unit": d.town_b_unit.pk})
    assert response.status_code == 400


def test_the_enterprise_list_runs_a_fixed_number_of_queries(
    district, django_assert_max_num_queries
):
    d = district
    for _ in range(10):
        EnterpriseFactory(unit=d.street_a, sector=d.sector, departments=[d.dept_unit])
    client = client_for(d.district)
    with django_assert_max_num_queries(8):
        response = client.get(enterprises_url())
    assert response.json()["count"] == 14


def test_units_are_scoped_and_a_parent_outside_scope_is_hidden(district):
    d = district
    rows = client_for(d.town_a).get(units_url()).json()["results"]
    assert [r["name"] for r in rows] == ["东新城", "甲街道", "甲社区"]
    assert rows[0]["parent"] is None  # 测试区 is above town_a's scope
    assert rows[1]["parent"] == {
        "id": d.town_a_unit.pk,
        "name": "东新城",
        "kind": UnitKind.NEW_TOWN,
    }
    assert (
        client_for(d.town_a).get(reverse("api:unit-detail", args=[d.town_b_unit.pk])).status_code
        == 404
    )


# Writing -------------------------------------------------------------------------


def test_a_town_admin_creates_an_enterprise_in_its_subtree(district):
    d = district
    payload = new_enterprise(
        d, uscc=" " + make_uscc(424242).lower(), department_ids=[d.dept_unit.pk]
    )
    response = client_for(d.town_a).post(enterprises_url(), payload, format="json")
    assert response.status_code == 201, response.json()
    ent = Enterprise.objects.get(name="接口新建企业")
    assert ent.uscc == make_uscc(424242)
    assert ent.unit == d.street_a and ent.created_by == d.town_a
    assert list(ent.departments.all()) == [d.dept_unit]


def test_a_bad_uscc_is_rejected_in_chinese_and_nothing_is_written(district):
    d = district
    bad = make_uscc(424242)[:17] + ("0" if make_uscc(424242)[17] != "0" else "1")
    response = client_for(d.town_a).post(
        enterprises_url(), new_enterprise(d, uscc=bad), format="json"
    )
    assert response.status_code == 400
    assert "校验位错误" in response.json()["uscc"][0]
    assert not Enterprise.objects.filter(name="接口新建企业").exists()


def test_a_duplicate_uscc_is_rejected(district):
    d = district
    response = client_for(d.town_a).post(
        enterprises_url(), new_enterprise(d, uscc=d.ent_b1.uscc), format="json"
    )
    assert response.status_code == 400
    assert response.json()["uscc"] == ["该统一社会信用代码已登记"]


def test_a_unit_outside_scope_cannot_be_chosen(district):
    d = district
    response = client_for(d.town_a).post(
        enterprises_url(), new_enterprise(d, unit_id=d.town_b_sub.pk), format="json"
    )
    assert response.status_code == 400
    assert "unit_id" in response.json()
    assert not Enterprise.objects.filter(name="接口新建企业").exists()


def test_a_viewer_may_read_but_not_write(district):
    d = district
    client = client_for(d.town_a_viewer)
    assert client.get(enterprises_url()).status_code == 200
    response = client.patch(detail(d.ent_a1.pk), {"name": "改名"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "您没有执行此操作的权限"
    assert client.post(enterprises_url(), new_enterprise(d), format="json").status_code == 403


def test_an_enterprise_user_edits_its_own_record_but_cannot_create(district):
    d = district
    client = client_for(d.enterprise)
    response = client.patch(detail(d.ent_a1.pk), {"safety_phone": "13900000000"}, format="json")
    assert response.status_code == 200
    d.ent_a1.refresh_from_db()
    assert d.ent_a1.safety_phone == "13900000000"
    assert client.post(enterprises_url(), new_enterprise(d), format="json").status_code == 403


def test_a_department_may_send_back_the_current_unit_of_a_supervised_enterprise(district):
    d = district
    d.department.role = "unit_admin"
    d.department.save()
    client = client_for(d.department)
    payload = {
        "name": "西城教育监管企业（更名）",
        "uscc": d.supervised.uscc,
        "unit_id": d.supervised.unit_id,
        "sector_id": d.sector.pk,
        "department_ids": [d.dept_unit.pk],
    }
    response = client.put(detail(d.supervised.pk), payload, format="json")
    assert response.status_code == 200, response.json()
    # …but not move it to a unit it cannot see.
    payload["unit_id"] = d.street_a.pk
    assert client.put(detail(d.supervised.pk), payload, format="json").status_code == 400


def test_a_write_that_would_leave_scope_is_rolled_back(district):
    d = district
    # The department may edit the supervised enterprise; dropping itself as
    # supervisor would take the row out of its sight, so nothing is saved.
    d.department.role = "unit_admin"
    d.department.save()
    response = client_for(d.department).patch(
        detail(d.supervised.pk), {"department_ids": [], "name": "改名"}, format="json"
    )
    assert response.status_code == 400
    d.supervised.refresh_from_db()
    assert d.supervised.name == "西城教育监管企业"
    assert list(d.supervised.departments.all()) == [d.dept_unit]


def test_closing_an_enterprise_goes_through_the_close_action(district):
    d = district
    client = client_for(d.town_a)
    url = reverse("api:enterprise-close", args=[d.ent_a2.pk])
    assert client.post(url, {"closed_at": "2026-03-01", "reason": ""}).status_code == 400
    response = client.post(url, {"closed_at": "2026-03-01", "reason": "注销"})
    assert response.status_code == 200, response.json()
    assert response.json()["is_active"] is False
    assert client.delete(detail(d.ent_a2.pk)).status_code == 405
    assert Enterprise.objects.filter(pk=d.ent_a2.pk, is_active=False).exists()


def test_only_the_district_shapes_the_unit_tree(district):
    d = district
    payload = {"name": "新社区", "kind": UnitKind.COMMUNITY, "parent_id": d.street_a.pk}
    assert client_for(d.town_a).post(units_url(), payload, format="json").status_code == 403
    response = client_for(d.district).post(units_url(), payload, format="json")
    assert response.status_code == 201, response.json()
    unit = Unit.objects.get(name="新社区")
    assert Unit.objects.get_parent(unit) == d.street_a
    assert response.json()["parent"]["id"] == d.street_a.pk


def test_a_unit_still_in_use_cannot_be_deleted(district):
    d = district
    client = client_for(d.district)
    response = client.delete(reverse("api:unit-detail", args=[d.street_a.pk]))
    assert response.status_code == 400
    assert Unit.objects.filter(pk=d.street_a.pk).exists()
    assert client.delete(reverse("api:unit-detail", args=[d.village_a.pk])).status_code == 204
    assert not Unit.objects.filter(pk=d.village_a.pk).exists()


# Token auth and the audit log ----------------------------------------------------


def test_token_authentication_scopes_like_the_session(district):
    d = district
    assert names(client_for(d.town_b, token=True).get(enterprises_url())) == {
        "西城丙企业",
        "西城教育监管企业",
    }
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get(enterprises_url()).status_code == 401


def test_a_token_write_is_audited_with_the_actor_and_address(district):
    d = district
    client = client_for(d.town_a, token=True)
    response = client.patch(
        detail(d.ent_a1.pk), {"address": "新地址1号"}, format="json", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    entry = LogEntry.objects.get_for_object(d.ent_a1).latest("timestamp")
    assert entry.actor == d.town_a
    assert entry.remote_addr == "10.1.2.3"
    assert entry.changes_dict["address"][1] == "新地址1号"


def test_a_session_write_is_audited_with_the_actor(district, client):
    d = district
    client.force_login(d.town_a)
    response = client.patch(
        detail(d.ent_a2.pk), {"address": "会话地址"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert LogEntry.objects.get_for_object(d.ent_a2).latest("timestamp").actor == d.town_a


def test_a_deactivated_users_token_stops_working(district):
    d = district
    client = client_for(d.town_a, token=True)
    d.town_a.is_active = False
    d.town_a.save()
    assert client.get(enterprises_url()).status_code in (401, 403)


# Schema and docs ------------------------------------------------------------------


def test_the_openapi_schema_lists_the_routes(district, client):
    client.force_login(district.town_a)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/enterprises/" in paths and "/api/v1/units/{id}/" in paths
    assert "/api/v1/enterprises/{id}/close/" in paths


def test_the_docs_page_loads_only_local_assets(district, client):
    import re

    client.force_login(district.town_a)
    html = client.get(reverse("api-docs")).content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert urls, html
    assert all(u.startswith("/static/") for u in urls), urls
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html


@pytest.mark.parametrize("reset", [False, True])
def test_the_api_token_command_prints_a_working_token(district, reset):
    from io import StringIO

    from django.core.management import call_command

    first = issue_api_token(district.town_a).key
    out = StringIO()
    call_command("api_token", "town_a", *(["--reset"] if reset else []), stdout=out)
    key = out.getvalue().strip()
    assert Token.objects.get(user=district.town_a).key == key
    assert (key != first) is reset
