"""Training statistics (issue #12 item 10): pure query functions.

Each table is ONE SQL aggregate over the held (or archived) sessions of a year that
the viewer may see (`TrainingSession.objects.for_user(user, "view")`; attendance is
scoped exactly like its session, so joining it from the scoped sessions counts only
attendance the viewer may see): sessions (班次), 人次 (attendance rows), people
trained (distinct persons) and credited hours (学时), grouped by audience (the
session's kind), by unit (the viewer's children, each with its subtree, plus 本级
and the supervised enterprises outside the subtree), by sector (enterprise sessions'
行业领域) and by quarter; and the schedule (附件2): each training task of the year's
district plan against the held sessions linked to it.

Every row carries the URL of the records behind its numbers: the session list
(`training:session_list`) filtered by year / kind / unit / task / dates, and for
人次 and people the attendance list when one is mounted (else the session list).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractQuarter, Substr, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.orgs.models import Sector, Unit
from xuanpei.plans.choices import PlanKind, TaskKind
from xuanpei.plans.models import Assignment, Task
from xuanpei.publicity.views_coverage import viewer_unit
from xuanpei.training.models import Attendance, TrainingSession
from xuanpei.training.quarters import Quarter, quarters_of_year

DELIVERED_STATUSES = (TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED)
ZERO = Decimal(0)

TABLES = {
    "kind": gettext_lazy("按培训类型（培训对象）"),
    "unit": gettext_lazy("按单位"),
    "sector": gettext_lazy("按行业领域（企业组织的培训）"),
    "quarter": gettext_lazy("按季度"),
    "schedule": gettext_lazy("培训计划（附件2）执行情况"),
}

# The four numbers of a row: sessions, 人次, distinct people, credited hours.
_TOTALS = {
    "sessions": Count("pk", distinct=True),
    "attended": Count("attendances"),  # not "attendances": that names the relation
    "people": Count("attendances__person", distinct=True),
    "hours": Coalesce(Sum("attendances__hours_credited"), ZERO),
}


@dataclass
class StatRow:
    label: str
    sessions: int = 0
    attendances: int = 0
    people: int = 0
    hours: Decimal = ZERO
    url: str = ""  # the sessions behind the row
    people_url: str = ""  # the attendance (names) behind 人次 and people
    drill: int | None = None  # a child unit: its own statistics page

    @classmethod
    def of(cls, label, got: dict | None, params: dict) -> StatRow:
        got = got or {}
        return cls(
            str(label),
            got.get("sessions", 0),
            got.get("attended", 0),
            got.get("people", 0),
            got.get("hours", ZERO),
            session_list_url(**params),
            attendance_list_url(**params),
        )


class ScheduleState:
    DELIVERED = "delivered"
    PENDING = "pending"
    OVERDUE = "overdue"

    LABELS = {
        DELIVERED: gettext_lazy("已完成"),
        PENDING: gettext_lazy("未到期"),
        OVERDUE: gettext_lazy("逾期未举办"),
    }


@dataclass
class ScheduleRow:
    task: Task
    targets: list[str]
    sessions: int = 0
    attendances: int = 0
    hours: Decimal = ZERO
    last_day: date | None = None
    state: str = ScheduleState.PENDING
    missing: list[str] = field(default_factory=list)  # labels of ended periods without a class
    url: str = ""
    people_url: str = ""

    @property
    def state_label(self) -> str:
        return str(ScheduleState.LABELS[self.state])

    @property
    def timeframe(self) -> str:
        text = self.task.get_timeframe_display()
        if self.task.start_date and self.task.end_date:
            text += f" {self.task.start_date:%m-%d}—{self.task.end_date:%m-%d}"
        if self.task.timeframe_note:
            text += f"（{self.task.timeframe_note}）"
        return text


# --------------------------------------------------------------------------- links


def _url(name: str, params: dict) -> str | None:
    try:
        base = reverse(name)
    except NoReverseMatch:
        return None
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(query, doseq=True)}" if query else base


def session_list_url(**params) -> str:
    """The session list filtered to `params` (year, kind, unit — a subtree —, task,
    date_from, date_to, status held and archived: the filters `metrics` links with)."""
    return _url("training:session_list", params) or ""


def attendance_list_url(**params) -> str:
    """The people (names) behind 人次 and 人数: the statistics' own names page, with
    the same filters less the status (it counts what the tables count)."""
    params.pop("status", None)
    return _url("training:stats_people", params) or session_list_url(**params)


# --------------------------------------------------------------------------- base


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 Jan, 1 Jan next year) in the project's time zone."""
    start = timezone.make_aware(datetime(year, 1, 1))
    return start, timezone.make_aware(datetime(year + 1, 1, 1))


def year_sessions(user, year: int, action: str = "view") -> QuerySet:
    """The held or archived sessions of `year` the user may see (dated by their start)."""
    start, end = year_bounds(year)
    return TrainingSession.objects.for_user(user, action).filter(
        status__in=DELIVERED_STATUSES, starts_at__gte=start, starts_at__lt=end
    )


def _grouped(sessions: QuerySet, key: str, **annotations) -> dict:
    rows = sessions.annotate(**annotations) if annotations else sessions
    return {r[key]: r for r in rows.values(key).annotate(**_TOTALS).order_by()}


def totals(sessions: QuerySet, base: dict) -> StatRow:
    got = sessions.aggregate(**_TOTALS)
    return StatRow.of(_("合计"), got, base)


def by_kind(sessions: QuerySet, base: dict) -> list[StatRow]:
    """Every kind (培训对象 follows the kind), zeros included."""
    got = _grouped(sessions, "kind")
    return [
        StatRow.of(label, got.get(value), {**base, "kind": value})
        for value, label in TrainingSession.Kind.choices
    ]


def by_unit(sessions: QuerySet, viewer: Unit, base: dict) -> list[StatRow]:
    """The viewer's children, each counting its subtree; 本级 for the viewer's own
    sessions; 其他 for what the viewer sees outside its subtree (a department's
    supervised enterprises)."""
    depth = viewer.depth + 1
    width = Unit.steplen * depth
    got = _grouped(sessions, "branch", branch=Substr("unit__path", 1, width))
    rows = []
    own = got.pop(viewer.path, None)
    if own:
        rows.append(
            StatRow.of(
                _("%(name)s（本级）") % {"name": viewer.name},
                own,
                {**base, "unit": viewer.pk},
            )
        )
    children = Unit.objects.filter(path__startswith=viewer.path, depth=depth).order_by("path")
    for child in children:
        row = StatRow.of(child.name, got.pop(child.path, None), {**base, "unit": child.pk})
        row.drill = child.pk
        rows.append(row)
    if got:
        other = {
            "sessions": sum(r["sessions"] for r in got.values()),
            "attended": sum(r["attended"] for r in got.values()),
            # Distinct people are per branch; summed across branches they may repeat.
            "people": sum(r["people"] for r in got.values()),
            "hours": sum((r["hours"] for r in got.values()), ZERO),
        }
        rows.append(StatRow.of(_("辖区外监管企业"), other, base))
    return rows


def by_sector(sessions: QuerySet, base: dict) -> list[StatRow]:
    """Sessions organised by enterprises, by the enterprise's 行业领域."""
    got = _grouped(sessions.filter(enterprise__isnull=False), "enterprise__sector")
    sectors = Sector.objects.filter(pk__in=[k for k in got if k is not None])
    return [
        StatRow.of(s.name, got[s.pk], {**base, "sector": s.pk})
        for s in sectors.order_by("sort_order", "name")
    ]


def _quarter_params(base: dict, quarter: Quarter) -> dict:
    return {
        **base,
        "date_from": quarter.first_day.isoformat(),
        "date_to": quarter.last_day.isoformat(),
    }


def by_quarter(sessions: QuerySet, year: int, base: dict) -> list[StatRow]:
    """Four rows, empty quarters as zeros."""
    got = _grouped(sessions, "quarter", quarter=ExtractQuarter("starts_at"))
    return [
        StatRow.of(q.label(), got.get(q.number), _quarter_params(base, q))
        for q in quarters_of_year(year)
    ]


# --------------------------------------------------------------------------- names


def narrow(
    sessions: QuerySet,
    *,
    kind: str = "",
    unit: Unit | None = None,
    task=None,
    sector=None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    """The sessions behind one number of a table: the same filters its link names."""
    if kind:
        sessions = sessions.filter(kind=kind)
    if unit is not None:
        sessions = sessions.filter(unit__path__startswith=unit.path)
    if task is not None:
        sessions = sessions.filter(task=task)
    if sector is not None:
        sessions = sessions.filter(enterprise__sector=sector)
    if date_from:
        start = timezone.make_aware(datetime.combine(date_from, datetime.min.time()))
        sessions = sessions.filter(starts_at__gte=start)
    if date_to:
        end = timezone.make_aware(datetime.combine(date_to, datetime.min.time()))
        sessions = sessions.filter(starts_at__lt=end + timedelta(days=1))
    return sessions


def people(user, sessions: QuerySet) -> QuerySet:
    """The people behind 人次 and 人数: one row per person with their attendances, hours
    and last class among `sessions` (one aggregate, ordered by name)."""
    return (
        Attendance.objects.for_user(user, "view")
        .filter(session__in=sessions.values("pk"))
        .values("person_id", "person__name", "person__id_number")
        .annotate(
            times=Count("pk"),
            hours=Coalesce(Sum("hours_credited"), ZERO),
            last=Max("session__starts_at"),
        )
        .order_by("person__name", "person_id")
    )


# --------------------------------------------------------------------------- schedule


def schedule_tasks(user, year: int, unit: Unit | None = None) -> QuerySet:
    """The training tasks (附件2 rows) of the year's district plan the user may see; for
    a unit below the plan's issuer, only the tasks assigned to it or to a unit above it
    (a new town's task is its 镇街's too): a new town is not told it owes the
    district's cadre class."""
    tasks = Task.objects.for_user(user, "view").filter(
        plan__year=year, plan__kind=PlanKind.DISTRICT, kind=TaskKind.TRAINING
    )
    if unit is not None and unit.depth > 1:
        step = Unit.steplen
        ancestors = [unit.path[:n] for n in range(2 * step, len(unit.path) + 1, step)]
        tasks = tasks.filter(
            pk__in=Assignment.objects.filter(unit__path__in=ancestors).values("task")
        )
    return (
        tasks.select_related("plan")
        .prefetch_related("targets")
        .order_by("plan__unit__path", "order", "pk")
    )


def _state(task: Task, days: list[date], today: date) -> tuple[str, list[str]]:
    """Delivered when every period of the task's timeframe holds a class; overdue
    when a period that has ended holds none; otherwise not yet due."""
    missing, open_ = [], False
    for period in task.periods():
        if any(period.contains(d) for d in days):
            continue
        if period.due < today:
            missing.append(period.label)
        else:
            open_ = True
    if missing:
        return ScheduleState.OVERDUE, missing
    return (ScheduleState.PENDING if open_ else ScheduleState.DELIVERED), []


def schedule(
    user,
    sessions: QuerySet,
    year: int,
    base: dict,
    today: date | None = None,
    unit: Unit | None = None,
) -> list[ScheduleRow]:
    """Planned (the task's timeframe and targets) vs delivered (held sessions linked to
    it): one aggregate over sessions by task and day."""
    today = today or timezone.localdate()
    tasks = list(schedule_tasks(user, year, unit))
    per_day = (
        sessions.filter(task__in=[t.pk for t in tasks])
        .annotate(day=TruncDate("starts_at"))
        .values("task", "day")
        .annotate(
            sessions=Count("pk", distinct=True),
            attended=Count("attendances"),
            hours=Coalesce(Sum("attendances__hours_credited"), ZERO),
        )
        .order_by()
    )
    days: dict[int, list] = defaultdict(list)
    for r in per_day:
        days[r["task"]].append(r)
    rows = []
    for task in tasks:
        got = days.get(task.pk, [])
        held_days = [r["day"] for r in got]
        state, missing = _state(task, held_days, today)
        params = {**base, "task": task.pk}
        rows.append(
            ScheduleRow(
                task=task,
                targets=[str(t) for t in task.targets.all()],
                sessions=sum(r["sessions"] for r in got),
                attendances=sum(r["attended"] for r in got),
                hours=sum((r["hours"] for r in got), ZERO),
                last_day=max(held_days) if held_days else None,
                state=state,
                missing=missing,
                url=session_list_url(**params),
                people_url=attendance_list_url(**params),
            )
        )
    return rows


# --------------------------------------------------------------------------- all


def tables(
    user, year: int, *, unit: Unit | None = None, action: str = "view", today: date | None = None
) -> dict:
    """Every table by name (TABLES), plus "totals". `unit` narrows every table to its
    subtree (the caller checks it is in scope); without it the by-unit table lists the
    children of `viewer_unit` (the user's unit, the district for a superuser) and is
    left out for an enterprise account."""
    sessions = year_sessions(user, year, action)
    base: dict = {"year": year, "status": "done"}  # filters.DONE: held or archived
    if unit is not None:
        sessions = sessions.filter(unit__path__startswith=unit.path)
        base["unit"] = unit.pk
    parent = unit or viewer_unit(user)
    out: dict = {"totals": totals(sessions, base), "kind": by_kind(sessions, base)}
    if parent is not None:
        out["unit"] = by_unit(sessions, parent, base)
    out["sector"] = by_sector(sessions, base)
    out["quarter"] = by_quarter(sessions, year, base)
    out["schedule"] = schedule(user, sessions, year, base, today, parent)
    return out
