"""The API (campaigns, rules) and `xuanpei calendar YEAR [--ics FILE]`."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from xuanpei.publicity import services
from xuanpei.publicity.models import Campaign, ThemedDayRule

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_town_reads_the_districts_campaigns_and_creates_its_own(district, national):
    services.generate_campaigns(2026, actor=district.district)
    listed = api(district.town_a).get("/api/v1/campaigns/", {"year": 2026}).json()
    assert "安全生产月" in {c["name"] for c in listed["results"]}

    response = api(district.town_a).post(
        "/api/v1/campaigns/",
        {
            "year": 2026,
            "name": "东新城安全周",
            "start_date": "2026-09-01",
            "end_date": "2026-09-07",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Campaign.objects.get(name="东新城安全周").unit == district.town_a_unit


def test_the_api_refuses_bad_dates_a_districts_campaign_and_moving_ruled_dates(district, national):
    services.generate_campaigns(2026, actor=district.district)
    june = Campaign.objects.get(year=2026, name="安全生产月")
    bad = api(district.town_a).post(
        "/api/v1/campaigns/",
        {"year": 2026, "name": "倒序", "start_date": "2026-09-07", "end_date": "2026-09-01"},
        format="json",
    )
    assert bad.status_code == 400 and bad.json()["end_date"] == ["结束日期不能早于开始日期"]
    assert (
        api(district.town_a)
        .patch(f"/api/v1/campaigns/{june.pk}/", {"theme": "x"}, format="json")
        .status_code
        == 404
    )
    moved = api(district.district).patch(
        f"/api/v1/campaigns/{june.pk}/", {"start_date": "2026-06-10"}, format="json"
    )
    assert moved.status_code == 400
    themed = api(district.district).patch(
        f"/api/v1/campaigns/{june.pk}/", {"theme": "人人讲安全"}, format="json"
    )
    assert themed.status_code == 200
    june.refresh_from_db()
    assert (june.theme, june.start_date) == ("人人讲安全", date(2026, 6, 1))
    assert not Campaign.objects.filter(name="倒序").exists()


def test_only_the_district_changes_a_national_rule_through_the_api(district, national):
    rule = ThemedDayRule.objects.get(name="全国消防日")
    assert api(district.town_a).get(f"/api/v1/themed-day-rules/{rule.pk}/").status_code == 200
    refused = api(district.town_a).patch(
        f"/api/v1/themed-day-rules/{rule.pk}/", {"note": "改"}, format="json"
    )
    assert refused.status_code == 404
    bad = api(district.district).patch(
        f"/api/v1/themed-day-rules/{rule.pk}/", {"day": 31}, format="json"
    )
    assert bad.status_code == 400 and "day" in bad.json()
    rule.refresh_from_db()
    assert (rule.day, rule.note) == (9, "“119”消防日")


def test_the_calendar_command_prints_the_year_and_writes_the_ics(district, national, tmp_path):
    out = StringIO()
    call_command("calendar", "2024", stdout=out)
    text = out.getvalue()
    assert "03-25           全国中小学生安全教育日  （未生成）" in text
    assert "12-01 — 12-07   《安全生产法》宣传周" in text
    assert "待通知" in text and "防灾减灾宣传周" in text

    out = StringIO()
    call_command("calendar", "2024", "--generate", "--ics", str(tmp_path / "c.ics"), stdout=out)
    assert "新生成 11 项" in out.getvalue()
    body = (tmp_path / "c.ics").read_bytes().decode()
    assert body.count("\r\nBEGIN:VEVENT\r\n") == 11
    assert "DTSTART;VALUE=DATE:20240325" in body
