"""Each unit's inbox (我的任务) and the plan's due-date calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from xuanpei.plans import due_calendar, services
from xuanpei.plans.choices import AssignmentStatus, Timeframe
from xuanpei.plans.periods import periods
from xuanpei.plans.tests.plan_pages_data import accept, assignment, district_plan

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"plans:{name}", args=args)


@pytest.fixture
def this_year(district):
    """This year's plan; its date-range task (四(一)) ends in 3 days, so it is due soon."""
    today = date.today()
    plan = district_plan(district, today.year)
    task = plan.tasks.get(number="四(一)")
    task.start_date, task.end_date = date(today.year, 1, 1), today + timedelta(days=3)
    task.save()
    services.refresh_all(plan=plan)
    return plan


# The inbox -------------------------------------------------------------------------------


def test_the_inbox_lists_the_users_assignments_overdue_first(district, client, this_year):
    old = district_plan(district, 2022)
    client.force_login(district.town_a)
    response = client.get(url("inbox"))
    body = response.content.decode()
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert {r["a"].unit.name for r in rows} == {"东新城", "甲街道"}
    overdue = [r["overdue"] for r in rows]
    assert overdue == sorted(overdue, reverse=True)  # every overdue row before the others
    assert any(r["a"].task.plan == old for r in rows) and rows[0]["overdue"]
    soon = next(r for r in rows if r["a"].task.number == "四(一)" and r["a"].task.plan == this_year)
    assert soon["due_soon"] and "即将到期" in body
    assert "inbox-overdue" in body
    assert response.context["counts"]["soon"] == 1


def test_the_inbox_is_scoped_and_filters_by_status_and_plan(district, client, this_year):
    old = district_plan(district, 2022)
    client.force_login(district.town_b)
    rows = client.get(url("inbox")).context["rows"]
    assert {r["a"].unit.name for r in rows} == {"西新城"}
    rows = client.get(url("inbox"), {"plan": old.pk}).context["rows"]
    assert {r["a"].task.plan for r in rows} == {old}
    rows = client.get(url("inbox"), {"status": AssignmentStatus.OVERDUE}).context["rows"]
    assert rows and all(r["a"].status == AssignmentStatus.OVERDUE for r in rows)
    rows = client.get(url("inbox"), {"due": "soon"}).context["rows"]
    assert rows == []  # 西新城 carries no 四(一)


def test_the_inbox_answers_htmx_with_the_table_only(district, client, this_year):
    client.force_login(district.town_a)
    response = client.get(url("inbox"), {"status": "overdue"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith("<div") and 'id="inbox-table"' in body
    assert "<html" not in body


def test_a_draft_plans_assignments_stay_out_of_the_inbox(district, client):
    plan = district_plan(district, issue=False)
    services.sync_assignments(plan.tasks.first(), actor=district.district)
    client.force_login(district.town_a)
    assert client.get(url("inbox")).context["rows"] == []


def test_the_inbox_names_the_period_of_the_next_due_date():
    quarters = periods(Timeframe.QUARTERLY, 2022)
    assert due_calendar.period_of_due(quarters, date(2022, 6, 30)).key == "2022Q2"
    assert due_calendar.period_of_due(quarters, date(2022, 4, 15)).key == "2022Q1"  # delayed Q1
    assert due_calendar.period_of_due(quarters, None) is None


# The calendar ----------------------------------------------------------------------------


def test_the_calendar_shows_the_months_due_dates_with_their_state(district, client):
    plan = district_plan(district)
    accept(
        assignment(plan, "三(二)3", district.town_a_unit),
        reporter=district.town_a,
        reviewer=district.district,
        period_key="2022Q1",
    )
    client.force_login(district.district)
    response = client.get(url("plan_calendar", plan.pk), {"month": "2022-03"})
    ctx = response.context
    assert response.status_code == 200
    assert ctx["first"] == date(2022, 3, 1)
    assert ctx["prev_month"] == date(2022, 2, 1) and ctx["next_month"] == date(2022, 4, 1)
    (day,) = ctx["day_list"]
    assert day["day"] == date(2022, 3, 31)
    lines = {line["task"].number: line for line in day["items"]}
    assert lines["三(二)3"]["count"] == 3 and lines["三(二)3"]["accepted"] == 1
    assert lines["三(二)3"]["overdue"] == 2
    assert lines["四(一)"]["count"] == 2
    body = response.content.decode()
    assert "2022年3月" in body and "?month=2022-04" in body and "?month=2022-02" in body
    assert 'id="day-20220331"' in body and "calendar-grid" in body


def test_a_granted_delay_moves_the_due_date_in_the_calendar(district, client):
    plan = district_plan(district)
    grid = assignment(plan, "三(二)3", district.town_b_unit)
    adjustment = services.request_adjustment(
        grid, actor=district.town_b, period_key="2022Q1", requested_due=date(2022, 4, 15),
        reason="推迟",
    )  # fmt: skip
    services.decide_adjustment(adjustment, actor=district.district, grant=True)
    events = due_calendar.due_events(
        plan, district.district, date(2022, 4, 1), date(2022, 4, 30), date(2023, 1, 1)
    )
    assert [(e.day, e.unit.name, e.adjusted) for e in events] == [
        (date(2022, 4, 15), "西新城", True)
    ]


def test_the_calendar_is_scoped_and_defaults_to_january_of_a_past_plan(district, client):
    plan = district_plan(district)
    client.force_login(district.town_b)
    response = client.get(url("plan_calendar", plan.pk), {"month": "2022-03"})
    units = {
        e.unit.name for d in response.context["day_list"] for i in d["items"] for e in i["events"]
    }
    assert units == {"西新城"}
    response = client.get(url("plan_calendar", plan.pk), {"month": "garbage"})
    assert response.status_code == 200 and response.context["first"] == date(2022, 1, 1)


def test_the_month_grid_starts_on_monday():
    weeks = due_calendar.month_grid(date(2022, 3, 1), {}, date(2022, 3, 9))
    assert weeks[0][0]["day"] == date(2022, 2, 28) and weeks[0][0]["in_month"] is False
    assert weeks[0][1]["day"] == date(2022, 3, 1)
    assert any(d["today"] for w in weeks for d in w)
    assert due_calendar.month_last_day(date(2022, 2, 1)) == date(2022, 2, 28)
    assert due_calendar.add_months(date(2022, 12, 1), 1) == date(2023, 1, 1)
    assert due_calendar.add_months(date(2022, 1, 1), -1) == date(2021, 12, 1)


def test_the_inbox_and_the_calendar_run_a_fixed_number_of_queries(
    district, client, django_assert_max_num_queries
):
    for year in (2022, 2023, 2024):
        district_plan(district, year)
    plan = district_plan(district, 2025)
    client.force_login(district.district)
    client.get(url("inbox"))
    # Session, user, unit; page count and rows; the two counters; the filter choices
    # (the unit picker's path labels read the units with children once: issue #8 §9).
    with django_assert_max_num_queries(13):
        response = client.get(url("inbox"))
    assert len(response.context["rows"]) == 25
    with django_assert_max_num_queries(14):
        response = client.get(url("plan_calendar", plan.pk), {"month": "2025-03"})
    assert response.context["event_count"] == 3 + 2  # Q1 of 三(二)3 (3 units), 四(一) (2)
