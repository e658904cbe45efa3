"""What the assignment page shows (issue #4 §3, issue #8): its periods with their state
and reports, its targets' progress, the report cards with the actions each user is
offered, the adjustments — from the services' one reading of the status rules.

Who sees which action is decided here once, from the services:
- the responsible unit (`services.can_report`) writes, edits and submits reports;
- the reviewer (`services.can_review`) reviews reports, decides adjustments, reopens
  done periods and accepts short targets with an exception;
- anyone who may view the assignment reads it and may comment.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.plans import matrix, metrics, services
from xuanpei.plans.choices import AdjustmentStatus, AssignmentStatus, ReportStatus
from xuanpei.plans.forms_reports import AdjustmentDecisionForm, CommentForm, ReviewForm
from xuanpei.plans.models import Adjustment, Assignment, Comment, ProgressReport, ReportEvent
from xuanpei.plans.status import effective_due

REPORT_COLOURS = {
    ReportStatus.DRAFT: "secondary",
    ReportStatus.SUBMITTED: "info",
    ReportStatus.RETURNED: "warning",
    ReportStatus.ACCEPTED: "success",
}
ADJUSTMENT_COLOURS = {
    AdjustmentStatus.PENDING: "warning",
    AdjustmentStatus.GRANTED: "success",
    AdjustmentStatus.REFUSED: "secondary",
}
EVENT_ICONS = {
    ReportEvent.Action.SUBMIT: "send",
    ReportEvent.Action.RETURN: "arrow-return-left",
    ReportEvent.Action.ACCEPT: "check2-circle",
    ReportEvent.Action.REOPEN: "unlock",
}


def badge(label, colour: str) -> dict:
    return {"label": label, "colour": colour}


def scoped_reports(user, assignment: Assignment):
    """The assignment's reports with what a report card shows, newest first."""
    return (
        ProgressReport.objects.for_user(user)
        .filter(assignment=assignment)
        .select_related("submitted_by", "reviewed_by", "created_by")
        .prefetch_related(
            "quantities__target",
            "evidence",
            Prefetch("events", queryset=ReportEvent.objects.select_related("actor")),
        )
        .order_by("-pk")
    )


def decorate_report(report: ProgressReport, *, labels: dict[str, str], can_report: bool,
                    can_manage: bool) -> ProgressReport:  # fmt: skip
    """Attach what the report card needs: badge, period label, the actions offered."""
    report.badge = badge(report.get_status_display(), REPORT_COLOURS[report.status])
    report.label = labels.get(report.period_key, report.period_key)
    report.can_edit = can_report and report.editable
    report.can_review = can_manage and report.status == ReportStatus.SUBMITTED
    if report.can_review:
        report.review_form = ReviewForm(
            initial={"decision": ReviewForm.ACCEPT}, auto_id=f"id_r{report.pk}_%s"
        )
    report.history = [
        {"event": e, "icon": EVENT_ICONS.get(e.action, "dot")} for e in report.events.all()
    ]
    return report


def period_rows(periods, result, overrides, reports, today) -> list[dict]:
    """Each period of the task: its (adjusted) due date, its state and its reports.

    A period takes several reports (issue #8); its state reads like the assignment's:
    done (accepted, not reopened), overdue, else its latest report other than a draft."""
    by_period: dict[str, list[ProgressReport]] = {}
    for report in sorted(reports, key=lambda r: r.pk):
        by_period.setdefault(report.period_key, []).append(report)
    overdue = {p.key for p in result.overdue}
    rows = []
    for period in periods:
        due = effective_due(period, overrides)
        mine = by_period.get(period.key, [])
        filed = [r for r in mine if r.status != ReportStatus.DRAFT]
        latest = filed[-1] if filed else None
        reopened = any(r.reopened_at for r in mine)
        done = period.key in result.accepted
        if done:
            state = badge(AssignmentStatus.ACCEPTED.label, "success")
        elif period.key in overdue:
            state = badge(AssignmentStatus.OVERDUE.label, "danger")
        elif latest is not None and latest.status == ReportStatus.SUBMITTED:
            state = badge(AssignmentStatus.SUBMITTED.label, "info")
        elif latest is not None and latest.status == ReportStatus.RETURNED:
            state = badge(AssignmentStatus.RETURNED.label, "warning")
        elif reopened:
            state = badge(_("已重新打开"), "warning")
        elif mine:
            state = badge(_("草稿"), "secondary")
        elif period.start > today:
            state = badge(_("未到期"), "light")
        else:
            state = badge(_("待填报"), "primary")
        rows.append(
            {
                "period": period,
                "due": due,
                "moved": due != period.due,
                "days_left": (due - today).days,
                "open": not done,
                "done": done,
                "reopened": reopened and not done,
                "state": state,
                "reports": list(reversed(mine)),  # newest first, as the cards below
            }
        )
    return rows


def target_rows(assignment: Assignment, periods, progress) -> list[dict]:
    """Targets with what the accepted reports achieved (`progress`: the status rules' own
    reading, `services.read_assignment`)."""
    targets = {t.pk: t for t in assignment.task.targets.all()}
    return [
        {
            "target": targets[row.target.pk],
            "total": row.total,
            "records_url": metrics.records_url(targets[row.target.pk], assignment, periods),
            "met": row.met,
            "periods_met": row.periods_met,
            "periods": len(periods),
        }
        for row in progress
    ]


def offers_unit_actions(user, assignment: Assignment, can_manage: bool) -> bool:
    """Show the unit's buttons (write, submit, ask for time) to the responsible unit.

    The issuer's scope covers the unit too, so `can_report` holds for it; its page
    offers the review instead, unless the assignment is the issuer's own unit's.
    """
    if not services.can_report(user, assignment):
        return False
    return not can_manage or user.unit_id == assignment.unit_id


def assignment_context(assignment: Assignment, user, **forms) -> dict:
    today = timezone.localdate()
    task = assignment.task
    periods = task.periods()
    labels = {p.key: p.label for p in periods}
    reading = services.read_assignment(assignment, today)
    result, overrides = reading.result, reading.overrides
    can_manage = services.can_review(user, assignment)
    can_report = offers_unit_actions(user, assignment, can_manage)
    reports = [
        decorate_report(r, labels=labels, can_report=can_report, can_manage=can_manage)
        for r in scoped_reports(user, assignment)
    ]
    adjustments = list(
        Adjustment.objects.for_user(user)
        .filter(assignment=assignment)
        .select_related("created_by", "decided_by")
        .order_by("-pk")
    )
    for adj in adjustments:
        adj.badge = badge(adj.get_status_display(), ADJUSTMENT_COLOURS[adj.status])
        adj.label = labels.get(adj.period_key, adj.period_key)
        adj.can_decide = can_manage and adj.status == AdjustmentStatus.PENDING
        if adj.can_decide:
            adj.decision_form = AdjustmentDecisionForm(
                initial={"decision": AdjustmentDecisionForm.GRANT}, auto_id=f"id_a{adj.pk}_%s"
            )
    rows = period_rows(periods, result, overrides, reports, today)
    return {
        "assignment": assignment,
        "task": task,
        "plan": task.plan,
        "status": matrix.status_style(result.status),  # the one legend (matrix, inbox …)
        "result": result,
        "today": today,
        "periods": rows,
        "open_periods": [r for r in rows if r["open"]],
        "can_reopen": can_manage and any(r["done"] for r in rows),
        "can_except": can_manage and result.short,
        "targets": target_rows(assignment, periods, reading.progress),
        "reports": reports,
        "adjustments": adjustments,
        "delays": sum(1 for a in adjustments if a.status == AdjustmentStatus.GRANTED),
        "comments": Comment.objects.for_user(user)
        .filter(assignment=assignment)
        .select_related("author"),
        "lead_units": task.lead_units.all(),
        "cooperating_units": task.cooperating_units.all(),
        "can_report": can_report,
        "can_manage": can_manage,
        "comment_form": forms.get("comment_form") or CommentForm(),
    }


def period_states(assignment: Assignment, periods, result) -> dict[str, str]:
    """A word for each period in the 填报期 choices: 已验收, 已重新打开, 已逾期, 填报中 …"""
    reopened = set(
        assignment.reports.filter(reopened_at__isnull=False).values_list("period_key", flat=True)
    )
    overdue = {p.key for p in result.overdue}
    today = timezone.localdate()
    states = {}
    for p in periods:
        if p.key in result.accepted:
            states[p.key] = _("已验收，可补报新进展")
        elif p.key in overdue:
            states[p.key] = _("已逾期")
        elif p.key in reopened:
            states[p.key] = _("已重新打开")
        elif p.start > today:
            states[p.key] = _("未开始")
        else:
            states[p.key] = _("填报中")
    return states
