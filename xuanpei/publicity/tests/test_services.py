"""Generating a year's campaigns from the rules, entering dates, linking plan tasks."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.publicity import services
from xuanpei.publicity.choices import RuleKind
from xuanpei.publicity.factories import CampaignFactory, ThemedDayRuleFactory
from xuanpei.publicity.models import Campaign, ThemedDayRule

pytestmark = pytest.mark.django_db


def _state():
    return sorted(
        Campaign.objects.values_list("rule__name", "start_date", "end_date", "unit_id", "theme")
    )


def test_the_district_generates_the_years_national_days_once(district, national):
    # When the district generates 2024
    result = services.generate_campaigns(2024, actor=district.district)

    # Then every computed national day has its campaign, owned by the district
    by_name = {c.name: c for c in Campaign.objects.filter(year=2024)}
    assert by_name["安全生产月"].start_date == date(2024, 6, 1)
    assert by_name["安全生产月"].end_date == date(2024, 6, 30)
    assert by_name["全国中小学生安全教育日"].start_date == date(2024, 3, 25)
    assert by_name["《安全生产法》宣传周"].end_date == date(2024, 12, 7)
    assert {c.unit for c in by_name.values()} == {district.root}
    assert len(result.created) == 11
    # …and the rules whose dates are entered are waiting (待通知), not generated
    assert "防灾减灾宣传周" not in by_name and "岁末年初" not in by_name
    assert {"防灾减灾宣传周", "安全生产万里行", "汛期"} <= {r.name for r in result.waiting}

    # When it runs again, after a theme was set
    Campaign.objects.filter(name="安全生产月").update(theme="人人讲安全、个个会应急")
    before = _state()
    again = services.generate_campaigns(2024, actor=district.district)

    # Then nothing changes
    assert again.created == [] and again.unchanged == 11
    assert _state() == before


def test_a_unit_generates_only_its_own_rules(district, national):
    ThemedDayRuleFactory(unit=district.town_a_unit, name="东新城安全日", month=9, day=20)

    result = services.generate_campaigns(2025, actor=district.town_a)

    assert [(c.name, c.unit) for c in result.created] == [("东新城安全日", district.town_a_unit)]
    assert Campaign.objects.count() == 1


def test_a_by_notice_campaign_takes_the_district_as_owner_and_leaves_the_waiting_list(
    district, national
):
    rule = ThemedDayRule.objects.get(name="防灾减灾宣传周")
    campaign = Campaign(
        rule=rule, year=2023, start_date=date(2023, 5, 6), end_date=date(2023, 5, 12)
    )

    services.save_campaign(campaign, actor=district.district)

    campaign.refresh_from_db()
    assert (campaign.name, campaign.unit) == ("防灾减灾宣传周", district.root)
    assert rule not in services.waiting_rules(2023, user=district.district)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (date(2023, 5, 12), date(2023, 5, 6), "end_date", "结束日期不能早于开始日期"),
        (date(2022, 12, 30), date(2023, 1, 5), "start_date", "开始日期须在2023年内"),
        (date(2023, 12, 30), date(2024, 1, 5), "end_date", "结束日期须在2023年内"),
    ],
)
def test_bad_dates_are_refused_with_the_field_and_nothing_is_saved(
    district, national, start, end, field, message
):
    rule = ThemedDayRule.objects.get(name="防灾减灾宣传周")
    with pytest.raises(ValidationError) as exc:
        services.save_campaign(
            Campaign(rule=rule, year=2023, start_date=start, end_date=end), actor=district.district
        )
    assert exc.value.message_dict[field] == [message]
    assert not Campaign.objects.exists()


def test_a_season_may_run_into_the_next_year(district, national):
    rule = ThemedDayRule.objects.get(name="岁末年初")
    campaign = services.save_campaign(
        Campaign(rule=rule, year=2023, start_date=date(2023, 12, 1), end_date=date(2024, 2, 29)),
        actor=district.district,
    )
    assert campaign.pk and campaign.kind == RuleKind.SEASONAL


def test_a_campaign_names_plan_tasks_of_its_own_year_only(district):
    campaign = CampaignFactory(unit=district.root, year=2022, start_date=date(2022, 6, 1))
    task_2022 = TaskFactory(plan=PlanFactory(unit=district.root, year=2022), number="三(一)5")
    task_2023 = TaskFactory(plan=PlanFactory(unit=district.root, year=2023), number="三(一)5")

    services.save_campaign(campaign, actor=district.district, tasks=[task_2022])
    assert list(task_2022.campaigns.all()) == [campaign]

    with pytest.raises(ValidationError) as exc:
        services.save_campaign(campaign, actor=district.district, tasks=[task_2023])
    assert "属于2023年的计划" in exc.value.message_dict["tasks"][0]
    assert list(campaign.tasks.all()) == [task_2022]


def test_the_national_rules_are_read_by_every_unit_and_changed_by_the_district_only(
    district, national
):
    national_rule = ThemedDayRule.objects.get(name="安全生产月")
    own = ThemedDayRuleFactory(unit=district.town_a_unit)
    assert ThemedDayRule.objects.in_scope(district.town_b, national_rule.pk)
    assert ThemedDayRule.objects.in_scope(district.town_a, own.pk, "change")
    assert not ThemedDayRule.objects.in_scope(district.town_a, national_rule.pk, "change")
    assert ThemedDayRule.objects.in_scope(district.district, national_rule.pk, "change")
    assert not ThemedDayRule.objects.in_scope(district.town_b, own.pk)
    assert not ThemedDayRule.objects.for_user(district.enterprise).exists()
