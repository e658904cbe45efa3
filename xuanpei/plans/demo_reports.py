"""Routine progress reports of the demo plans, written in bulk (`demo.py` tells the story).

Hundreds of units report on hundreds of periods; going through the services for
each would make `seed-demo` slow, so the routine ones — accepted, submitted or
draft reports with their quantities and history — are inserted in a few
statements, dated inside their periods. The story's turns (returns, late
submissions, adjustments, comments) go through `services`, and `status_bulk.refresh_statuses`
computes every status at the end.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from xuanpei.plans.choices import Comparator, ReportStatus, TaskKind
from xuanpei.plans.models import Assignment, ProgressReport, ReportEvent, ReportQuantity
from xuanpei.plans.periods import Period

RETURN_COMMENTS = (
    "佐证材料不全，请补充活动照片和签到表后重新提交。",
    "完成数量与附件不一致，请核实后重新填报。",
    "请补充活动覆盖的企业（社区）名单。",
)


@dataclass
class Routine:
    """One report to insert: `status` draft, submitted or accepted."""

    assignment: Assignment
    period: Period
    status: str
    returned_once: bool = False  # accepted after one return (the history shows it)


def moment(day: date, rng: random.Random) -> datetime:
    """A working-hours time on `day`, in the project's time zone."""
    return timezone.make_aware(datetime.combine(day, time(9 + rng.randrange(8), rng.randrange(60))))


def summary(assignment: Assignment, period: Period, rng: random.Random) -> str:
    task, unit = assignment.task, assignment.unit
    if task.kind == TaskKind.TRAINING:
        return (
            f"{period.label}，{unit.name}开展“{task.title}”{rng.randint(1, 4)}期，"
            f"参训{rng.randint(30, 400)}人次，培训通知、签到表和现场照片见附件。"
        )
    if task.kind == TaskKind.PUBLICITY:
        return (
            f"{period.label}，{unit.name}围绕“{task.title}”开展宣传活动{rng.randint(2, 12)}场，"
            f"发放宣传资料{rng.randint(200, 3000)}份，相关报道和照片见附件。"
        )
    return f"{period.label}，{unit.name}已落实“{task.title}”要求，相关制度文件和工作记录见附件。"


def quantity(target, rng: random.Random) -> Decimal:
    """An achieved value: usually meets the target, now and then just short of a rate."""
    if target.comparator == Comparator.EXACTLY:
        if target.unit_label == "%" and rng.random() < 0.15:
            return Decimal(rng.choice(("96.5", "98.2", "99.1")))
        return target.value
    return target.value + rng.randint(0, 5 if target.per_period else 10)


class BulkReports:
    """Collects routine reports, then writes them with their quantities and events."""

    def __init__(self, rng: random.Random, *, today: date, reporter, reviewer):
        self.rng = rng
        self.today = today
        self.reporter = reporter  # unit → user
        self.reviewer = reviewer
        self.items: list[Routine] = []

    def add(self, assignment, period, status, *, returned_once=False) -> None:
        self.items.append(Routine(assignment, period, status, returned_once))

    def _dates(self, period: Period) -> tuple[date, date]:
        """(submitted, reviewed): shortly before the period's end, never after today."""
        end = min(period.due, self.today)
        start = min(max(period.start, end - timedelta(days=20)), end)
        submitted = start + timedelta(days=self.rng.randrange((end - start).days + 1))
        reviewed = min(submitted + timedelta(days=self.rng.randint(1, 6)), self.today)
        return submitted, reviewed

    def write(self) -> int:
        rng, reports, stamps, events, quantities = self.rng, [], [], [], []
        for item in self.items:
            a = item.assignment
            user = self.reporter(a.unit)
            submitted, reviewed = self._dates(item.period)
            r = ProgressReport(
                assignment=a,
                period_key=item.period.key,
                summary=summary(a, item.period, rng),
                status=item.status,
                created_by=user,
            )
            created = moment(submitted - timedelta(days=rng.randint(0, 3)), rng)
            changed = created
            if item.status != ReportStatus.DRAFT:
                r.submitted_at, r.submitted_by = moment(submitted, rng), user
                changed = r.submitted_at
                if item.returned_once:
                    back = r.submitted_at - timedelta(days=rng.randint(3, 8))
                    created = min(created, back - timedelta(days=3))
                    events += [
                        (r, ReportEvent.Action.SUBMIT, user, "", back - timedelta(days=2)),
                        (r, ReportEvent.Action.RETURN, self.reviewer, RETURN_COMMENTS[0], back),
                    ]
                events.append((r, ReportEvent.Action.SUBMIT, user, "", r.submitted_at))
            if item.status == ReportStatus.ACCEPTED:
                r.reviewed_at, r.reviewed_by = moment(reviewed, rng), self.reviewer
                r.reviewed_at = changed = max(r.reviewed_at, r.submitted_at)
                events.append((r, ReportEvent.Action.ACCEPT, self.reviewer, "", r.reviewed_at))
            reports.append(r)
            stamps.append((created, changed))
            quantities += [(r, t) for t in a.task.targets.all()]
        ProgressReport.objects.bulk_create(reports, batch_size=500)
        for r, (created, changed) in zip(reports, stamps, strict=True):
            # auto_now(_add) stamped them today; date them in their period.
            r.created_at, r.updated_at = created, changed
        ProgressReport.objects.bulk_update(reports, ["created_at", "updated_at"], batch_size=500)
        ReportQuantity.objects.bulk_create(
            [
                ReportQuantity(report=r, target=t, value=quantity(t, rng), created_by=r.created_by)
                for r, t in quantities
            ],
            batch_size=1000,
        )
        rows = ReportEvent.objects.bulk_create(
            [
                ReportEvent(report=r, action=act, actor=u, comment=c, created_by=u)
                for r, act, u, c, _at in events
            ],
            batch_size=1000,
        )
        for row, (*_rest, at) in zip(rows, events, strict=True):
            row.created_at = row.updated_at = at
        ReportEvent.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=1000)
        return len(reports)
