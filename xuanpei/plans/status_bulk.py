"""`services.refresh_status` for many assignments at once — the same rules, a few queries.

`refresh_status` reads one assignment's reports and granted adjustments and saves
it: three queries per assignment. After a bulk load (the demo's year of reports)
every assignment needs it; this reads the reports and adjustments of all of them
in two queries and writes the cached fields with one `bulk_update` per batch. A
test checks it against `services.compute_status`, assignment by assignment.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.utils import timezone

from xuanpei.plans import status as status_rules
from xuanpei.plans.choices import AdjustmentStatus
from xuanpei.plans.models import Adjustment, Assignment, ProgressReport

FIELDS = ["status", "next_due", "overdue_periods", "status_on", "updated_at"]


def refresh_statuses(assignments, on: date | None = None, *, batch_size: int = 500) -> int:
    """Store each assignment's status as of `on` (default today); returns how many."""
    on = on or timezone.localdate()
    rows = list(assignments.select_related("task__plan"))
    ids = [a.pk for a in rows]
    facts: dict[int, list[status_rules.ReportFact]] = defaultdict(list)
    for assignment_id, key, state, pk in ProgressReport.objects.filter(
        assignment_id__in=ids
    ).values_list("assignment_id", "period_key", "status", "pk"):
        facts[assignment_id].append(status_rules.ReportFact(key, state, pk))
    moved: dict[int, dict[str, date]] = defaultdict(dict)
    for assignment_id, key, due in (
        Adjustment.objects.filter(assignment_id__in=ids, status=AdjustmentStatus.GRANTED)
        .order_by("pk")
        .values_list("assignment_id", "period_key", "requested_due")
    ):
        moved[assignment_id][key] = due  # the latest granted date wins, as in due_overrides
    periods: dict[int, list] = {}
    now = timezone.now()
    for a in rows:
        if a.task_id not in periods:
            periods[a.task_id] = a.task.periods()
        result = status_rules.assignment_status(periods[a.task_id], facts[a.pk], on, moved[a.pk])
        a.status, a.next_due = result.status, result.next_due
        a.overdue_periods, a.status_on, a.updated_at = len(result.overdue), on, now
    Assignment.objects.bulk_update(rows, FIELDS, batch_size=batch_size)
    return len(rows)
