"""Assignment statuses for many assignments at once — the rules of `status.py`, a few queries.

The one place that reads what the status rules need from the database: reports
(with their reopened flag), granted adjustments, targets and the accepted
quantities — one query each for any number of assignments. `services.compute_status`
(one assignment), the daily refresh, the dashboard's overdue list and the calendar
all read through it, so they cannot disagree. `refresh_statuses` then writes the
cached fields with one `bulk_update` per batch.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from xuanpei.plans import metrics
from xuanpei.plans import status as status_rules
from xuanpei.plans.choices import AdjustmentStatus, ReportStatus
from xuanpei.plans.models import Adjustment, Assignment, ProgressReport, ReportQuantity, Target

FIELDS = ["status", "next_due", "overdue_periods", "status_on", "updated_at"]


def report_facts(assignment_ids) -> dict[int, list[status_rules.ReportFact]]:
    """Reports of these assignments as status facts, oldest first: one query."""
    facts: dict[int, list[status_rules.ReportFact]] = defaultdict(list)
    for assignment_id, key, state, pk, reopened in (
        ProgressReport.objects.filter(assignment_id__in=assignment_ids)
        .order_by("pk")
        .values_list("assignment_id", "period_key", "status", "pk", "reopened_at")
    ):
        facts[assignment_id].append(
            status_rules.ReportFact(key, state, pk, reopened=reopened is not None)
        )
    return facts


def granted_dues(assignment_ids) -> dict[int, dict[str, date]]:
    """Granted adjustments: the latest granted due date per assignment and period, one query."""
    moved: dict[int, dict[str, date]] = defaultdict(dict)
    for assignment_id, key, due in (
        Adjustment.objects.filter(assignment_id__in=assignment_ids, status=AdjustmentStatus.GRANTED)
        .order_by("pk")
        .values_list("assignment_id", "period_key", "requested_due")
    ):
        moved[assignment_id][key] = due
    return moved


def target_facts(task_ids) -> dict[int, list[status_rules.TargetFact]]:
    """The targets of these tasks, in their order: one query."""
    targets: dict[int, list[status_rules.TargetFact]] = defaultdict(list)
    for t in Target.objects.filter(task_id__in=task_ids).order_by("task_id", "order", "pk"):
        targets[t.task_id].append(t.fact)
    return targets


def quantity_facts(
    assignment_ids, *, rows=None, targets=None
) -> dict[int, list[status_rules.QuantityFact]]:
    """The quantities of the accepted reports (reopened ones included): one query, plus
    one per level of sub-assignments — whose accepted quantities count toward every
    assignment above them (the roll-up, `subassign.rollup_owners`).

    A computed target (`Target.metric`) takes no typed quantity: its facts are the
    metric over each period of the assignment's unit subtree (`metrics.computed_facts`,
    one query per metric and task). `rows` (the assignments, with their task and plan)
    and `targets` (task id → its targets) spare the queries that find them."""
    from xuanpei.plans.subassign import rollup_owners

    owners = rollup_owners(assignment_ids)
    quantities: dict[int, list[status_rules.QuantityFact]] = defaultdict(list)
    for assignment_id, key, target_id, value, report_id in (
        ReportQuantity.objects.filter(
            report__assignment_id__in=list(owners),
            report__status=ReportStatus.ACCEPTED,
            target__metric="",
        )
        .order_by("report_id", "pk")
        .values_list(
            "report__assignment_id", "report__period_key", "target_id", "value", "report_id"
        )
    ):
        fact = status_rules.QuantityFact(key, target_id, value, report_id)
        for owner in owners[assignment_id]:
            quantities[owner].append(fact)
    if rows is None or targets is None:
        rows = list(
            Assignment.objects.filter(pk__in=list(assignment_ids), task__targets__metric__gt="")
            .distinct()
            .select_related("task__plan", "unit")
        )
        targets = defaultdict(list)
        if rows:
            for t in Target.objects.filter(task_id__in={a.task_id for a in rows}):
                targets[t.task_id].append(t.fact)
    for pk, facts in metrics.computed_facts(rows, targets).items():
        quantities[pk].extend(facts)
    return quantities


@dataclass
class Reading:
    """What the rules read of one assignment on a day: its status, its targets' progress
    and the due dates moved by granted adjustments (the assignment page shows all three)."""

    result: status_rules.StatusResult
    progress: list[status_rules.TargetProgress]
    overrides: dict[str, date]


def read_assignments(rows, on: date) -> dict[int, Reading]:
    """Each assignment in `rows` (loaded with their task and plan) on `on`: four queries."""
    ids = [a.pk for a in rows]
    facts, moved = report_facts(ids), granted_dues(ids)
    targets = target_facts({a.task_id for a in rows})
    quantities = quantity_facts(ids, rows=rows, targets=targets)
    periods: dict[int, list] = {}
    readings = {}
    for a in rows:
        if a.task_id not in periods:
            periods[a.task_id] = a.task.periods()
        keys = [p.key for p in periods[a.task_id]]
        progress = status_rules.target_progress(targets[a.task_id], quantities[a.pk], keys)
        result = status_rules.assignment_status(
            periods[a.task_id],
            facts[a.pk],
            on,
            moved[a.pk],
            targets_met=all(row.met for row in progress),
            exception=a.exception_at is not None,
        )
        readings[a.pk] = Reading(result, progress, moved[a.pk])
    return readings


def compute_statuses(rows, on: date) -> dict[int, status_rules.StatusResult]:
    """The status of each assignment in `rows` (loaded with their task and plan) on `on`."""
    return {pk: reading.result for pk, reading in read_assignments(rows, on).items()}


def refresh_statuses(assignments, on: date | None = None, *, batch_size: int = 500) -> int:
    """Store each assignment's status as of `on` (default today); returns how many."""
    on = on or timezone.localdate()
    rows = list(assignments.select_related("task__plan"))
    results = compute_statuses(rows, on)
    now = timezone.now()
    for a in rows:
        result = results[a.pk]
        a.status, a.next_due = result.status, result.next_due
        a.overdue_periods, a.status_on, a.updated_at = len(result.overdue), on, now
    Assignment.objects.bulk_update(rows, FIELDS, batch_size=batch_size)
    return len(rows)
