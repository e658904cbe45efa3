"""Reporting periods of a task's timeframe — pure functions, no database.

A task's timeframe (issue #4 §2) decides which periods a unit reports on and
when each is due: the whole year (due 31 December unless the task names a
date), a date range (due on its last day), each quarter (due on the quarter's
last day) or each month. A granted adjustment moves one period's due date
(`status.py` takes the moved dates as `due_overrides`).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from xuanpei.plans.choices import Timeframe

QUARTER_NAMES = ("一", "二", "三", "四")


@dataclass(frozen=True)
class Period:
    key: str  # "2022", "2022Q1", "2022-03", "2022R" — what a report names
    label: str
    start: date
    due: date  # the last day to report on it (before any adjustment)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.due


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def periods(
    timeframe: str,
    year: int,
    *,
    start: date | None = None,
    end: date | None = None,
    due: date | None = None,
) -> list[Period]:
    """The periods of `year` for `timeframe`; `start`/`end` bound a date range."""
    if timeframe == Timeframe.QUARTERLY:
        return [
            Period(
                f"{year}Q{q}",
                _("%(y)d年第%(q)s季度") % {"y": year, "q": QUARTER_NAMES[q - 1]},
                date(year, 3 * q - 2, 1),
                _month_end(year, 3 * q),
            )
            for q in range(1, 5)
        ]
    if timeframe == Timeframe.MONTHLY:
        return [
            Period(
                f"{year}-{m:02d}",
                _("%(y)d年%(m)d月") % {"y": year, "m": m},
                date(year, m, 1),
                _month_end(year, m),
            )
            for m in range(1, 13)
        ]
    if timeframe == Timeframe.DATE_RANGE and start and end:
        label = _("%(a)s至%(b)s") % {"a": _cn_date(start), "b": _cn_date(end)}
        return [Period(f"{year}R", label, start, due or end)]
    return [
        Period(
            str(year), _("%(y)d年全年") % {"y": year}, date(year, 1, 1), due or date(year, 12, 31)
        )
    ]


def _cn_date(d: date) -> str:
    return f"{d.month}月{d.day}日"


def period_by_key(items: list[Period], key: str) -> Period | None:
    return next((p for p in items if p.key == key), None)


def current_period(items: list[Period], on: date) -> Period | None:
    """The period `on` falls in; before the first, the first; after the last, None."""
    for p in items:
        if on <= p.due:
            return p
    return None
