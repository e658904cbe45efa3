"""Themed days as rules (domain.md §6): a rule and a year give the occurrence's dates.

Pure (no database): `occurrence(spec, year)` answers for any year; `spec_errors(spec)`
says what makes a rule unusable, in Chinese, naming the field. The rules themselves are
data (`ThemedDayRule` rows, seeded by a migration), because they have changed before
(6.16 was the second Sunday of June until 2013; 10.13 the second Wednesday of October
until 2008).

全国中小学生安全教育日 is "the Monday of the last week of March" (国家教委等, 1996):
the Monday of the week (Monday–Sunday) that holds 31 March, which is always the last
Monday of March — 2022-03-28, 2023-03-27, 2024-03-25, 2025-03-31 (see the test table
for sources). It is stored as `NTH_WEEKDAY` month 3, weekday Monday, nth −1 (last).
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta

from xuanpei.publicity.choices import COMPUTED_KINDS, RuleKind

# A leap year: a day is valid in a rule when it exists in every year (not 29 February).
_COMMON_YEAR = 2023


@dataclass(frozen=True)
class RuleSpec:
    """What a rule says about its dates; fields a kind does not use stay None."""

    kind: str
    month: int | None = None
    day: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    weekday: int | None = None  # 0 = Monday … 6 = Sunday
    nth: int | None = None  # 1…4, or -1 for the last one of the month
    since_year: int | None = None  # first year held (None: always)
    until_year: int | None = None  # last year held under this rule (None: still)


def is_computed(kind: str) -> bool:
    return kind in COMPUTED_KINDS


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The `nth` `weekday` of the month (nth −1: the last one); None when there is no 5th."""
    days = _cal.monthrange(year, month)[1]
    if nth == -1:
        last = date(year, month, days)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    return day if day.month == month else None


def held_in(spec: RuleSpec, year: int) -> bool:
    if spec.since_year is not None and year < spec.since_year:
        return False
    return spec.until_year is None or year <= spec.until_year


def occurrence(spec: RuleSpec, year: int) -> tuple[date, date] | None:
    """(first day, last day) of the rule's occurrence in `year`, or None.

    None when the rule gives no dates by itself (by notice, seasonal, local: entered
    each year), when the rule is not held that year (before `since_year`, after
    `until_year`) or when its parameters are incomplete (`spec_errors` says why).
    """
    if not is_computed(spec.kind) or not held_in(spec, year) or spec_errors(spec):
        return None
    if spec.kind == RuleKind.FIXED_DAY:
        day = date(year, spec.month, spec.day)
        return day, day
    if spec.kind == RuleKind.MONTH:
        return date(year, spec.month, 1), date(
            year, spec.month, _cal.monthrange(year, spec.month)[1]
        )
    if spec.kind == RuleKind.FIXED_RANGE:
        return date(year, spec.month, spec.day), date(year, spec.end_month, spec.end_day)
    day = nth_weekday(year, spec.month, spec.weekday, spec.nth)
    return (day, day) if day else None


def _valid_day(month, day) -> bool:
    if month is None or day is None or not 1 <= month <= 12:
        return False
    return 1 <= day <= _cal.monthrange(_COMMON_YEAR, month)[1]


def spec_errors(spec: RuleSpec) -> dict[str, str]:
    """{field: Chinese reason} for what the kind needs and the spec lacks or gets wrong."""
    errors: dict[str, str] = {}
    kind = spec.kind
    if kind in COMPUTED_KINDS and (spec.month is None or not 1 <= spec.month <= 12):
        errors["month"] = "请填写 1—12 之间的月份"
    fixed = kind in (RuleKind.FIXED_DAY, RuleKind.FIXED_RANGE)
    if fixed and "month" not in errors and not _valid_day(spec.month, spec.day):
        errors["day"] = "该月没有这一天（2月29日并非每年都有，不能作为固定日期）"
    if kind == RuleKind.FIXED_RANGE:
        if not _valid_day(spec.end_month, spec.end_day):
            errors["end_day"] = "请填写有效的结束月、日（2月29日除外）"
        elif not errors and (spec.end_month, spec.end_day) < (spec.month, spec.day):
            errors["end_day"] = "结束日期早于开始日期（固定时段不能跨年）"
    if kind == RuleKind.NTH_WEEKDAY:
        if spec.weekday is None or not 0 <= spec.weekday <= 6:
            errors["weekday"] = "请选择星期几"
        if spec.nth not in (1, 2, 3, 4, -1):
            errors["nth"] = "请选择第几个（第一至第四个，或最后一个）"
    if (
        spec.since_year is not None
        and spec.until_year is not None
        and spec.until_year < spec.since_year
    ):
        errors["until_year"] = "停止年份早于起始年份"
    return errors


def describe(spec: RuleSpec) -> str:
    """The rule in words, e.g. 每年6月16日, 每年3月最后一个星期一, 每年按通知确定."""
    from xuanpei.publicity.choices import Nth, Weekday

    if spec_errors(spec) and is_computed(spec.kind):
        return "规则不完整"
    if spec.kind == RuleKind.FIXED_DAY:
        return f"每年{spec.month}月{spec.day}日"
    if spec.kind == RuleKind.MONTH:
        return f"每年{spec.month}月（整月）"
    if spec.kind == RuleKind.FIXED_RANGE:
        return f"每年{spec.month}月{spec.day}日—{spec.end_month}月{spec.end_day}日"
    if spec.kind == RuleKind.NTH_WEEKDAY:
        return f"每年{spec.month}月{Nth(spec.nth).label}{Weekday(spec.weekday).label}"
    if spec.kind == RuleKind.BY_NOTICE:
        return "每年按通知确定日期"
    if spec.kind == RuleKind.SEASONAL:
        return "每年由区里确定时段"
    return "本地活动，日期由发布单位确定"
