"""Hours per person against the legal minimums, in one module (issue #12 §5).

Pure functions over plain values (`PostSpan`, sessions as `(day, hours)`
tuples) and the table in `minimums.py`, so that the rules are tested case by
case without a database. The numbers are data (`minimums.MINIMUMS`); this module
only decides which row applies, whether it is the initial or the yearly
minimum, and sums the hours.

Sources (domain.md §2): 生产经营单位安全培训规定 (3号令) Art. 9 (主要负责人 and
安全生产管理人员: initial 32 h / yearly 12 h; 高危 48 h / 16 h) and Art. 13 (新上岗
从业人员 24 h; 高危 72 h and 20 h a year); 安委〔2012〕10号 (construction staff
32 h / 20 h; other staff 8 h a year, which 3号令 leaves unset); Art. 17
(moving post, or coming back after ≥1 year away, repeats the 车间/班组 levels of
三级安全教育 — no hours, so it does not restart the initial minimum).

Conventions, where domain.md leaves the choice open:
- **Years are calendar years.** The year in which a post begins is its
  initial year; every later calendar year is a yearly-refresher year. Hours
  credited to a year are the sessions dated in that year (岗前 training held in
  December for a January start counts in December's year).
- **Initial or yearly.** A post beginning in the year owes the initial minimum
  unless an earlier post of the same group already owed an initial minimum at
  least as high — for managers any earlier post of the person (3号令 Art. 9,
  "初次"), for staff only an earlier post at the same employer (Art. 13, "新上岗"
  is new to the unit). A post whose start is unknown counts as held since
  before the year (yearly). A post split into two records is one post.
- **Posts changed mid-year** (domain.md is silent on hours): every post held
  for any part of the year yields its own requirement, and the year requires
  the strictest of them in full — not pro rata. A tie between an initial and a
  yearly requirement of the same hours is reported as initial.
- **Sectors**: 高危 comes from the 行业领域 dictionary's flag
  (`orgs.Sector.high_risk`, domain.md §2 and §9); construction staff follow
  安委〔2012〕10号 (`minimums.CONSTRUCTION_SECTOR_CODES`); every other sector uses
  the general rows (3号令 covers 工矿商贸; domain.md sets nothing lower).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from xuanpei.training.choices import InitialScope, SectorClass, TrainingGroup, TrainingKind
from xuanpei.training.minimums import (
    CONSTRUCTION_SECTOR_CODES,
    MANAGER_POST_TYPES,
    MINIMUMS,
    Minimum,
)

ZERO = Decimal(0)

# Plain values -----------------------------------------------------------------------


@dataclass(frozen=True)
class PostSpan:
    """One post of a person as plain values (a workforce post, a cadre post …).

    `employer` is any hashable key of the unit employing the person (an
    enterprise id); `start`/`end` are inclusive, None meaning unknown / still held.
    """

    group: str
    start: date | None
    end: date | None = None
    high_risk: bool = False
    sector_code: str = ""
    employer: Any = None

    @property
    def sector_class(self) -> str:
        return sector_class(high_risk=self.high_risk, sector_code=self.sector_code)


Session = tuple[date, Any]  # (day, hours credited to the person: int, Decimal, str or float)


@dataclass(frozen=True)
class PostRequirement:
    """What one post held in the year requires."""

    post: PostSpan
    kind: str
    hours: Decimal
    source: str
    minimum: Minimum


@dataclass(frozen=True)
class YearCheck:
    """The answer for one person and one year.

    `kind` is None (and `required` 0) when the person held no post that year.
    `parts` lists every post held that year with its own requirement; the
    year's requirement is the strictest of them.
    """

    year: int
    kind: str | None
    required: Decimal
    credited: Decimal
    shortfall: Decimal
    source: str = ""
    parts: tuple[PostRequirement, ...] = field(default=())

    @property
    def met(self) -> bool:
        return self.shortfall == ZERO


# Table look-ups ----------------------------------------------------------------------


def group_of_post_type(post_type: str) -> str:
    """The training group of a workforce post type code (`workforce.choices.PostTypeCode`)."""
    return TrainingGroup.MANAGER if post_type in MANAGER_POST_TYPES else TrainingGroup.STAFF


def sector_class(*, high_risk: bool, sector_code: str = "") -> str:
    """高危 wins; then construction (安委〔2012〕10号); everything else is general."""
    if high_risk:
        return SectorClass.HIGH_RISK
    if sector_code in CONSTRUCTION_SECTOR_CODES:
        return SectorClass.CONSTRUCTION
    return SectorClass.GENERAL


def minimum_for(group: str, klass: str, table: Sequence[Minimum] = MINIMUMS) -> Minimum:
    """The table row of a group in a sector class; a class without its own row
    for that group (construction managers) uses the group's general row."""
    rows = {(m.group, m.sector_class): m for m in table}
    row = rows.get((group, klass)) or rows.get((group, SectorClass.GENERAL))
    if row is None:
        raise LookupError(f"no training minimum for {group}/{klass}")
    return row


# Rules ----------------------------------------------------------------------------------


def held_in_year(post: PostSpan, year: int) -> bool:
    """The post is held on at least one day of the calendar year (ends inclusive)."""
    return (post.start is None or post.start <= date(year, 12, 31)) and (
        post.end is None or post.end >= date(year, 1, 1)
    )


def is_initial(
    post: PostSpan, year: int, posts: Iterable[PostSpan], table: Sequence[Minimum] = MINIMUMS
) -> bool:
    """Does `post` owe its initial minimum in `year`? (See the module docstring.)"""
    if post.start is None or post.start.year != year:
        return False
    row = minimum_for(post.group, post.sector_class, table)
    for other in posts:
        if other is post or other.group != post.group:
            continue
        if row.initial_scope == InitialScope.EMPLOYER and other.employer != post.employer:
            continue
        began_before = other.start is None or other.start < post.start
        if began_before and (
            minimum_for(other.group, other.sector_class, table).initial_hours >= row.initial_hours
        ):
            return False
    return True


def post_requirement(
    post: PostSpan, year: int, posts: Iterable[PostSpan], table: Sequence[Minimum] = MINIMUMS
) -> PostRequirement:
    """The minimum one post owes in `year` (assumed held that year)."""
    row = minimum_for(post.group, post.sector_class, table)
    if is_initial(post, year, posts, table):
        return PostRequirement(
            post, TrainingKind.INITIAL, row.initial_hours, row.initial_source, row
        )
    return PostRequirement(post, TrainingKind.YEARLY, row.yearly_hours, row.yearly_source, row)


def _hours(value: Any) -> Decimal:
    try:
        hours = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"training hours must be a number, got {value!r}") from None
    if not hours.is_finite() or hours < ZERO:
        raise ValueError(f"training hours must be a finite number ≥ 0, got {value!r}")
    return hours


def credited_hours(sessions: Iterable[Session], year: int) -> Decimal:
    """The hours of the sessions dated in `year` (each already capped by the caller
    at the session's length, issue #12 §3)."""
    return sum((_hours(hours) for day, hours in sessions if day.year == year), ZERO)


def check_year(
    posts: Iterable[PostSpan],
    sessions: Iterable[Session],
    year: int,
    *,
    table: Sequence[Minimum] = MINIMUMS,
) -> YearCheck:
    """For one person and one year: initial or yearly, hours required, credited, shortfall."""
    posts = list(posts)
    credited = credited_hours(sessions, year)
    parts = tuple(post_requirement(p, year, posts, table) for p in posts if held_in_year(p, year))
    if not parts:
        return YearCheck(year, None, ZERO, credited, ZERO)
    strictest = max(parts, key=lambda r: (r.hours, r.kind == TrainingKind.INITIAL))
    return YearCheck(
        year=year,
        kind=strictest.kind,
        required=strictest.hours,
        credited=credited,
        shortfall=max(strictest.hours - credited, ZERO),
        source=strictest.source,
        parts=parts,
    )
