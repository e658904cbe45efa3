"""The plan workflow's services: assignments, reviews, adjustments, copies and the inbox."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuanpei.notifications.models import Notification
from xuanpei.plans import services
from xuanpei.plans.choices import AssignmentStatus, PlanStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(district):
    plan = PlanFactory(unit=district.root, year=date.today().year)
    task = TaskFactory(plan=plan, timeframe=Timeframe.ALL_YEAR)
    task.lead_units.set([district.town_a_unit])
    task.cooperating_units.set([district.town_b_unit, district.dept_unit])
    TargetFactory(task=task, name="开展活动", value=3)
    services.sync_assignments(task)
    return task


def test_a_task_splits_into_one_assignment_per_responsible_unit(task, district):
    roles = dict(Assignment.objects.filter(task=task).values_list("unit__name", "role"))
    assert roles == {"东新城": "lead", "西新城": "cooperate", "教育局": "cooperate"}
    task.cooperating_units.set([district.dept_unit])
    services.sync_assignments(task)
    assert set(Assignment.objects.filter(task=task).values_list("unit__name", flat=True)) == {
        "东新城",
        "教育局",
    }


def test_submit_return_resubmit_accept_keeps_the_history_and_tells_the_units(task, district):
    a = task.assignments.get(unit=district.town_a_unit)
    target = task.targets.get()
    report = services.save_report(
        a,
        actor=district.town_a,
        period_key=str(task.plan.year),
        summary="开展3次",
        quantities={target.pk: 3},
    )
    services.submit_report(report, actor=district.town_a)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.SUBMITTED
    assert Notification.objects.filter(unit=district.root, key__startswith="plans:report").exists()
    with pytest.raises(PermissionDenied):
        services.review_report(report, actor=district.town_a, accept=True)
    with pytest.raises(ValidationError):
        services.review_report(report, actor=district.district, accept=False, comment=" ")
    services.review_report(report, actor=district.district, accept=False, comment="请补充照片")
    a.refresh_from_db()
    assert a.status == AssignmentStatus.RETURNED
    assert (
        Notification.objects.get(unit=district.town_a_unit, key__startswith="plans:report").body
        == "请补充照片"
    )
    services.save_report(
        a, actor=district.town_a, period_key=report.period_key, summary="已补充", report=report
    )
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=True)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ACCEPTED
    assert [e.action for e in report.events.order_by("pk")] == [
        "submit",
        "return",
        "submit",
        "accept",
    ]
    assert [(row.target.pk, row.total) for row in services.target_progress(a)] == [(target.pk, 3)]
    with pytest.raises(ValidationError):
        services.save_report(
            a, actor=district.town_a, period_key=report.period_key, summary="改", report=report
        )


def test_a_sibling_town_cannot_report_on_another_towns_assignment(task, district):
    a = task.assignments.get(unit=district.town_a_unit)
    with pytest.raises(PermissionDenied):
        services.save_report(a, actor=district.town_b, period_key=str(task.plan.year), summary="x")


def test_a_granted_adjustment_lifts_the_overdue_status(district):
    plan = PlanFactory(unit=district.root, year=2022)
    task = TaskFactory(plan=plan, timeframe=Timeframe.QUARTERLY)
    task.lead_units.set([district.town_a_unit])
    (a,) = services.sync_assignments(task)
    on = date(2022, 4, 10)
    assert services.refresh_status(a, on).status == AssignmentStatus.OVERDUE
    adj = services.request_adjustment(
        a,
        actor=district.town_a,
        period_key="2022Q1",
        requested_due=date(2022, 4, 30),
        reason="疫情",
    )
    with pytest.raises(ValidationError):
        services.request_adjustment(
            a,
            actor=district.town_a,
            period_key="2022Q1",
            requested_due=date(2022, 5, 30),
            reason="再延",
        )
    services.decide_adjustment(adj, actor=district.district, grant=True, comment="同意")
    assert services.refresh_status(a, on).status == AssignmentStatus.NOT_STARTED
    assert a.next_due == date(2022, 4, 30)


def test_next_years_plan_is_a_draft_copy_with_dates_moved(district):
    plan = PlanFactory(unit=district.root, year=2022, title="2022年计划")
    task = TaskFactory(
        plan=plan,
        timeframe=Timeframe.DATE_RANGE,
        start_date=date(2022, 6, 1),
        end_date=date(2022, 6, 30),
    )
    task.lead_units.set([district.town_a_unit])
    TargetFactory(task=task, name="活动", value=5)
    new = services.copy_plan(plan, year=2023, actor=district.district)
    assert (new.title, new.status, new.copied_from) == ("2023年计划", PlanStatus.DRAFT, plan)
    copied = new.tasks.get()
    assert (copied.start_date, copied.end_date) == (date(2023, 6, 1), date(2023, 6, 30))
    assert list(copied.lead_units.all()) == [district.town_a_unit]
    assert copied.targets.get().value == 5
    with pytest.raises(ValidationError):
        services.copy_plan(plan, year=2023, actor=district.district)
    with pytest.raises(PermissionDenied):
        services.copy_plan(plan, year=2024, actor=district.town_a)


def test_issuing_a_draft_makes_the_assignments(district):
    plan = PlanFactory(unit=district.root, status=PlanStatus.DRAFT)
    task = TaskFactory(plan=plan)
    task.lead_units.set([district.dept_unit])
    services.issue_plan(plan, actor=district.district, on=date(2022, 2, 1))
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.ISSUED
    assert task.assignments.count() == 1


def test_units_that_have_not_sent_their_own_plan_are_listed(task, district):
    PlanFactory(unit=district.town_a_unit, kind="unit", parent=task.plan, status=PlanStatus.ISSUED)
    assert {u.name for u in services.missing_unit_plans(task.plan)} == {"西新城", "教育局"}


def test_a_leaders_comment_reaches_the_unit(task, district):
    a = task.assignments.get(unit=district.dept_unit)
    services.add_comment(a, actor=district.district, text="抓紧落实")
    assert Notification.objects.filter(unit=district.dept_unit, body="抓紧落实").exists()
    with pytest.raises(PermissionDenied):
        services.add_comment(a, actor=district.town_b, text="越权")


def test_the_issuer_reviews_but_does_not_write_a_units_report(task, district):
    a = task.assignments.get(unit=district.town_a_unit)
    assert not services.can_report(district.district, a)
    with pytest.raises(PermissionDenied):
        services.save_report(
            a, actor=district.district, period_key=str(task.plan.year), summary="代填"
        )
    assert not a.reports.exists()


def test_a_period_takes_several_reports_and_a_sent_one_is_not_edited(task, district):
    """Issue #8 (was: "a period has one report, which is edited, not repeated")."""
    a = task.assignments.get(unit=district.town_a_unit)
    period = str(task.plan.year)
    first = services.save_report(a, actor=district.town_a, period_key=period, summary="第一次")
    services.save_report(a, actor=district.town_a, period_key=period, summary="第二次")
    assert a.reports.filter(period_key=period).count() == 2
    services.submit_report(first, actor=district.town_a)
    with pytest.raises(ValidationError) as exc:
        services.save_report(
            a, actor=district.town_a, period_key=period, summary="改", report=first
        )
    assert "如有新进展，请新增一份报告" in str(exc.value)
