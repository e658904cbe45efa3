"""Inbox messages for the plan's workflow (issue #4 §3), through the notifications app.

Who hears what: the issuer's unit hears of submitted reports and adjustment
requests; the responsible unit hears of returns, acceptances, decisions,
leaders' comments and of falling overdue. Keys make each message once only.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xuanpei.notifications.models import Notification, NotificationLevel
from xuanpei.notifications.services import raise_notifications

KIND = "plans"


def message(
    *, unit_id: int, key: str, title: str, body: str = "", url: str = "", level=None, due=None
) -> Notification:
    """One inbox message of the plans workflow (unsaved; `raise_notifications` saves it)."""
    return Notification(
        unit_id=unit_id,
        kind=KIND,
        key=f"plans:{key}",
        level=level or NotificationLevel.INFO,
        title=title[:200],
        body=body,
        url=url,
        due_date=due,
    )


def _send(**fields) -> None:
    raise_notifications([message(**fields)])


def report_event(report, event) -> None:
    """After a submit / return / accept (`event` is the ReportEvent just written)."""
    assignment = report.assignment
    task = assignment.task
    what = f"{task.number} {task.title}"
    if event.action == event.Action.SUBMIT:
        _send(
            unit_id=task.plan.unit_id,
            key=f"report:{event.pk}",
            title=_("%(unit)s 提交了进展报告：%(task)s")
            % {"unit": assignment.unit.name, "task": what},
            url=report.get_absolute_url(),
        )
        return
    returned = event.action == event.Action.RETURN
    _send(
        unit_id=assignment.unit_id,
        key=f"report:{event.pk}",
        title=(_("进展报告被退回：%(task)s") if returned else _("进展报告已验收：%(task)s"))
        % {"task": what},
        body=event.comment,
        url=report.get_absolute_url(),
        level=NotificationLevel.WARNING if returned else NotificationLevel.INFO,
    )


def adjustment_requested(adjustment) -> None:
    assignment = adjustment.assignment
    _send(
        unit_id=assignment.task.plan.unit_id,
        key=f"adjustment:{adjustment.pk}:request",
        title=_("%(unit)s 申请延期：%(task)s")
        % {"unit": assignment.unit.name, "task": assignment.task.title},
        body=adjustment.reason,
        url=assignment.get_absolute_url(),
    )


def adjustment_decided(adjustment) -> None:
    granted = adjustment.status == "granted"
    assignment = adjustment.assignment
    _send(
        unit_id=assignment.unit_id,
        key=f"adjustment:{adjustment.pk}:decision",
        title=(_("延期申请已同意：%(task)s") if granted else _("延期申请未同意：%(task)s"))
        % {"task": assignment.task.title},
        body=adjustment.decision_comment,
        url=assignment.get_absolute_url(),
        level=NotificationLevel.INFO if granted else NotificationLevel.WARNING,
    )


def commented(comment) -> None:
    assignment = comment.assignment
    _send(
        unit_id=assignment.unit_id,
        key=f"comment:{comment.pk}",
        title=_("领导批示：%(task)s") % {"task": assignment.task.title},
        body=comment.text,
        url=assignment.get_absolute_url(),
    )


def overdue_message(assignment, period) -> Notification:
    """Keyed by assignment and period: raised once, whoever sees the lapse first."""
    return message(
        unit_id=assignment.unit_id,
        key=f"overdue:{assignment.pk}:{period.key}",
        title=_("任务已逾期：%(task)s（%(period)s）")
        % {"task": f"{assignment.task.number} {assignment.task.title}", "period": period.label},
        url=assignment.get_absolute_url(),
        level=NotificationLevel.DANGER,
        due=period.due,
    )


def overdue(assignment, period) -> None:
    """Once per overdue period (the daily refresh and the reminders may both see it)."""
    raise_notifications([overdue_message(assignment, period)])
