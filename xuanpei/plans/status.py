"""An assignment's status on a day, from its periods and its reports — pure.

Issue #4 §3: not started / in progress / submitted / returned / accepted /
overdue. Overdue wins: a period whose (possibly adjusted) due date has passed
without an accepted report makes the assignment overdue — a quarterly task is
overdue for the quarter that ended without one. Otherwise the period in course
decides: its latest report submitted, returned or still a draft; with no report
for it, "in progress" once anything was reported, else "not started". When
every period is accepted the assignment is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from xuanpei.plans.choices import AssignmentStatus, ReportStatus
from xuanpei.plans.periods import Period, current_period


@dataclass(frozen=True)
class ReportFact:
    period_key: str
    status: str
    order: int = 0  # later reports have a higher order (their pk)


@dataclass
class StatusResult:
    status: str
    overdue: list[Period] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    next_due: date | None = None


def effective_due(period: Period, due_overrides: Mapping[str, date]) -> date:
    return due_overrides.get(period.key, period.due)


def assignment_status(
    periods: list[Period],
    reports: Iterable[ReportFact],
    on: date,
    due_overrides: Mapping[str, date] | None = None,
) -> StatusResult:
    overrides = due_overrides or {}
    latest: dict[str, ReportFact] = {}
    accepted: set[str] = set()
    any_report = False
    for fact in sorted(reports, key=lambda r: r.order):
        any_report = True
        latest[fact.period_key] = fact
        if fact.status == ReportStatus.ACCEPTED:
            accepted.add(fact.period_key)
    overdue = [p for p in periods if p.key not in accepted and effective_due(p, overrides) < on]
    open_periods = [p for p in periods if p.key not in accepted]
    next_due = min((effective_due(p, overrides) for p in open_periods), default=None)
    done = [p.key for p in periods if p.key in accepted]
    if overdue:
        return StatusResult(AssignmentStatus.OVERDUE, overdue, done, next_due)
    if not open_periods:
        return StatusResult(AssignmentStatus.ACCEPTED, [], done, None)
    current = current_period(open_periods, on) or open_periods[0]
    fact = latest.get(current.key)
    if fact is not None and fact.status == ReportStatus.SUBMITTED:
        status = AssignmentStatus.SUBMITTED
    elif fact is not None and fact.status == ReportStatus.RETURNED:
        status = AssignmentStatus.RETURNED
    elif any_report:
        status = AssignmentStatus.IN_PROGRESS
    else:
        status = AssignmentStatus.NOT_STARTED
    return StatusResult(status, [], done, next_due)
