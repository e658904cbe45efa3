"""The grid-officer quarter × new-town matrix (issue #12 §6): the query layer over `quarters`.

For a year, each 新城 (`UnitKind.NEW_TOWN`) and each quarter, `quarters.quarter_status`
fed by:

- the new town's **held** grid-officer sessions: `TrainingSession.kind` grid_officer,
  status held or archived, organised by the new town or any unit below it; the local
  date of `starts_at` (Asia/Shanghai) decides the quarter (31 Mar 23:30 is Q1,
  1 Apr 00:10 is Q2);
- the **grid officers** of the quarter: `UnitPost` role grid_officer at the new town or
  below it, whose start/end dates overlap the quarter; and their attendances.

Who owes the quarter's training (the caller's choice `quarters` leaves open): an officer
in post on the day of at least one of the quarter's held sessions. One who left before
the quarter's only session could not attend it and is not counted missing; one who was
in post on a session's day and attended none is. Before any session is held every
officer of the quarter is still owed it (and listed as not trained yet).

The number of sessions per quarter (`min_sessions`) is the plan's parameter: the value
of a target of the task whose metric is `training.grid_sessions` ("网格员培训 ≥ N 次/季度"),
default 1 when no task carries one.

Four queries for the whole matrix whatever the number of new towns (new towns, sessions,
attendances, posts), plus one for the plan's parameter.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.training import quarters as rule
from xuanpei.training.choices import QuarterStatus
from xuanpei.training.metrics import GRID_SESSIONS as GRID_METRIC
from xuanpei.training.models import Attendance, TrainingSession, UnitPost

DONE = (TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED)
DEFAULT_MIN_SESSIONS = 1


@dataclass(frozen=True)
class GridSession:
    pk: int
    title: str
    day: date  # the local date of starts_at
    attendees: frozenset[int]  # person ids


@dataclass(frozen=True)
class Officer:
    person_id: int
    name: str
    unit_name: str
    start: date | None
    end: date | None

    def in_post_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, first: date, last: date) -> bool:
        return (self.start is None or self.start <= last) and (
            self.end is None or first <= self.end
        )


@dataclass
class Cell:
    unit: Unit
    quarter: rule.Quarter
    status: str
    sessions: list[GridSession]  # the quarter's held sessions (up to `on`)
    officers: list[Officer]  # in post during the quarter
    owed: list[Officer]  # who owe the training (see the module docstring)
    missed: list[Officer]  # owed, attended none of the sessions
    min_sessions: int

    @property
    def label(self) -> str:
        return QuarterStatus(self.status).label

    @property
    def attended(self) -> list[Officer]:
        missed = {o.person_id for o in self.missed}
        return [o for o in self.owed if o.person_id not in missed]


@dataclass
class Row:
    unit: Unit
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Matrix:
    year: int
    on: date
    min_sessions: int
    target: object | None  # the plan target the parameter came from, if any
    quarters: tuple[rule.Quarter, ...]
    rows: list[Row]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(QuarterStatus.values, 0)
        for row in self.rows:
            for cell in row.cells:
                out[cell.status] += 1
        return out


def local_day(moment: datetime) -> date:
    """The date of an aware datetime in the project's time zone (Asia/Shanghai)."""
    return timezone.localtime(moment).date()


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def new_towns(user=None):
    """The new towns `user` may see (all of them without a user: the reminder job)."""
    queryset = Unit.objects.for_user(user) if user is not None else Unit.objects.all()
    return queryset.filter(kind=UnitKind.NEW_TOWN).order_by("path")


def grid_target(year: int, *, task=None, user=None):
    """The plan target that sets "≥ N grid-officer trainings per quarter": the given task's
    target with the grid metric, else the year's published one (the highest plan's
    first); None."""
    from xuanpei.plans.models import Target

    queryset = Target.objects.for_user(user) if user is not None else Target.objects.all()
    queryset = queryset.filter(metric=GRID_METRIC).select_related("task__plan__unit")
    if task is not None:
        queryset = queryset.filter(task=task)
    else:  # the year's published plans only: a draft's parameter is not in force yet
        queryset = queryset.filter(Target.shared_q(), task__plan__year=year)
    return queryset.order_by(
        "task__plan__unit__depth", "task__plan_id", "task__order", "pk"
    ).first()


def min_sessions_of(target) -> int:
    """The target's value as a whole number of sessions (at least 1)."""
    if target is None:
        return DEFAULT_MIN_SESSIONS
    return max(1, math.ceil(Decimal(target.value)))


def _subtree_q(prefix: str, units) -> Q:
    return reduce(or_, (Q(**{f"{prefix}path__startswith": u.path}) for u in units))


def _owner(path: str, units: list[Unit]) -> Unit | None:
    for unit in units:
        if path.startswith(unit.path):
            return unit
    return None


def load(units: list[Unit], first: date, last: date, *, user=None):
    """Each new town's held grid sessions and officers between two days (inclusive):
    three queries whatever the number of towns."""
    sessions_by_town: dict[int, list[GridSession]] = defaultdict(list)
    officers_by_town: dict[int, list[Officer]] = defaultdict(list)
    if not units:
        return sessions_by_town, officers_by_town
    sessions = TrainingSession.objects.for_user(user) if user else TrainingSession.objects.all()
    rows = list(
        sessions.filter(
            _subtree_q("unit__", units),
            kind=TrainingSession.Kind.GRID_OFFICER,
            status__in=DONE,
            starts_at__gte=_local_midnight(first),
            starts_at__lt=_local_midnight(last + timedelta(days=1)),
        )
        .order_by("starts_at", "pk")
        .values_list("pk", "title", "starts_at", "unit__path")
    )
    attendees: dict[int, set[int]] = defaultdict(set)
    if rows:
        attendance = Attendance.objects.for_user(user) if user else Attendance.objects.all()
        for session_id, person_id in attendance.filter(
            session_id__in=[r[0] for r in rows]
        ).values_list("session_id", "person_id"):
            attendees[session_id].add(person_id)
    for pk, title, starts_at, path in rows:
        town = _owner(path, units)
        if town is not None:
            sessions_by_town[town.pk].append(
                GridSession(pk, title, local_day(starts_at), frozenset(attendees[pk]))
            )
    posts = UnitPost.objects.for_user(user) if user else UnitPost.objects.all()
    for person_id, name, unit_name, path, start, end in (
        posts.filter(_subtree_q("unit__", units), role=UnitPost.Role.GRID_OFFICER)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=last))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by("person__name", "person_id", "pk")
        .values_list(
            "person_id", "person__name", "unit__name", "unit__path", "start_date", "end_date"
        )
    ):
        town = _owner(path, units)
        if town is not None:
            officers_by_town[town.pk].append(Officer(person_id, name, unit_name, start, end))
    return sessions_by_town, officers_by_town


def cell(
    unit: Unit,
    quarter: rule.Quarter,
    sessions: list[GridSession],
    officers: list[Officer],
    on: date,
    *,
    min_sessions: int = DEFAULT_MIN_SESSIONS,
) -> Cell:
    """One new town's quarter from its loaded sessions and officers (no query)."""
    first, last = quarter.first_day, quarter.last_day
    held = [s for s in sessions if first <= s.day <= min(last, on)]
    # One person may hold two posts under the town (a street and a village): once.
    in_quarter: dict[int, Officer] = {}
    for o in officers:
        if o.overlaps(first, last) and (o.start is None or o.start <= on):
            in_quarter.setdefault(o.person_id, o)
    if held:
        owed_ids = {
            o.person_id
            for o in officers
            if o.person_id in in_quarter and any(o.in_post_on(s.day) for s in held)
        }
    else:
        owed_ids = set(in_quarter)
    owed = [o for pid, o in in_quarter.items() if pid in owed_ids]
    status = rule.quarter_status(
        quarter,
        [(s.day, s.attendees) for s in sessions],
        [o.person_id for o in owed],
        on,
        min_sessions=min_sessions,
    )
    missed_ids = rule.missed_officers(
        quarter, [(s.day, s.attendees) for s in sessions], [o.person_id for o in owed], on
    )
    return Cell(
        unit=unit,
        quarter=quarter,
        status=status,
        sessions=held,
        officers=list(in_quarter.values()),
        owed=owed,
        missed=[o for o in owed if o.person_id in missed_ids],
        min_sessions=min_sessions,
    )


def matrix(
    year: int,
    *,
    user=None,
    units=None,
    on: date | None = None,
    task=None,
    min_sessions: int | None = None,
) -> Matrix:
    """The year's matrix for the new towns `user` sees (or the given `units`)."""
    on = on or timezone.localdate()
    target = None
    if min_sessions is None:
        target = grid_target(year, task=task, user=user)
        min_sessions = min_sessions_of(target)
    units = list(units if units is not None else new_towns(user))
    the_quarters = rule.quarters_of_year(year)
    sessions, officers = load(
        units, the_quarters[0].first_day, the_quarters[-1].last_day, user=user
    )
    rows = [
        Row(
            unit,
            [
                cell(unit, q, sessions[unit.pk], officers[unit.pk], on, min_sessions=min_sessions)
                for q in the_quarters
            ],
        )
        for unit in units
    ]
    return Matrix(year, on, min_sessions, target, the_quarters, rows)


def quarter_cell(
    unit: Unit, quarter: rule.Quarter, *, user=None, on: date | None = None, task=None
) -> tuple[Cell, object | None]:
    """One new town's quarter (the drill-down page) and the target of its parameter."""
    on = on or timezone.localdate()
    target = grid_target(quarter.year, task=task, user=user)
    sessions, officers = load([unit], quarter.first_day, quarter.last_day, user=user)
    return (
        cell(
            unit,
            quarter,
            sessions[unit.pk],
            officers[unit.pk],
            on,
            min_sessions=min_sessions_of(target),
        ),
        target,
    )
