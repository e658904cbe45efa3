"""Due dates of a plan's assignments: the calendar's month grid and the inbox's periods.

Every (assignment, period) in the user's scope whose due date — moved by a granted
adjustment — falls in the month, each with its state on the day (accepted,
submitted, returned, in progress, not started, overdue), read in three queries.
"""

from __future__ import annotations

import calendar as cal
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from xuanpei.orgs.models import Unit
from xuanpei.plans import status as status_rules
from xuanpei.plans.choices import AssignmentStatus, ReportStatus
from xuanpei.plans.matrix import (
    ASSIGNMENT_FIELDS,
    assignment_url_maker,
    scoped_assignments,
    status_style,
    unit_sort_key,
)
from xuanpei.plans.models import Task
from xuanpei.plans.periods import Period
from xuanpei.plans.status_bulk import granted_dues, report_facts


@dataclass
class DueEvent:
    day: date
    assignment_id: int
    task: Task
    unit: Unit
    period: Period
    state: dict  # a status style: accepted, submitted, returned, overdue or not started
    adjusted: bool
    url: str


def month_bounds(month: str | None, plan_year: int, today: date) -> date:
    """The first day of ?month=YYYY-MM; by default this month in the plan's year, else January."""
    try:
        year, mon = (int(x) for x in (month or "").split("-"))
        return date(year, mon, 1)
    except ValueError:
        pass
    if today.year == plan_year:
        return today.replace(day=1)
    return date(plan_year, 1, 1)


def add_months(first: date, n: int) -> date:
    index = first.year * 12 + first.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _period_state(period: Period, due: date, facts, today: date) -> str:
    """One period of one assignment on `today`, in the words of the assignment statuses."""
    mine = [f for f in facts if f.period_key == period.key]
    if any(f.closes_period for f in mine):  # accepted and not reopened
        return AssignmentStatus.ACCEPTED
    if due < today:
        return AssignmentStatus.OVERDUE
    filed = [f for f in mine if f.status != ReportStatus.DRAFT]  # as status.py reads them
    latest = filed[-1].status if filed else (ReportStatus.DRAFT if mine else None)
    return {
        ReportStatus.SUBMITTED: AssignmentStatus.SUBMITTED,
        ReportStatus.RETURNED: AssignmentStatus.RETURNED,
        ReportStatus.DRAFT: AssignmentStatus.IN_PROGRESS,
    }.get(latest, AssignmentStatus.NOT_STARTED)


def due_events(plan, user, first: date, last: date, today: date) -> list[DueEvent]:
    """Every (assignment, period) in scope whose due date — adjusted if granted — is in range."""
    assignments = list(
        scoped_assignments(plan, user).select_related("task", "unit").only(*ASSIGNMENT_FIELDS)
    )
    if not assignments:
        return []
    ids = [a.pk for a in assignments]
    facts, overrides = report_facts(ids), granted_dues(ids)
    url = assignment_url_maker()
    periods_of: dict[int, list[Period]] = {}
    events = []
    for a in assignments:
        task = a.task
        task.plan = plan
        if task.pk not in periods_of:
            periods_of[task.pk] = task.periods()
        for period in periods_of[task.pk]:
            due = status_rules.effective_due(period, overrides[a.pk])
            if not first <= due <= last:
                continue
            state = _period_state(period, due, facts[a.pk], today)
            events.append(
                DueEvent(
                    due,
                    a.pk,
                    task,
                    a.unit,
                    period,
                    status_style(state),
                    due != period.due,
                    url(a.pk),
                )
            )
    events.sort(key=lambda e: (e.day, e.task.order, e.task.pk, unit_sort_key(e.unit)))
    return events


def day_summaries(events: list[DueEvent]) -> dict[date, list[dict]]:
    """Per day, one line per task: how many units are due and how many of them are overdue.

    A quarter's end can carry a thousand dues (25 tasks × 45 units); a grid cell
    shows the tasks, the day's list shows the units.
    """
    per_day: dict[date, dict[int, dict]] = defaultdict(dict)
    for e in events:
        line = per_day[e.day].setdefault(
            e.task.pk, {"task": e.task, "count": 0, "states": Counter(), "events": []}
        )
        line["count"] += 1
        line["events"].append(e)
        line["states"][e.state["code"]] += 1
    result = {}
    for day, lines in per_day.items():
        items = []
        for line in lines.values():
            states = line.pop("states")
            worst = next((s for s in WORST_FIRST if states[s]), AssignmentStatus.NOT_STARTED)
            line["state"] = status_style(worst)
            line["overdue"] = states[AssignmentStatus.OVERDUE]
            line["accepted"] = states[AssignmentStatus.ACCEPTED]
            items.append(line)
        result[day] = items
    return result


# The state a grid line takes when its units differ: the one that needs action first.
WORST_FIRST = (
    AssignmentStatus.OVERDUE,
    AssignmentStatus.RETURNED,
    AssignmentStatus.SUBMITTED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.NOT_STARTED,
    AssignmentStatus.ACCEPTED,
)


def month_grid(first: date, summaries: dict[date, list[dict]], today: date) -> list[list[dict]]:
    """Weeks (Monday first, as Chinese calendars print them) of the month starting `first`."""
    weeks = []
    for week in cal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append(
            [
                {
                    "day": d,
                    "in_month": d.month == first.month,
                    "today": d == today,
                    "items": summaries.get(d, []) if d.month == first.month else [],
                }
                for d in week
            ]
        )
    return weeks


def month_last_day(first: date) -> date:
    return add_months(first, 1) - timedelta(days=1)


# The inbox ------------------------------------------------------------------------------


def period_of_due(periods: list[Period], next_due: date | None) -> Period | None:
    """The period an assignment's next due date belongs to (a granted delay moves it later)."""
    if next_due is None:
        return None
    exact = next((p for p in periods if p.due == next_due), None)
    if exact:
        return exact
    earlier = [p for p in periods if p.due <= next_due]
    return earlier[-1] if earlier else (periods[0] if periods else None)
