"""Issue #8 §2: reporting follows the work — several reports a period, reopening an
accepted period, accepting with a recorded exception — and the messages name the period.

The case from the issue: 三(一)5, one 全年 period, five brand activities. The year's
first report (3 activities) is accepted; the other two must still be reportable.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from xuanpei.notifications.models import Notification
from xuanpei.plans import reminders, services
from xuanpei.plans.choices import AssignmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment, ProgressReport, ReportEvent
from xuanpei.plans.status_bulk import refresh_statuses

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand(district):
    """三(一)5 of this year for 东新城: one 全年 period, ≥ 5 brand activities."""
    year = timezone.localdate().year
    plan = PlanFactory(unit=district.root, year=year)
    task = TaskFactory(
        plan=plan,
        number="三(一)5",
        title="多措并举开展主题宣传教育活动",
        timeframe=Timeframe.ALL_YEAR,
    )
    TargetFactory(task=task, name="品牌活动", value=Decimal("5"), unit_label="次")
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    return Assignment.objects.get(task=task, unit=district.town_a_unit)


def accepted_report(assignment, district, n, summary="开展品牌活动"):
    target = assignment.task.targets.get()
    report = services.save_report(
        assignment,
        actor=district.town_a,
        period_key=assignment.task.periods()[0].key,
        summary=summary,
        quantities={target.pk: n},
    )
    services.submit_report(report, actor=district.town_a)
    return services.review_report(report, actor=district.district, accept=True)


def status(assignment) -> str:
    assignment.refresh_from_db()
    return assignment.status


def test_after_the_year_is_accepted_the_unmet_targets_can_still_be_reported(brand, district):
    accepted_report(brand, district, 3, "防灾减灾宣传周、安全生产月、119消防宣传月")
    # The period is done, the target (3 of 5) is not: not accepted, the work goes on.
    assert status(brand) == AssignmentStatus.IN_PROGRESS
    result = services.compute_status(brand)
    assert result.short and not result.targets_met
    assert result.next_due == date(brand.task.plan.year, 12, 31)

    second = accepted_report(brand, district, 2, "全国交通安全日、《安全生产法》宣传周")
    assert second.period_key == str(brand.task.plan.year)
    assert brand.reports.filter(status=ReportStatus.ACCEPTED).count() == 2
    assert [row.total for row in services.target_progress(brand)] == [Decimal("5")]
    assert status(brand) == AssignmentStatus.ACCEPTED


def test_a_new_report_in_a_done_period_is_submitted_for_review(brand, district):
    accepted_report(brand, district, 3)
    report = services.save_report(
        brand, actor=district.town_a, period_key=str(brand.task.plan.year), summary="又两场"
    )
    services.submit_report(report, actor=district.town_a)
    assert status(brand) == AssignmentStatus.SUBMITTED


def test_targets_still_short_after_the_year_make_it_overdue_and_the_unit_hears_it(brand, district):
    accepted_report(brand, district, 3)
    next_year = date(brand.task.plan.year + 1, 1, 5)
    result = services.compute_status(brand, next_year)
    assert result.status == AssignmentStatus.OVERDUE
    assert [p.key for p in result.overdue] == [str(brand.task.plan.year)]
    refresh_statuses(Assignment.objects.filter(pk=brand.pk), next_year)
    assert status(brand) == AssignmentStatus.OVERDUE
    reminders.send_plan_reminders(next_year, email=False)
    titles = list(
        Notification.objects.filter(unit=district.town_a_unit, key__contains="overdue").values_list(
            "title", flat=True
        )
    )
    assert titles == [
        f"任务已逾期：三(一)5 · {brand.task.plan.year}年全年（多措并举开展主题宣传教育活动）"
    ]


def test_the_issuer_reopens_an_accepted_period_with_a_reason(brand, district):
    target = brand.task.targets.get()
    target.value = Decimal("3")
    target.save()
    report = accepted_report(brand, district, 3)
    assert status(brand) == AssignmentStatus.ACCEPTED
    period = str(brand.task.plan.year)

    with pytest.raises(PermissionDenied):
        services.reopen_period(brand, actor=district.town_a, period_key=period, reason="自己")
    with pytest.raises(ValidationError):
        services.reopen_period(brand, actor=district.district, period_key=period, reason=" ")
    services.reopen_period(
        brand, actor=district.district, period_key=period, reason="请补报宣传周照片和总结"
    )

    report.refresh_from_db()
    assert report.reopened_at is not None and report.status == ReportStatus.ACCEPTED
    assert status(brand) != AssignmentStatus.ACCEPTED
    event = report.events.order_by("pk").last()
    assert (event.action, event.actor, event.comment) == (
        ReportEvent.Action.REOPEN,
        district.district,
        "请补报宣传周照片和总结",
    )
    assert LogEntry.objects.get_for_object(report).filter(changes__icontains="reopened_at")
    note = Notification.objects.get(unit=district.town_a_unit, key=f"plans:report:{event.pk}")
    assert (
        note.title
        == f"填报期已重新打开，请继续报送：三(一)5 · {period}年全年（多措并举开展主题宣传教育活动）"
    )
    assert note.body == "请补报宣传周照片和总结"
    # Still counted toward the targets; the next accepted report closes the period again.
    assert [row.total for row in services.target_progress(brand)] == [Decimal("3")]
    with pytest.raises(ValidationError):  # nothing accepted and not reopened: nothing to reopen
        services.reopen_period(brand, actor=district.district, period_key=period, reason="再")
    accepted_report(brand, district, 1, "补报照片和总结")
    assert status(brand) == AssignmentStatus.ACCEPTED


def test_the_issuer_accepts_short_targets_with_a_recorded_exception(brand, district):
    with pytest.raises(ValidationError) as exc:  # no period done yet
        services.accept_with_exception(brand, actor=district.district, reason="疫情影响")
    assert "各填报期均有已验收的报告后" in str(exc.value)
    accepted_report(brand, district, 4)
    with pytest.raises(PermissionDenied):
        services.accept_with_exception(brand, actor=district.town_a, reason="自己验收")
    with pytest.raises(ValidationError):
        services.accept_with_exception(brand, actor=district.district, reason="")

    services.accept_with_exception(
        brand, actor=district.district, reason="119消防宣传月因疫情防控取消，其余已完成"
    )
    brand.refresh_from_db()
    assert brand.status == AssignmentStatus.ACCEPTED
    assert brand.exception_by == district.district and brand.exception_at is not None
    assert brand.exception_reason == "119消防宣传月因疫情防控取消，其余已完成"
    assert LogEntry.objects.get_for_object(brand).filter(changes__icontains="exception_reason")
    note = Notification.objects.get(unit=district.town_a_unit, key__startswith="plans:exception")
    assert note.title.startswith("任务已例外验收：三(一)5") and "疫情防控取消" in note.body
    with pytest.raises(ValidationError):
        services.accept_with_exception(brand, actor=district.district, reason="再来一次")

    # Reopening the period withdraws the exception: the period owes more again.
    services.reopen_period(
        brand, actor=district.district, period_key=str(brand.task.plan.year), reason="补报"
    )
    brand.refresh_from_db()
    assert not brand.has_exception and brand.status != AssignmentStatus.ACCEPTED


def test_met_targets_need_no_exception(brand, district):
    accepted_report(brand, district, 5)
    with pytest.raises(ValidationError) as exc:
        services.accept_with_exception(brand, actor=district.district, reason="无")
    assert "无需例外验收" in str(exc.value)


def test_every_report_and_reminder_message_names_the_task_number_and_the_period(district):
    year = timezone.localdate().year
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=year),
        number="三(二)3",
        title="网格员培训",
        timeframe=Timeframe.QUARTERLY,
    )
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    a = task.assignments.get()
    q2 = task.periods()[1]
    report = services.save_report(a, actor=district.town_a, period_key=q2.key, summary="二季度")
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=False, comment="补签到表")
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=True)
    services.request_adjustment(
        a,
        actor=district.town_a,
        period_key=task.periods()[2].key,
        requested_due=date(year, 10, 31),
        reason="汛期",
    )
    titles = list(Notification.objects.order_by("pk").values_list("title", flat=True))
    expected = f"三(二)3 · {year}年第二季度（网格员培训）"
    assert titles == [
        f"东新城 提交了进展报告：{expected}",
        f"进展报告被退回：{expected}",
        f"东新城 提交了进展报告：{expected}",
        f"进展报告已验收：{expected}",
        f"东新城 申请延期：三(二)3 · {year}年第三季度（网格员培训）",
    ]
    Notification.objects.all().delete()
    services.refresh_all(date(year, 3, 26))
    reminders.send_plan_reminders(date(year, 3, 26), email=False)
    (soon,) = Notification.objects.values_list("title", flat=True)
    assert soon == f"任务即将到期（还有 5 天）：三(二)3 · {year}年第一季度（网格员培训）"


def test_a_reopened_period_is_reminded_again(district):
    year = timezone.localdate().year
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=year), timeframe="quarterly")
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    a = task.assignments.get()
    q1 = task.periods()[0]
    report = services.save_report(a, actor=district.town_a, period_key=q1.key, summary="一季度")
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=True)
    on = date(year, 3, 26)
    services.refresh_all(on)
    assert reminders.send_plan_reminders(on, email=False).due_soon == 0
    services.reopen_period(a, actor=district.district, period_key=q1.key, reason="补报")
    services.refresh_all(on)
    assert reminders.send_plan_reminders(on, email=False).due_soon == 1


def test_the_daily_refresh_agrees_with_the_one_by_one_status(brand, district):
    accepted_report(brand, district, 3)
    other = ProgressReport.objects.create(
        assignment=brand, period_key=str(brand.task.plan.year), summary="草稿"
    )
    assert other.status == ReportStatus.DRAFT
    for on in (date(brand.task.plan.year, 6, 1), date(brand.task.plan.year + 1, 2, 1)):
        refresh_statuses(Assignment.objects.filter(pk=brand.pk), on)
        brand.refresh_from_db()
        expected = services.compute_status(brand, on)
        assert (brand.status, brand.next_due, brand.overdue_periods) == (
            expected.status,
            expected.next_due,
            len(expected.overdue),
        )
