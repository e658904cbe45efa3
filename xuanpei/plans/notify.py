"""Inbox messages for the plan's workflow (issue #4 §3), through the notifications app.

Who hears what: the issuer's unit hears of submitted reports and adjustment
requests; the responsible unit hears of returns, acceptances, reopened periods,
exception acceptances, decisions, leaders' comments and of falling overdue. Keys
make each message once only. Every title names the task by its number and, where
there is one, the period ("三(一)5 · 2022年第二季度"): a unit with a task a quarter
must tell the messages apart (issue #8).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from xuanpei.notifications.models import Notification, NotificationLevel
from xuanpei.notifications.services import raise_notifications
from xuanpei.plans.periods import period_by_key

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


def reviewer_unit_id(assignment) -> int:
    """Who hears of submissions and requests: the plan's issuer, or for a sub-assignment
    the unit that made it (issue #8)."""
    from xuanpei.plans.subassign import issuer_unit_id

    return issuer_unit_id(assignment)


def subject(assignment, period_key: str | None = None, period=None) -> str:
    """ "三(一)5 · 2022年第二季度（多措并举开展主题宣传教育活动）" — what a message is about."""
    task = assignment.task
    if period is None and period_key:
        period = period_by_key(task.periods(), period_key)
    label = period.label if period is not None else period_key
    head = f"{task.number} · {label}" if label else task.number
    return f"{head}（{task.title}）"


def report_event(report, event) -> None:
    """After a submit / return / accept / reopen (`event` is the ReportEvent just written)."""
    assignment = report.assignment
    what = subject(assignment, report.period_key)
    if event.action == event.Action.SUBMIT:
        _send(
            unit_id=reviewer_unit_id(assignment),
            key=f"report:{event.pk}",
            title=_("%(unit)s 提交了进展报告：%(what)s")
            % {"unit": assignment.unit.name, "what": what},
            url=report.get_absolute_url(),
        )
        return
    titles = {
        event.Action.RETURN: (_("进展报告被退回：%(what)s"), NotificationLevel.WARNING),
        event.Action.ACCEPT: (_("进展报告已验收：%(what)s"), NotificationLevel.INFO),
        event.Action.REOPEN: (
            _("填报期已重新打开，请继续报送：%(what)s"),
            NotificationLevel.WARNING,
        ),
    }
    title, level = titles[event.action]
    _send(
        unit_id=assignment.unit_id,
        key=f"report:{event.pk}",
        title=title % {"what": what},
        body=event.comment,
        url=assignment.get_absolute_url()
        if event.action == event.Action.REOPEN
        else report.get_absolute_url(),
        level=level,
    )


def accepted_with_exception(assignment) -> None:
    _send(
        unit_id=assignment.unit_id,
        key=f"exception:{assignment.pk}:{assignment.exception_at.isoformat()}",
        title=_("任务已例外验收：%(what)s") % {"what": subject(assignment)},
        body=assignment.exception_reason,
        url=assignment.get_absolute_url(),
    )


def adjustment_requested(adjustment) -> None:
    assignment = adjustment.assignment
    _send(
        unit_id=reviewer_unit_id(assignment),
        key=f"adjustment:{adjustment.pk}:request",
        title=_("%(unit)s 申请延期：%(what)s")
        % {"unit": assignment.unit.name, "what": subject(assignment, adjustment.period_key)},
        body=adjustment.reason,
        url=assignment.get_absolute_url(),
    )


def adjustment_decided(adjustment) -> None:
    granted = adjustment.status == "granted"
    assignment = adjustment.assignment
    _send(
        unit_id=assignment.unit_id,
        key=f"adjustment:{adjustment.pk}:decision",
        title=(_("延期申请已同意：%(what)s") if granted else _("延期申请未同意：%(what)s"))
        % {"what": subject(assignment, adjustment.period_key)},
        body=adjustment.decision_comment,
        url=assignment.get_absolute_url(),
        level=NotificationLevel.INFO if granted else NotificationLevel.WARNING,
    )


def commented(comment) -> None:
    assignment = comment.assignment
    _send(
        unit_id=assignment.unit_id,
        key=f"comment:{comment.pk}",
        title=_("领导批示：%(what)s") % {"what": subject(assignment)},
        body=comment.text,
        url=assignment.get_absolute_url(),
    )


def overdue_message(assignment, period) -> Notification:
    """Keyed by assignment and period: raised once, whoever sees the lapse first."""
    return message(
        unit_id=assignment.unit_id,
        key=f"overdue:{assignment.pk}:{period.key}",
        title=_("任务已逾期：%(what)s") % {"what": subject(assignment, period=period)},
        url=assignment.get_absolute_url(),
        level=NotificationLevel.DANGER,
        due=period.due,
    )


def overdue(assignment, period) -> None:
    """Once per overdue period (the daily refresh and the reminders may both see it)."""
    raise_notifications([overdue_message(assignment, period)])
