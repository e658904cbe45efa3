"""Plan reminders (issue #4 §6): assignments due within 7 days and overdue ones reach each
responsible unit's inbox, and its unit admins by e-mail when SMTP is configured.

Run daily after the status refresh (`xuanpei plan refresh-status` does both). Each
message is raised once (its key names the assignment, the period and the due date), so
running twice a day, or after a missed day, repeats nothing. Only plans in force
(issued) remind; reports already submitted or accepted for the period silence it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.notifications import services as inbox
from xuanpei.notifications.models import NotificationLevel
from xuanpei.plans import notify
from xuanpei.plans.choices import AssignmentStatus, PlanStatus, ReportStatus
from xuanpei.plans.models import Assignment, ProgressReport
from xuanpei.plans.periods import current_period

# How far ahead "due soon" looks (issue #4 §6); the inbox's "7日内到期" filter uses it too.
DUE_SOON_DAYS = 7


@dataclass
class PlanReminderResult:
    due_soon: int = 0
    overdue: int = 0
    created: int = 0
    emailed: int = 0


def in_force():
    """Assignments of the plans in force (issued)."""
    return Assignment.objects.filter(task__plan__status=PlanStatus.ISSUED).select_related(
        "task__plan", "unit"
    )


def _handled(assignment_ids) -> set[tuple[int, str]]:
    """(assignment, period) pairs with a report with the reviewer, or accepted and not
    reopened (a reopened period owes more, so it is reminded again)."""
    silent = Q(status=ReportStatus.SUBMITTED) | Q(
        status=ReportStatus.ACCEPTED, reopened_at__isnull=True
    )
    return set(
        ProgressReport.objects.filter(silent, assignment_id__in=assignment_ids)
        .values_list("assignment_id", "period_key")
        .distinct()
    )


def _due_soon(on: date, result: PlanReminderResult):
    soon = (
        in_force()
        .filter(next_due__gte=on, next_due__lte=on + timedelta(days=DUE_SOON_DAYS))
        .exclude(status__in=(AssignmentStatus.ACCEPTED, AssignmentStatus.OVERDUE))
    )
    rows = list(soon)
    handled = _handled([a.pk for a in rows])
    for a in rows:
        period = current_period(a.task.periods(), on)
        if period is None or (a.pk, period.key) in handled:
            continue
        days = (a.next_due - on).days
        result.due_soon += 1
        yield notify.message(
            unit_id=a.unit_id,
            key=f"due:{a.pk}:{period.key}:{a.next_due.isoformat()}",
            level=NotificationLevel.WARNING,
            title=_("任务即将到期（%(when)s）：%(what)s")
            % {
                "what": notify.subject(a, period=period),
                "when": _("今天到期") if days == 0 else _("还有 %(n)d 天") % {"n": days},
            },
            url=a.get_absolute_url(),
            due=a.next_due,
        )


def _overdue(on: date, result: PlanReminderResult):
    from xuanpei.plans.services import compute_status

    for a in in_force().filter(status=AssignmentStatus.OVERDUE).prefetch_related("adjustments"):
        for period in compute_status(a, on).overdue:
            result.overdue += 1
            yield notify.overdue_message(a, period)


def inbox_counts(user, on: date | None = None) -> dict[str, int]:
    """The home dashboard's card, in one query: the user's assignments in force, those
    overdue and those due within 7 days."""
    on = on or timezone.localdate()
    mine = in_force().filter(pk__in=Assignment.objects.for_user(user, "view").values("pk"))
    soon = Q(next_due__gte=on, next_due__lte=on + timedelta(days=DUE_SOON_DAYS)) & ~Q(
        status__in=(AssignmentStatus.ACCEPTED, AssignmentStatus.OVERDUE)
    )
    return mine.aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(status=AssignmentStatus.OVERDUE)),
        due_soon=Count("pk", filter=soon),
    )


def send_plan_reminders(on: date | None = None, *, email: bool = True) -> PlanReminderResult:
    """Raise today's due-soon and overdue messages (idempotent) and e-mail the new ones."""
    on = on or timezone.localdate()
    result = PlanReminderResult()
    created = inbox.raise_notifications(_due_soon(on, result))
    created += inbox.raise_notifications(_overdue(on, result))
    result.created = len(created)
    if email and created:
        result.emailed = inbox.email_notifications(
            [n.key for n in created], subject=_("【宣培通】计划任务到期提醒")
        )
    return result
