"""The grid-officer quarterly rule as pure functions (issue #12 §6).

"Each new town holds ≥ 1 grid-officer training per quarter, and every grid
officer attends." No national rule sets this frequency (domain.md §8, [U]):
it is the district's plan parameter, so the number of sessions is an argument
(`min_sessions`, default 1) and so is the alert lead (`alert_months`).

Sessions are plain `(day, attendee_ids)` tuples — one held session of the new
town and the ids of the officers signed in to it; officers are the ids of the
grid officers in post in that quarter (the caller decides who counts).

Conventions:
- quarters are calendar quarters: Q1 = 1 Jan – 31 Mar, Q2 = 1 Apr – 30 Jun,
  Q3 = 1 Jul – 30 Sep, Q4 = 1 Oct – 31 Dec; both end days belong to the quarter;
- a session counts for the quarter of its day, and only once held: on day
  `on`, sessions dated after `on` (planned) do not count, a session dated `on`
  does;
- a quarter is **met** as soon as it has ≥ `min_sessions` held sessions and
  every officer attended one of them (it can turn met before it ends), **in
  progress** while it is not met and `on` is inside it, **not met** once it has
  ended unmet, and **not started** before its first day;
- with no officer in post the attendance half holds trivially, the session
  half still applies;
- the alert ("last month of the quarter") runs from the first day of the
  quarter's last month to its last day while the quarter is not met.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from xuanpei.training.choices import QuarterStatus

GridSession = tuple[date, Iterable[Hashable]]


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; ordered by (year, number)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError(f"quarter number must be 1–4, got {self.number!r}")

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def label(self) -> str:
        return _("%(year)s年第%(n)s季度") % {"year": self.year, "n": self.number}

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def quarter_of(day: date) -> Quarter:
    """The quarter `day` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def first_day(quarter: Quarter) -> date:
    return quarter.first_day


def last_day(quarter: Quarter) -> date:
    return quarter.last_day


def quarters_of_year(year: int) -> tuple[Quarter, ...]:
    return tuple(Quarter(year, n) for n in (1, 2, 3, 4))


def alert_day(quarter: Quarter, *, alert_months: int = 1) -> date:
    """The first day of the quarter's last `alert_months` months (1: 1 Mar, 1 Jun, 1 Sep, 1 Dec)."""
    if not 1 <= alert_months <= 3:
        raise ValueError(f"alert_months must be 1–3, got {alert_months!r}")
    return date(quarter.year, 3 * quarter.number - alert_months + 1, 1)


def held_sessions(
    quarter: Quarter, sessions: Iterable[GridSession], on: date
) -> list[tuple[date, frozenset]]:
    """The sessions of `quarter` already held on day `on`, with their attendees as sets."""
    until = min(quarter.last_day, on)
    return [
        (day, frozenset(attendees))
        for day, attendees in sessions
        if quarter.first_day <= day <= until
    ]


def missed_officers(
    quarter: Quarter, sessions: Iterable[GridSession], officers: Iterable[Hashable], on: date
) -> frozenset:
    """The officers who have attended none of the quarter's sessions held by `on`."""
    attended: set = set()
    for _day, attendees in held_sessions(quarter, sessions, on):
        attended |= attendees
    return frozenset(officers) - attended


def quarter_status(
    quarter: Quarter,
    sessions: Iterable[GridSession],
    officers: Iterable[Hashable],
    on: date,
    *,
    min_sessions: int = 1,
) -> str:
    """Met / in progress / not met / not started for one new town on day `on`."""
    if on < quarter.first_day:
        return QuarterStatus.NOT_STARTED
    sessions = list(sessions)
    held = held_sessions(quarter, sessions, on)
    if len(held) >= min_sessions and not missed_officers(quarter, sessions, officers, on):
        return QuarterStatus.MET
    if on <= quarter.last_day:
        return QuarterStatus.IN_PROGRESS
    return QuarterStatus.NOT_MET


def needs_alert(
    quarter: Quarter,
    sessions: Iterable[GridSession],
    officers: Iterable[Hashable],
    on: date,
    *,
    min_sessions: int = 1,
    alert_months: int = 1,
) -> bool:
    """Alert the new town: `on` is in the quarter's last month(s) and the quarter is not met."""
    if not alert_day(quarter, alert_months=alert_months) <= on <= quarter.last_day:
        return False
    return (
        quarter_status(quarter, sessions, officers, on, min_sessions=min_sessions)
        != QuarterStatus.MET
    )
