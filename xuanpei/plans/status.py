"""An assignment's status on a day, from its periods, reports and targets — pure.

Issue #4 §3, with issue #8's rules for work that does not fit one report a period:

- A unit may report on a period as often as the work needs; each report is
  reviewed on its own. A period is **done** when it has an accepted report that
  the issuer has not reopened since (`ReportFact.reopened`).
- Quantities of every accepted report add up toward the targets — per period for
  a per-period target, over the year otherwise. A rate (unit "%") is not a count:
  the latest accepted value stands (`target_progress`).
- The assignment is **accepted** when every period is done and its targets are
  met, or the issuer accepted it with a recorded exception.

Otherwise: overdue wins — a period whose (possibly adjusted) due date has passed
without being done, or, once every period is done, the last period's due date
passed with the targets short and no exception. Else the period in course (the
first not done; the last one when all are done but targets are short) decides:
its latest report other than a draft submitted or returned; anything reported →
in progress; else not started.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from xuanpei.plans.choices import AssignmentStatus, Comparator, ReportStatus
from xuanpei.plans.periods import Period, current_period

RATE_LABEL = "%"


@dataclass(frozen=True)
class ReportFact:
    period_key: str
    status: str
    order: int = 0  # later reports have a higher order (their pk)
    reopened: bool = False  # accepted, then its period was reopened by the issuer

    @property
    def closes_period(self) -> bool:
        return self.status == ReportStatus.ACCEPTED and not self.reopened


@dataclass(frozen=True)
class TargetFact:
    pk: int
    comparator: str
    value: Decimal
    per_period: bool = False
    rate: bool = False  # a percentage: the latest accepted value counts, not a sum
    metric: str = ""  # computed from records (`plans.metrics`), not typed


@dataclass(frozen=True)
class QuantityFact:
    """One target's quantity in one accepted report (`order`: the report's pk)."""

    period_key: str
    target_id: int
    value: Decimal
    order: int = 0


@dataclass
class TargetProgress:
    target: TargetFact
    total: Decimal | None  # the year's sum (a rate: the latest value); None: nothing accepted
    by_period: dict[str, Decimal] = field(default_factory=dict)
    met: bool = False

    @property
    def periods_met(self) -> int:
        return sum(1 for v in self.by_period.values() if meets(self.target, v))


@dataclass
class StatusResult:
    status: str
    overdue: list[Period] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)  # keys of the periods done
    next_due: date | None = None
    targets_met: bool = True
    exception: bool = False
    short: bool = False  # every period done but the targets are not met (and no exception)


def effective_due(period: Period, due_overrides: Mapping[str, date]) -> date:
    return due_overrides.get(period.key, period.due)


def meets(target: TargetFact, achieved) -> bool:
    """Whether `achieved` meets the target (nothing reported never does)."""
    if achieved is None:
        return False
    if target.comparator == Comparator.AT_LEAST:
        return achieved >= target.value
    if target.comparator == Comparator.AT_MOST:
        return achieved <= target.value
    return achieved == target.value


def _combine(target: TargetFact, quantities: list[QuantityFact]) -> Decimal | None:
    if not quantities:
        return None
    if target.rate:
        return max(quantities, key=lambda q: q.order).value
    return sum((q.value for q in quantities), Decimal(0))


def target_progress(
    targets: Iterable[TargetFact], quantities: Iterable[QuantityFact], period_keys: list[str]
) -> list[TargetProgress]:
    """Each target with what the accepted reports achieved, and whether it is met."""
    quantities = list(quantities)
    rows = []
    for target in targets:
        mine = [q for q in quantities if q.target_id == target.pk]
        row = TargetProgress(target, _combine(target, mine))
        for key in period_keys:
            value = _combine(target, [q for q in mine if q.period_key == key])
            if value is not None:
                row.by_period[key] = value
        if target.per_period:
            row.met = all(meets(target, row.by_period.get(k)) for k in period_keys)
        else:
            row.met = meets(target, row.total)
        rows.append(row)
    return rows


def targets_met(
    targets: Iterable[TargetFact], quantities: Iterable[QuantityFact], period_keys: list[str]
) -> bool:
    return all(row.met for row in target_progress(targets, quantities, period_keys))


def assignment_status(
    periods: list[Period],
    reports: Iterable[ReportFact],
    on: date,
    due_overrides: Mapping[str, date] | None = None,
    *,
    targets_met: bool = True,
    exception: bool = False,
) -> StatusResult:
    overrides = due_overrides or {}
    latest: dict[str, ReportFact] = {}
    done_keys: set[str] = set()
    any_report = False
    for fact in sorted(reports, key=lambda r: r.order):
        any_report = True
        if fact.status != ReportStatus.DRAFT:
            latest[fact.period_key] = fact
        if fact.closes_period:
            done_keys.add(fact.period_key)
    done = [p.key for p in periods if p.key in done_keys]
    open_periods = [p for p in periods if p.key not in done_keys]
    overdue = [p for p in open_periods if effective_due(p, overrides) < on]
    next_due = min((effective_due(p, overrides) for p in open_periods), default=None)
    result = StatusResult(AssignmentStatus.OVERDUE, overdue, done, next_due, targets_met, exception)
    if overdue:
        return result
    if not open_periods:
        if targets_met or exception or not periods:
            result.status, result.next_due = AssignmentStatus.ACCEPTED, None
            return result
        # Every period done, targets short: the work goes on in the last period.
        last = periods[-1]
        result.short, result.next_due = True, effective_due(last, overrides)
        if result.next_due < on:
            result.overdue = [last]
            return result
        current = last
    else:
        current = current_period(open_periods, on) or open_periods[0]
    fact = latest.get(current.key)
    if fact is not None and fact.status == ReportStatus.SUBMITTED:
        result.status = AssignmentStatus.SUBMITTED
    elif fact is not None and fact.status == ReportStatus.RETURNED:
        result.status = AssignmentStatus.RETURNED
    elif any_report:
        result.status = AssignmentStatus.IN_PROGRESS
    else:
        result.status = AssignmentStatus.NOT_STARTED
    return result
