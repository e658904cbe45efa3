"""Use cases of the plans app (issue #4): keyword-only, atomic, status changes only here.

Who may do what, beyond the role's grant and the scope (`core.scoping`):
- the issuer of a plan (a user who may change the plan) edits tasks, splits
  them into assignments, reviews reports and decides adjustments;
- a responsible unit (a user who may change the assignment) writes, submits
  and evidences reports and asks for adjustments;
- a user who may view an assignment may comment on it (leaders' 批示).
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.core.concurrency import lock, transition, unique_or
from xuanpei.plans import notify, subassign, year_flags
from xuanpei.plans import status as status_rules
from xuanpei.plans.choices import (
    AdjustmentStatus,
    AssignmentRole,
    PlanKind,
    PlanStatus,
    ReportStatus,
)
from xuanpei.plans.models import (
    Adjustment,
    Assignment,
    Comment,
    Plan,
    PlanSection,
    ProgressReport,
    ReportEvent,
    ReportQuantity,
    Task,
)
from xuanpei.plans.status_bulk import Reading, read_assignments, refresh_statuses

OVERDUE_NOTICE_DAYS = 30

# Permissions ------------------------------------------------------------------------


def can_manage(user, target: Plan | Assignment) -> bool:
    """May `user` edit this plan and act as its issuer (review, decide, split)?

    Given an assignment: may `user` act as its issuer — the plan's, or for a
    sub-assignment the unit that made it (`subassign`), never the units above that.
    `None` is the system (a command run without --user), as for imports."""
    if user is None:
        return True
    if isinstance(target, Assignment):
        if target.parent_id is not None:
            return subassign.manages_sub_assignment(user, target)
        target = target.task.plan
    return Plan.objects.for_user(user, "change").filter(pk=target.pk).exists()


def can_report(user, assignment: Assignment) -> bool:
    """May `user` write reports and requests for this assignment? (`None`: the system.)

    The issuer's scope covers every responsible unit, but the issuer reviews; it does
    not write the units' reports (nor accept its own), unless the assignment is its
    own unit's. Units above the issuer (the district over a new town's sub-assignment)
    neither write nor review them."""
    if user is None:
        return True
    if not Assignment.objects.for_user(user, "change").filter(pk=assignment.pk).exists():
        return False
    return assignment.unit_id == user.unit_id or subassign.below_issuer(user, assignment)


def can_review(user, assignment: Assignment) -> bool:
    """May `user` review this assignment's reports, reopen its periods, accept it with an
    exception and decide its adjustments? The plan's issuer, or for a sub-assignment
    the unit that made it (`can_manage`)."""
    return can_manage(user, assignment)


def reviewable_reports(user, queryset=None):
    """`can_review` as a queryset: the submitted reports `user` may review (the 待审核 queue)."""
    qs = ProgressReport.objects.all() if queryset is None else queryset
    managed = Plan.objects.for_user(user, "change").values("pk")
    return qs.filter(
        pk__in=ProgressReport.objects.for_user(user, "view").values("pk"),
        status=ReportStatus.SUBMITTED,
    ).filter(
        Q(assignment__parent__isnull=True, assignment__task__plan__in=managed)
        | subassign.managed_q(user, "assignment__")  # a sub-assignment: its maker reviews
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您没有权限执行此操作"))


# Status ------------------------------------------------------------------------------


def due_overrides(assignment: Assignment) -> dict[str, date]:
    """Granted adjustments: the latest granted date for each period."""
    moved: dict[str, date] = {}
    for adj in assignment.adjustments.filter(status=AdjustmentStatus.GRANTED).order_by("pk"):
        moved[adj.period_key] = adj.requested_due
    return moved


def compute_status(assignment: Assignment, on: date | None = None) -> status_rules.StatusResult:
    """The assignment's status on `on` (the same reading as the daily refresh)."""
    return read_assignment(assignment, on).result


def read_assignment(assignment: Assignment, on: date | None = None) -> Reading:
    """Status, targets' progress and moved due dates of one assignment on `on` (today)."""
    on = on or timezone.localdate()
    return read_assignments([assignment], on)[assignment.pk]


def refresh_status(assignment: Assignment, on: date | None = None) -> Assignment:
    """Store the computed status on the assignment (lists and the matrix read it)."""
    on = on or timezone.localdate()
    _store_status(assignment, compute_status(assignment, on), on)
    if assignment.parent_id is not None:
        # Its accepted quantities count toward the parent's targets (the roll-up).
        refresh_status(assignment.parent, on)
    return assignment


def _store_status(assignment: Assignment, result: status_rules.StatusResult, on: date) -> None:
    assignment.status = result.status
    assignment.next_due = result.next_due
    assignment.overdue_periods = len(result.overdue)
    assignment.status_on = on
    assignment.save(
        update_fields=["status", "next_due", "overdue_periods", "status_on", "updated_at"]
    )


def refresh_all(on: date | None = None, *, plan: Plan | None = None) -> int:
    """The daily job (`xuanpei plan refresh-status`): periods end at midnight, not on a click.

    Every cached status in a few queries (`status_bulk`, the same rules); the lapses it
    reveals reach the inboxes through `reminders.send_plan_reminders`, run after it."""
    qs = Assignment.objects.all() if plan is None else Assignment.objects.filter(task__plan=plan)
    return refresh_statuses(qs, on)


# Plans and tasks ---------------------------------------------------------------------


@transaction.atomic
def issue_plan(plan: Plan, *, actor, on: date | None = None) -> Plan:
    _require(can_manage(actor, plan))
    lock(plan)  # two clicks on 印发 issue once (issue #9)
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("只有草稿状态的计划可以印发"))
    year_flags.require_reviewed(plan)  # a copy's 〔2022〕3号, 二十大 … (issue #8)
    transition(
        plan,
        from_states=[PlanStatus.DRAFT],
        changes={"status": PlanStatus.ISSUED, "issued_on": on or timezone.localdate()},
        refused=_("只有草稿状态的计划可以印发"),
    )
    for task in plan.tasks.all():
        sync_assignments(task, actor=actor)
    return plan


@transaction.atomic
def close_plan(plan: Plan, *, actor) -> Plan:
    _require(can_manage(actor, plan))
    return transition(
        plan,
        from_states=[PlanStatus.ISSUED],
        changes={"status": PlanStatus.CLOSED},
        refused=_("只有已印发的计划可以结束"),
    )


@transaction.atomic
def sync_assignments(task: Task, *, actor=None) -> list[Assignment]:
    """One assignment per lead and cooperating unit; units taken off lose theirs
    unless something was reported on it (then it stays, and says so in the matrix).

    The task's row is locked: two saves of one task create each assignment once."""
    lock(task)
    wanted = {u.pk: AssignmentRole.COOPERATE for u in task.cooperating_units.all()}
    for unit in task.lead_units.all():
        wanted[unit.pk] = AssignmentRole.LEAD
    # Sub-assignments (a unit's break-down to units below it) are not the issuer's to sync.
    existing = {a.unit_id: a for a in task.assignments.filter(parent__isnull=True)}
    broken_down = dict(task.assignments.filter(parent__isnull=False).values_list("unit_id", "pk"))
    result, created = [], []
    for unit_id, role in wanted.items():
        a = existing.pop(unit_id, None)
        if a is None and unit_id in broken_down:
            # The unit carries the task already through a break-down: naming it directly
            # makes that assignment the plan's own (the issuer now reviews it).
            a = Assignment.objects.get(pk=broken_down[unit_id])
            a.parent, a.role = None, role
            a.save(update_fields=["parent", "role", "updated_at"])
        elif a is None:
            with unique_or(_("该单位已承担此任务")):
                a = Assignment.objects.create(
                    task=task, unit_id=unit_id, role=role, created_by=actor
                )
            created.append(a)
        elif a.role != role:
            a.role = role
            a.save(update_fields=["role", "updated_at"])
        result.append(a)
    if created:
        # Each new assignment's first status, as refresh_status stores it (one save each),
        # read for all of them at once: a new assignment has no parent, reports or
        # children, so none of them reads another. The loader creates hundreds at a time.
        on = timezone.localdate()
        readings = read_assignments(created, on)
        for a in created:
            _store_status(a, readings[a.pk].result, on)
    for stale in existing.values():
        if not (stale.reports.exists() or stale.adjustments.exists() or stale.children.exists()):
            stale.delete()
    return result


@transaction.atomic
def copy_plan(plan: Plan, *, year: int, actor, doc_number: str = "") -> Plan:
    """Next year's plan as a copy of this one (a draft): sections, tasks, targets, units.

    Dates move to the new year; reports, adjustments and comments stay behind. Text
    the copy cannot move (cited 〔2022〕 numbers, 二十大, 疫情防控 …) is flagged for
    review on the copy (`year_flags`); the plan is issued once each flag is cleared.
    """
    _require(can_manage(actor, plan))
    if Plan.objects.filter(kind=plan.kind, unit=plan.unit, year=year).exists():
        raise ValidationError(_("%(y)d年度的计划已存在") % {"y": year})
    shift = year - plan.year

    def moved(text: str) -> str:
        # "2022年…" becomes the new year; a cited document number (〔2022〕3号) does not.
        return re.sub(rf"(?<!〔){plan.year}(?!〕)", str(year), text)

    title = moved(plan.title)
    new = Plan.objects.create(
        kind=plan.kind,
        unit=plan.unit,
        year=year,
        title=title,
        doc_number=doc_number,
        preamble=moved(plan.preamble),
        parent=plan.parent,
        copied_from=plan,
        created_by=actor,
    )
    PlanSection.objects.bulk_create(
        PlanSection(
            plan=new, order=s.order, number=s.number, heading=s.heading, body=moved(s.body),
            created_by=actor,
        )
        for s in plan.sections.all()
    )  # fmt: skip
    for task in plan.tasks.prefetch_related("targets", "lead_units", "cooperating_units"):
        leads, coops = list(task.lead_units.all()), list(task.cooperating_units.all())
        targets = list(task.targets.all())
        task.pk = None
        task._state.adding = True
        task._prefetched_objects_cache = {}  # else .set() would compare with the old task's
        task.plan = new
        task.created_by = actor
        task.title, task.content = moved(task.title), moved(task.content)
        task.start_date = _shift_year(task.start_date, shift)
        task.end_date = _shift_year(task.end_date, shift)
        task.save()
        task.lead_units.set(leads)
        task.cooperating_units.set(coops)
        for t in targets:
            t.pk = None
            t._state.adding = True
            t.task = task
            t.created_by = actor
            t.save()
    new.year_flags = year_flags.scan(new)
    new.save(update_fields=["year_flags", "updated_at"])
    return new


def _shift_year(d: date | None, years: int) -> date | None:
    if d is None:
        return None
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


# Progress reports --------------------------------------------------------------------


def _check_period(assignment: Assignment, period_key: str) -> None:
    if period_key not in {p.key for p in assignment.task.periods()}:
        raise ValidationError({"period_key": _("该任务没有这个填报期")})


@transaction.atomic
def save_report(
    assignment: Assignment,
    *,
    actor,
    period_key: str,
    summary: str,
    quantities: dict[int, object] | None = None,
    report: ProgressReport | None = None,
    request_key: str = "",
) -> ProgressReport:
    """Create a report (a draft) or edit a draft or returned one, with its quantities per
    target pk. A period takes as many reports as the work needs (issue #8): each adds
    progress and is reviewed on its own.

    A create with a `request_key` (the API's Idempotency-Key, the form's hidden key) is
    done once: a retried or doubled request gets the report the first one created,
    unchanged, with `replayed` set on it (issue #9)."""
    _require(can_report(actor, assignment))
    _check_period(assignment, period_key)
    if report is None:
        if request_key:
            earlier = replayed_report(assignment, request_key)
            if earlier is not None:
                return earlier
        report = ProgressReport(
            assignment=assignment,
            created_by=actor,
            period_key=period_key,
            summary=summary,
            request_key=request_key,
        )
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # The twin request inserted it first and has committed (plans_progressreport_
            # one_per_request_key): answer with its report.
            earlier = replayed_report(assignment, request_key)
            if earlier is None:
                raise
            return earlier
        report.replayed = False
    else:
        # Under the row lock: a submit in another tab must not be overwritten by a
        # stale draft (its status saved back to 草稿).
        transition(
            report,
            from_states=EDITABLE,
            changes={"period_key": period_key, "summary": summary},
            refused=_("已提交或已验收的报告不能修改；如有新进展，请新增一份报告"),
        )
    targets = {t.pk: t for t in assignment.task.targets.all()}
    for target_id, value in (quantities or {}).items():
        if target_id not in targets:
            raise ValidationError(_("指标不属于该任务"))
        if targets[target_id].metric and value not in (None, ""):
            # Counted from the records (`plans.metrics`): the unit cannot overwrite it.
            raise ValidationError(
                {
                    "quantities": _("指标“%(name)s”由系统根据台账记录自动统计，不能填报")
                    % {"name": targets[target_id].name}
                }
            )
        if targets[target_id].metric:
            continue
        if value is None or value == "":
            ReportQuantity.objects.filter(report=report, target_id=target_id).delete()
            continue
        ReportQuantity.objects.update_or_create(
            report=report, target_id=target_id, defaults={"value": value, "created_by": actor}
        )
    refresh_status(assignment)
    return report


EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def replayed_report(assignment: Assignment, request_key: str) -> ProgressReport | None:
    """The report an earlier request with this key created on the assignment, if any."""
    if not request_key:
        return None
    report = ProgressReport.objects.filter(assignment=assignment, request_key=request_key).first()
    if report is not None:
        report.replayed = True
    return report


def _event(report: ProgressReport, action: str, actor, comment: str = "") -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report, action=action, actor=actor, comment=comment, created_by=actor
    )
    notify.report_event(report, event)
    return event


@transaction.atomic
def submit_report(report: ProgressReport, *, actor) -> ProgressReport:
    _require(can_report(actor, report.assignment))
    # Once: a second click (another tab, a retried request) waits for the first and is
    # refused, writing no second event or message (issue #9).
    transition(
        report,
        from_states=EDITABLE,
        changes={
            "status": ReportStatus.SUBMITTED,
            "submitted_at": timezone.now(),
            "submitted_by": actor,
        },
        refused=_("该报告已提交，请勿重复提交"),
    )
    _event(report, ReportEvent.Action.SUBMIT, actor)
    refresh_status(report.assignment)
    return report


@transaction.atomic
def review_report(
    report: ProgressReport, *, actor, accept: bool, comment: str = ""
) -> ProgressReport:
    """The issuer accepts a submitted report, or returns it with a comment (required)."""
    _require(can_review(actor, report.assignment))
    if not accept and not comment.strip():
        raise ValidationError({"comment": _("退回时须填写退回意见")})
    transition(  # once: a second reviewer finds it already reviewed (issue #9)
        report,
        from_states=[ReportStatus.SUBMITTED],
        changes={
            "status": ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED,
            "reviewed_at": timezone.now(),
            "reviewed_by": actor,
            "review_comment": comment,
        },
        refused=_("该报告已审核或尚未提交，只能审核已提交的报告"),
    )
    _event(
        report, ReportEvent.Action.ACCEPT if accept else ReportEvent.Action.RETURN, actor, comment
    )
    refresh_status(report.assignment)
    return report


@transaction.atomic
def reopen_period(assignment: Assignment, *, actor, period_key: str, reason: str) -> ProgressReport:
    """The issuer reopens an accepted period: the unit owes more on it (issue #8).

    Its accepted reports keep counting toward the targets but no longer close the
    period; the next accepted report does. The reason is a REOPEN event on the
    period's latest accepted report (its history, the audit log and the unit's
    inbox); an exception acceptance is withdrawn, since the period is open again."""
    _require(can_review(actor, assignment))
    _check_period(assignment, period_key)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写重新打开的理由")})
    lock(assignment)  # a second reopen waits, then finds the period open (issue #9)
    closing = assignment.reports.filter(
        period_key=period_key, status=ReportStatus.ACCEPTED, reopened_at__isnull=True
    ).order_by("pk")
    latest = closing.last()
    if latest is None:
        raise ValidationError({"period_key": _("该填报期尚未验收，无需重新打开")})
    now = timezone.now()
    for report in closing:  # one by one: the audit log records each
        report.reopened_at = now
        report.save(update_fields=["reopened_at", "updated_at"])
    if assignment.has_exception:
        _withdraw_exception(assignment)
    _event(latest, ReportEvent.Action.REOPEN, actor, reason)
    refresh_status(assignment)
    return latest


def _withdraw_exception(assignment: Assignment) -> None:
    assignment.exception_reason, assignment.exception_at, assignment.exception_by = "", None, None
    assignment.save(
        update_fields=["exception_reason", "exception_at", "exception_by", "updated_at"]
    )


@transaction.atomic
def accept_with_exception(assignment: Assignment, *, actor, reason: str) -> Assignment:
    """The issuer accepts an assignment whose targets are not all met, saying why.

    Only once every period is done (accepted and not reopened): the exception
    waives the targets, not the reports. Who, when and why stay on the assignment
    (and in the audit log); the unit hears of it."""
    _require(can_review(actor, assignment))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写例外验收的理由")})
    lock(assignment)  # once, however many clicks (issue #9)
    if assignment.has_exception:
        raise ValidationError(_("该任务已例外验收"))
    result = compute_status(assignment)
    if len(result.accepted) < len(assignment.task.periods()):
        raise ValidationError(_("各填报期均有已验收的报告后，才能例外验收"))
    if result.targets_met:
        raise ValidationError(_("量化目标已全部达成，无需例外验收"))
    assignment.exception_reason = reason.strip()
    assignment.exception_at = timezone.now()
    assignment.exception_by = actor
    assignment.save(
        update_fields=["exception_reason", "exception_at", "exception_by", "updated_at"]
    )
    refresh_status(assignment)
    notify.accepted_with_exception(assignment)
    return assignment


# Adjustments and comments ------------------------------------------------------------


@transaction.atomic
def request_adjustment(
    assignment: Assignment, *, actor, period_key: str, requested_due: date, reason: str
) -> Adjustment:
    _require(can_report(actor, assignment))
    _check_period(assignment, period_key)
    if not reason.strip():
        raise ValidationError({"reason": _("请填写延期理由")})
    lock(assignment)  # the pending check and the insert, one request at a time (issue #9)
    if assignment.adjustments.filter(
        period_key=period_key, status=AdjustmentStatus.PENDING
    ).exists():
        raise ValidationError(_("该填报期已有待审批的延期申请"))
    period = next(p for p in assignment.task.periods() if p.key == period_key)
    current = due_overrides(assignment).get(period_key, period.due)
    if requested_due <= current:
        raise ValidationError(
            {"requested_due": _("申请的截止日期须晚于原截止日期 %(d)s") % {"d": current}}
        )
    with unique_or(_("该填报期已有待审批的延期申请")):  # plans_adjustment_one_pending
        adjustment = Adjustment.objects.create(
            assignment=assignment,
            period_key=period_key,
            current_due=current,
            requested_due=requested_due,
            reason=reason,
            created_by=actor,
        )
    notify.adjustment_requested(adjustment)
    return adjustment


@transaction.atomic
def decide_adjustment(
    adjustment: Adjustment, *, actor, grant: bool, comment: str = ""
) -> Adjustment:
    _require(can_review(actor, adjustment.assignment))
    transition(  # once: a second decision is refused, no second message (issue #9)
        adjustment,
        from_states=[AdjustmentStatus.PENDING],
        changes={
            "status": AdjustmentStatus.GRANTED if grant else AdjustmentStatus.REFUSED,
            "decided_at": timezone.now(),
            "decided_by": actor,
            "decision_comment": comment,
        },
        refused=_("该申请已审批"),
    )
    refresh_status(adjustment.assignment)
    notify.adjustment_decided(adjustment)
    return adjustment


@transaction.atomic
def add_comment(assignment: Assignment, *, actor, text: str) -> Comment:
    if not Assignment.objects.for_user(actor, "view").filter(pk=assignment.pk).exists():
        raise PermissionDenied(_("您没有权限执行此操作"))
    if not text.strip():
        raise ValidationError({"text": _("批示内容不能为空")})
    comment = Comment.objects.create(
        assignment=assignment, author=actor, text=text, created_by=actor
    )
    notify.commented(comment)
    return comment


# Units' own plans (requirement 四(一)) -------------------------------------------------


def expected_unit_plan_units(plan: Plan, user=None):
    """Units that owe their own plan under `plan`: every unit given an assignment —
    those in `user`'s scope when a user is given."""
    from xuanpei.orgs.models import Unit

    units = Unit.objects.filter(pk__in=Assignment.objects.filter(task__plan=plan).values("unit_id"))
    if user is not None:
        units = units.filter(pk__in=Unit.objects.for_user(user).values("pk"))
    return units.order_by("path")


def missing_unit_plans(plan: Plan, user=None):
    """The expected units (in `user`'s scope) that have not submitted their own plan."""
    submitted = Plan.objects.filter(
        parent=plan, kind=PlanKind.UNIT, status__in=(PlanStatus.ISSUED, PlanStatus.CLOSED)
    ).values("unit_id")
    return expected_unit_plan_units(plan, user).exclude(pk__in=submitted)


def target_progress(assignment: Assignment) -> list[status_rules.TargetProgress]:
    """Each target with what the accepted reports achieved (the status rules' reading)."""
    return read_assignment(assignment).progress
