"""The audit log page: district admins only, filters, readable before/after, actors recorded."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from xuanpei.accounts.factories import UserFactory
from xuanpei.audit.context import acting_as
from xuanpei.core.permissions import Role
from xuanpei.orgs.choices import RiskLevel
from xuanpei.orgs.models import Enterprise


def log_url():
    return reverse("audit:logentry_list")


@pytest.fixture
def edited(district):
    """ent_a1 changed by town_a: risk level and address, and a supervisor added."""
    ent = district.ent_a1
    with acting_as(district.town_a, remote_addr="10.0.0.8"):
        ent.risk_level = RiskLevel.MAJOR
        ent.address = "新地址"
        ent.save()
        ent.departments.add(district.dept_unit)
    return ent


@pytest.mark.parametrize("persona", ["town_a", "town_a_viewer", "department", "enterprise"])
def test_only_district_admins_may_read_the_log(district, client, persona):
    client.force_login(getattr(district, persona))
    assert client.get(log_url()).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(log_url()).status_code == 302


def test_the_log_shows_who_when_where_and_what_changed_in_chinese(district, client, edited):
    client.force_login(district.district)
    response = client.get(log_url(), {"q": "东城甲企业", "action": LogEntry.Action.UPDATE})
    html = response.content.decode()
    assert response.status_code == 200
    assert "10.0.0.8" in html and "town_a" in html
    assert "风险等级" in html and "一般风险（黄）" in html and "重大风险（红）" in html
    assert "行业主管部门" in html and "增加：教育局" in html
    assert "修改" in html


def test_filters_narrow_by_model_action_actor_and_object(district, client, edited):
    from django.contrib.contenttypes.models import ContentType

    client.force_login(district.district)

    def entries(**params):
        return [row["entry"] for row in client.get(log_url(), params).context["entries"]]

    ct = ContentType.objects.get_for_model(Enterprise)
    rows = entries(content_type=ct.pk, action=LogEntry.Action.UPDATE, actor="town_a")
    assert rows and all(e.object_pk == str(edited.pk) for e in rows)
    assert entries(actor="town_b") == []
    assert {e.object_pk for e in entries(q=str(edited.pk), content_type=ct.pk)} == {str(edited.pk)}
    assert entries(date_from="2000-01-01", date_to="2000-01-02") == []
    created = entries(action=LogEntry.Action.CREATE, content_type=ct.pk)
    assert len(created) == Enterprise.objects.count()


def test_the_page_is_paginated(district, client):
    client.force_login(district.district)
    for n in range(30):
        UserFactory(username=f"bulk{n}", unit=district.street_a, role=Role.VIEWER)
    response = client.get(log_url())
    assert len(response.context["entries"]) == 25
    assert response.context["page_obj"].paginator.num_pages >= 2


def test_admin_site_writes_are_recorded_with_the_actor(district, client):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("admin:orgs_sector_change", args=[district.sector.pk])
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["name"] = "工矿商贸（改）"
    data["default_departments"] = []
    response = client.post(url, data, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = LogEntry.objects.get_for_object(district.sector).latest("timestamp")
    assert entry.actor == admin and entry.remote_addr == "10.9.9.9"


def test_acting_as_nests_inside_a_request_context_without_leaking_receivers(district):
    from auditlog.context import set_extra_data
    from django.db.models.signals import pre_save

    before = len(pre_save.receivers)
    request_context = {"actor": None, "remote_addr": "10.1.1.1", "remote_port": None}
    with set_extra_data(request_context), acting_as(district.town_b):
        district.ent_b1.address = "嵌套"
        district.ent_b1.save()
    assert len(pre_save.receivers) == before
    entry = LogEntry.objects.get_for_object(district.ent_b1).latest("timestamp")
    assert entry.actor == district.town_b and entry.remote_addr == "10.1.1.1"
