"""The calendar pages: month view, list with 待通知, edit rights, bad input, stored XSS."""

from datetime import date

import pytest
from django.urls import reverse

from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.publicity import services
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.models import Campaign, ThemedDayRule

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def june(district, national):
    services.generate_campaigns(2024, actor=district.district)
    return Campaign.objects.get(year=2024, name="安全生产月")


def test_the_june_month_view_shows_the_safety_month_as_a_band_and_616_in_its_cell(
    district, june, client, django_assert_max_num_queries
):
    client.force_login(district.town_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("publicity:calendar"), {"year": 2024, "month": 6})
    body = response.content.decode()
    assert response.status_code == 200
    bands = body[body.index('id="cal-bands"') : body.index('id="cal-grid"')]
    assert "安全生产月" in bands and "6月1日—6月30日" in bands
    grid = body[body.index('id="cal-grid"') :]
    assert grid.count("全国安全宣传咨询日") == 1 and "安全生产月" not in grid


def test_the_list_shows_this_years_campaigns_and_the_rules_waiting_for_a_notice(
    district, june, client, django_assert_max_num_queries
):
    client.force_login(district.district)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("publicity:campaign_list"), {"year": 2024})
    body = response.content.decode()
    waiting = body[body.index('id="waiting"') :]
    assert "防灾减灾宣传周" in waiting and "待通知" in waiting
    rule = ThemedDayRule.objects.get(name="防灾减灾宣传周")
    assert f"{reverse('publicity:campaign_add')}?rule={rule.pk}&amp;year=2024" in waiting
    assert "安全生产月" in body

    client.force_login(district.town_a)  # may not enter the district's dates
    body = client.get(reverse("publicity:campaign_list"), {"year": 2024}).content.decode()
    assert "防灾减灾宣传周" in body and f"?rule={rule.pk}" not in body


def test_the_district_enters_the_notice_dates_and_theme(district, national, client):
    rule = ThemedDayRule.objects.get(name="防灾减灾宣传周")
    client.force_login(district.district)
    response = client.post(
        reverse("publicity:campaign_add"),
        {
            "rule": rule.pk,
            "year": 2023,
            "start_date": "2023-05-06",
            "end_date": "2023-05-12",
            "theme": "防范灾害风险 护航高质量发展",
            "unit": district.root.pk,
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get(rule=rule, year=2023)
    assert (campaign.start_date, campaign.unit) == (date(2023, 5, 6), district.root)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2023-05-12", "2023-05-06", "end_date", "结束日期不能早于开始日期"),
        ("2024-05-06", "2024-05-12", "start_date", "开始日期须在2023年内"),
    ],
)
def test_bad_dates_on_the_form_name_the_field(district, client, start, end, field, message):
    client.force_login(district.town_a)
    response = client.post(
        reverse("publicity:campaign_add"),
        {
            "year": 2023,
            "name": "东新城安全周",
            "start_date": start,
            "end_date": end,
            "unit": district.town_a_unit.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Campaign.objects.exists()


def test_a_unit_reads_the_districts_campaign_but_may_not_edit_it(district, june, client):
    client.force_login(district.town_a)
    detail = client.get(reverse("publicity:campaign_detail", args=[june.pk]))
    assert detail.status_code == 200 and "campaign-edit" not in detail.content.decode()
    edit = reverse("publicity:campaign_edit", args=[june.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"theme": "被改了"}).status_code == 403
    june.refresh_from_db()
    assert june.theme == ""


def test_the_district_sets_the_theme_links_a_task_and_the_ruled_dates_stay(district, june, client):
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=2024), number="三(一)5")
    client.force_login(district.district)
    response = client.post(
        reverse("publicity:campaign_edit", args=[june.pk]),
        {"theme": "人人讲安全、个个会应急", "start_date": "2024-06-10", "tasks": [task.pk]},
    )
    assert response.status_code == 302
    june.refresh_from_db()
    assert june.theme == "人人讲安全、个个会应急"
    assert june.start_date == date(2024, 6, 1)  # the rule's, not the posted one
    assert list(june.tasks.all()) == [task]
    page = client.get(reverse("publicity:campaign_detail", args=[june.pk])).content.decode()
    assert reverse("plans:task_detail", args=[task.pk]) in page
    task_page = client.get(reverse("plans:task_detail", args=[task.pk])).content.decode()
    assert reverse("publicity:campaign_detail", args=[june.pk]) in task_page


def test_markup_in_a_theme_is_escaped_on_the_list_detail_and_month_view(district, client):
    campaign = CampaignFactory(
        unit=district.town_a_unit,
        year=2026,
        name="东新城<b>活动</b>",
        theme=XSS,
        start_date=date(2026, 9, 1),
        end_date=date(2026, 9, 1),
    )
    client.force_login(district.town_a)
    pages = [
        (reverse("publicity:campaign_list"), {"year": 2026}),
        (reverse("publicity:campaign_detail", args=[campaign.pk]), {}),
        (reverse("publicity:calendar"), {"year": 2026, "month": 9}),
    ]
    for url, params in pages:
        body = client.get(url, params).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body, url
        assert XSS not in body and "<b>活动</b>" not in body, url


def test_a_rule_with_a_day_the_month_lacks_is_refused_on_the_form(district, client):
    client.force_login(district.district)
    response = client.post(
        reverse("publicity:rule_add"),
        {"name": "本区安全日", "kind": "fixed_day", "month": 2, "day": 30, "order": 0},
    )
    assert response.status_code == 200
    assert "day" in response.context["form"].errors
    assert not ThemedDayRule.objects.filter(name="本区安全日").exists()
