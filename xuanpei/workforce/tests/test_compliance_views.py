"""持证率 pages: the dashboard per persona, drill-down scoping, due lists and their export."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.factories import CertificateFactory, PostFactory


@pytest.fixture
def roster(district):
    """Today-relative data: each enterprise of town A has one covered and one uncovered post;
    ent_b1 one covered principal whose certificate expires within 90 days."""
    today = timezone.localdate()
    d = district
    for ent in (d.ent_a1, d.ent_a2):
        ok = PostFactory(enterprise=ent)
        CertificateFactory(holder=ok.person, enterprise=ent, issue_date=today - timedelta(days=400))
        PostFactory(enterprise=ent)
    principal = PostFactory(enterprise=d.ent_b1, post_type_id=PostTypeCode.PRINCIPAL)
    CertificateFactory(
        holder=principal.person,
        enterprise=d.ent_b1,
        issue_date=today - timedelta(days=3 * 365 - 40),
    )
    return d


def url(name, *args, **query):
    target = reverse(f"workforce:{name}", args=args)
    if query:
        target += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return target


def test_the_district_dashboard_shows_rates_charts_and_the_ranking(
    roster, client, django_assert_max_num_queries
):
    client.force_login(roster.district)
    client.get(url("compliance_dashboard"))  # queues the day's refresh
    # Session, user and unit; ~16 for the page; the navbar badge; the session save.
    with django_assert_max_num_queries(22):
        response = client.get(url("compliance_dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="kpi-rate">60.0%' in body  # 3 of 5
    assert 'id="kpi-uncertified">2<' in body
    assert "东新城" in body and "西新城" in body
    assert 'id="unit-chart-data"' in body and 'id="sector-chart-data"' in body
    assert 'id="trend-chart-data"' in body
    assert roster.ent_a1.name in body and roster.ent_b1.name in body
    assert "已关闭的企业不计入持证率" in body


def test_a_new_town_sees_its_streets_and_only_its_enterprises(roster, client):
    client.force_login(roster.town_a)
    body = client.get(url("compliance_dashboard")).content.decode()
    assert "甲街道" in body
    assert roster.ent_a1.name in body
    assert roster.ent_b1.name not in body and "西新城" not in body
    assert 'id="kpi-rate">50.0%' in body


def test_an_enterprise_user_is_sent_to_its_own_page(roster, client):
    client.force_login(roster.enterprise)
    response = client.get(url("compliance_dashboard", on="2024-05-31"))
    assert response.status_code == 302
    assert response["Location"] == url("compliance_enterprise", roster.ent_a1.pk, on="2024-05-31")


def test_the_department_sees_its_supervised_enterprise_only(roster, client):
    client.force_login(roster.department)
    body = client.get(url("compliance_dashboard")).content.decode()
    assert roster.ent_a1.name not in body and roster.ent_b1.name not in body
    assert "暂无应持证岗位" in body


def test_drilling_down_from_a_new_town_to_its_street(roster, client):
    client.force_login(roster.district)
    body = client.get(url("compliance_unit", roster.town_a_unit.pk)).content.decode()
    assert "甲街道" in body and url("compliance_unit", roster.street_a.pk) in body
    body = client.get(url("compliance_unit", roster.street_a.pk)).content.decode()
    assert roster.ent_a1.name in body and roster.ent_a2.name in body
    assert url("compliance_enterprise", roster.ent_a1.pk) in body


def test_the_enterprise_page_names_the_uncertified_people_with_masked_ids(roster, client):
    client.force_login(roster.enterprise)
    response = client.get(url("compliance_enterprise", roster.ent_a1.pk))
    assert response.status_code == 200
    body = response.content.decode()
    uncovered = roster.ent_a1.posts.exclude(person__certificates__isnull=False).get()
    person = uncovered.person
    assert person.name in body
    assert person.id_number not in body
    assert person.id_number[:3] + "*" * 11 + person.id_number[-4:] in body
    assert "无证" in body


@pytest.mark.parametrize("persona", ["town_b", "department", "enterprise"])
def test_a_foreign_enterprise_drill_down_is_404(roster, client, persona):
    client.force_login(getattr(roster, persona))
    assert client.get(url("compliance_enterprise", roster.ent_a2.pk)).status_code == 404
    assert client.get(url("compliance_unit", roster.street_a.pk)).status_code == 404


def test_a_department_may_drill_into_the_towns_of_its_enterprises(roster, client):
    client.force_login(roster.department)
    assert client.get(url("compliance_unit", roster.town_b_sub.pk)).status_code == 200
    assert client.get(url("compliance_enterprise", roster.supervised.pk)).status_code == 200
    assert client.get(url("compliance_enterprise", roster.ent_b1.pk)).status_code == 404


def test_a_bad_date_falls_back_to_today_with_a_message(roster, client):
    client.force_login(roster.district)
    response = client.get(url("compliance_dashboard", on="2024-13-45"))
    assert response.status_code == 200
    assert "格式不正确" in response.content.decode()


def test_a_past_date_is_computed_live(roster, client):
    client.force_login(roster.district)
    day = timezone.localdate() - timedelta(days=3)
    if day.day == 1 or (day + timedelta(days=1)).day == 1:
        day -= timedelta(days=2)  # keep away from month-ends
    body = client.get(url("compliance_dashboard", on=f"{day:%Y-%m-%d}")).content.decode()
    assert "实时计算" in body


def test_the_due_list_shows_certificates_due_within_ninety_days(
    roster, client, django_assert_max_num_queries
):
    client.force_login(roster.district)
    # Session/user/unit, count, page, kind rules (2), filter choices (2), badge, session save.
    with django_assert_max_num_queries(14):
        response = client.get(url("certificates_due"))
    body = response.content.decode()
    holder = roster.ent_b1.posts.get().person
    assert holder.name in body
    assert holder.id_number not in body
    assert roster.ent_a1.name not in body  # issued 400 days ago: nothing due


def test_the_due_list_is_scoped_and_filtered(roster, client):
    holder = roster.ent_b1.posts.get().person
    client.force_login(roster.town_a)
    assert holder.name not in client.get(url("certificates_due")).content.decode()
    client.force_login(roster.district)
    # A 安全生产知识和管理能力考核合格证 has no review: it only expires.
    body = client.get(url("certificates_due", window="expiring")).content.decode()
    assert holder.name in body
    body = client.get(url("certificates_due", window="review")).content.decode()
    assert holder.name not in body
    body = client.get(url("certificates_due", days=10)).content.decode()
    assert holder.name not in body
    body = client.get(url("certificates_due", days="abc")).content.decode()
    assert "天数" in body and holder.name not in body


def test_a_foreign_enterprise_filter_shows_nothing(roster, client):
    client.force_login(roster.town_a)
    response = client.get(url("certificates_due", enterprise=roster.ent_b1.pk))
    assert response.status_code == 200
    assert roster.ent_b1.name not in response.content.decode()


def test_the_due_export_writes_masked_neutralised_rows(roster, client):
    holder = roster.ent_b1.posts.get().person
    holder.name = "=HYPERLINK(1)"
    holder.save()
    client.force_login(roster.district)
    response = client.get(url("certificates_due_export"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("证书编号", "持证人", "身份证号")
    assert len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][2] == holder.id_number[:3] + "*" * 11 + holder.id_number[-4:]
    assert rows[1][9] == "到期"


def test_the_navigation_links_to_the_dashboard(roster, client):
    client.force_login(roster.town_a)
    body = client.get(reverse("core:home")).content.decode()
    assert url("compliance_dashboard") in body


def test_month_end_trend_points_come_from_the_snapshots(roster, client, settings):
    from django.core.cache import cache

    from xuanpei.workforce.models import ComplianceSnapshot

    settings.JOB_RUNNER = "sync"  # the refresh the page queues runs at once
    cache.clear()  # earlier tests' claims on today (compliance.REFRESH_GUARD_SECONDS)
    client.force_login(roster.district)
    client.get(url("compliance_dashboard"))
    days = set(ComplianceSnapshot.objects.values_list("on", flat=True))
    today = timezone.localdate()
    assert today in days
    last_month_end = today.replace(day=1) - timedelta(days=1)
    assert last_month_end in days
    assert all(d == today or (d + timedelta(days=1)).day == 1 for d in days)
    assert date(2000, 1, 1) < min(days)
