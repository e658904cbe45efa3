"""Training reminders (issue #12), run daily by `xuanpei send_reminders`.

`send_training_reminders(on)` raises every training reminder of the day through the
notifications inbox (idempotent by key) and e-mails the new ones. Each source is a
function `(on) -> iterable of unsaved Notification` in `REMINDERS`; add a source there
(e.g. accident training obligations, issue #12 §7) and it is raised, counted and mailed
with the others.

Grid officers (§6): in the last month of a quarter (`quarters.needs_alert`: 1 Mar–31 Mar,
1 Jun–30 Jun, …) each new town that has not met the quarter gets one message, keyed
`training:grid-quarter:<unit pk>:<year>Q<n>` — running every day of that month raises it
once; a new town that meets the quarter meanwhile is not reminded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.notifications import services as inbox
from xuanpei.notifications.models import Notification, NotificationLevel
from xuanpei.training import grid
from xuanpei.training import quarters as rule
from xuanpei.training.obligations import obligation_reminders

KIND = "training"


def grid_quarter_key(unit_pk: int, quarter: rule.Quarter) -> str:
    return f"training:grid-quarter:{unit_pk}:{quarter}"


def grid_quarter_reminders(on: date) -> Iterable[Notification]:
    """Each new town whose quarter is not met, in the quarter's last month."""
    quarter = rule.quarter_of(on)
    if on < rule.alert_day(quarter):
        return
    target = grid.grid_target(quarter.year)
    min_sessions = grid.min_sessions_of(target)
    towns = list(grid.new_towns())
    sessions, officers = grid.load(towns, quarter.first_day, quarter.last_day)
    for town in towns:
        cell = grid.cell(
            town, quarter, sessions[town.pk], officers[town.pk], on, min_sessions=min_sessions
        )
        if not rule.needs_alert(
            quarter,
            [(s.day, s.attendees) for s in cell.sessions],
            [o.person_id for o in cell.owed],
            on,
            min_sessions=min_sessions,
        ):
            continue
        days = (quarter.last_day - on).days
        yield Notification(
            unit_id=town.pk,
            kind=KIND,
            key=grid_quarter_key(town.pk, quarter),
            level=NotificationLevel.WARNING,
            title=_("%(quarter)s网格员培训尚未达标，距季度末还有 %(n)d 天")
            % {"quarter": quarter.label(), "n": days},
            body=_(
                "%(quarter)s（%(first)s—%(last)s）本新城已举办网格员培训 %(held)d 次（要求至少 "
                "%(min)d 次），应参训网格员 %(owed)d 人，尚有 %(missed)d 人未参训。"
                "请在季度结束前组织培训并完成签到。"
            )
            % {
                "quarter": quarter.label(),
                "first": quarter.first_day.isoformat(),
                "last": quarter.last_day.isoformat(),
                "held": len(cell.sessions),
                "min": min_sessions,
                "owed": len(cell.owed),
                "missed": len(cell.missed),
            },
            url=reverse("training:grid_cell", args=[town.pk, quarter.year, quarter.number]),
            due_date=quarter.last_day,
        )


# The sources of training reminders, raised in this order. Add yours here.
REMINDERS: list[Callable[[date], Iterable[Notification]]] = [
    grid_quarter_reminders,
    obligation_reminders,  # post-accident training obligations (§7)
]


@dataclass
class TrainingReminderResult:
    raised: dict[str, int] = field(default_factory=dict)  # source → messages due today
    created: int = 0
    emailed: int = 0

    def as_dict(self) -> dict:
        return {"raised": dict(self.raised), "created": self.created, "emailed": self.emailed}


def send_training_reminders(
    on: date | None = None, *, email: bool = True
) -> TrainingReminderResult:
    """Raise today's training reminders (idempotent by key) and e-mail the new ones."""
    on = on or timezone.localdate()
    result = TrainingReminderResult()
    created: list[Notification] = []
    for source in REMINDERS:
        due = list(source(on))
        result.raised[source.__name__] = len(due)
        created += inbox.raise_notifications(due)
    result.created = len(created)
    if email and created:
        result.emailed = inbox.email_notifications(
            [n.key for n in created], subject=_("【宣培通】培训提醒")
        )
    return result
