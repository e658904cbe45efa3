"""What the task matrix and the plan dashboard show, computed from querysets; the one
status legend every plan page uses (the calendar's due dates: `due_calendar.py`).

Each builder takes the plan and the user and reads everything through
`for_user` in a fixed number of queries (no query per cell, per unit or per
day): the task matrix of ~25 tasks × ~45 units is four queries. The pure parts
(grouping, counting, ordering the units) take plain rows and are tested alone.

Statuses are the assignments' cached ones (`services.refresh_status`, kept current
by reports, reviews and the daily `plan refresh-status`); the overdue list and the
calendar work the periods out again for the day, with granted adjustments.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.plans import status as status_rules
from xuanpei.plans.choices import (
    AdjustmentStatus,
    AssignmentRole,
    AssignmentStatus,
    ReportStatus,
    TaskKind,
)
from xuanpei.plans.models import Adjustment, Assignment, ProgressReport, Task
from xuanpei.plans.status_bulk import compute_statuses, granted_dues

# One legend for every page (matrix, inbox, calendar, dashboard charts). Colours from
# the Okabe–Ito palette (told apart with any colour vision), darkened where white text
# sits on them; each status also has its own icon shape and its label in text.


@dataclass(frozen=True)
class StatusStyle:
    code: str
    icon: str  # a Bootstrap Icons name
    colour: str  # background
    text: str  # foreground on that background


STATUS_STYLES: dict[str, StatusStyle] = {
    s.code: s
    for s in (
        StatusStyle(AssignmentStatus.NOT_STARTED, "circle", "#e9ecef", "#343a40"),
        StatusStyle(AssignmentStatus.IN_PROGRESS, "hourglass-split", "#56b4e9", "#0b2230"),
        StatusStyle(AssignmentStatus.SUBMITTED, "send-fill", "#0072b2", "#ffffff"),
        StatusStyle(AssignmentStatus.RETURNED, "arrow-counterclockwise", "#e69f00", "#241600"),
        StatusStyle(AssignmentStatus.ACCEPTED, "check-lg", "#007a5a", "#ffffff"),
        StatusStyle(AssignmentStatus.OVERDUE, "exclamation-triangle-fill", "#b54a00", "#ffffff"),
    )
}


def status_style(code: str) -> dict:
    """The legend entry of a status, its label translated now (templates take dicts)."""
    style = STATUS_STYLES.get(code) or STATUS_STYLES[AssignmentStatus.NOT_STARTED]
    return {
        "code": style.code,
        "label": str(AssignmentStatus(style.code).label),
        "icon": style.icon,
        "colour": style.colour,
        "text": style.text,
    }


def legend() -> list[dict]:
    return [status_style(code) for code in AssignmentStatus.values]


# Columns of the matrix: new towns, then 镇街, then departments, then anything else.
UNIT_GROUPS = (
    ("new_town", (UnitKind.NEW_TOWN,)),
    ("street", (UnitKind.TOWN, UnitKind.SUBDISTRICT)),
    ("department", (UnitKind.DEPARTMENT,)),
)
UNIT_GROUP_LABELS = {
    "new_town": gettext_lazy("新城"),
    "street": gettext_lazy("镇街"),
    "department": gettext_lazy("行业部门"),
    "other": gettext_lazy("其他"),
}


def unit_group(kind: str) -> str:
    for name, kinds in UNIT_GROUPS:
        if kind in kinds:
            return name
    return "other"


GROUP_ORDER = [g for g, _kinds in UNIT_GROUPS] + ["other"]


def unit_sort_key(unit) -> tuple[int, str]:
    return GROUP_ORDER.index(unit_group(unit.kind)), unit.path


def unit_group_label(name: str) -> str:
    return str(UNIT_GROUP_LABELS.get(name, UNIT_GROUP_LABELS["other"]))


def assignment_url_maker():
    """pk → the assignment page. Reversed once (not per cell); by path until the page exists."""
    try:
        template = reverse("plans:assignment_detail", args=[987654321])
    except NoReverseMatch:
        template = "/plans/assignments/987654321/"
    return lambda pk: template.replace("987654321", str(pk))


KIND_ORDER = list(TaskKind.values)


def group_by_kind(tasks) -> list[dict]:
    """[{kind, label, items}] in the plan's order: 宣传, 培训, 要求 (empty kinds left out)."""
    groups: dict[str, list] = defaultdict(list)
    for task in tasks:
        groups[task.kind].append(task)
    return [
        {"kind": k, "label": TaskKind(k).label, "items": groups[k]} for k in KIND_ORDER if groups[k]
    ]


# The task matrix -----------------------------------------------------------------------


@dataclass
class Cell:
    pk: int
    unit: str
    status: dict
    lead: bool
    overdue_periods: int
    next_due: date | None
    url: str


@dataclass
class MatrixRow:
    task: Task
    cells: list  # Cell | None, one per column
    counts: Counter = field(default_factory=Counter)
    columns: list = field(default_factory=list)  # [{"cell", "start" (a new unit group)}]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def accepted(self) -> int:
        return self.counts[AssignmentStatus.ACCEPTED]


def scoped_assignments(plan, user):
    """The plan's assignments the user may see (the plan is published, or the user issued it)."""
    return Assignment.objects.for_user(user, "view").filter(task__plan=plan)


def build_matrix(plan, user, *, group: str = "", show_empty_rows: bool = True) -> dict:
    """Rows = tasks grouped by kind, columns = units holding assignments in scope."""
    tasks = list(plan.tasks.order_by("order", "pk").only("pk", "number", "title", "kind", "plan"))
    rows_qs = scoped_assignments(plan, user).values(
        "pk", "task_id", "unit_id", "status", "role", "overdue_periods", "next_due"
    )
    assignments = list(rows_qs.order_by())
    unit_ids = {a["unit_id"] for a in assignments}
    all_units = sorted(
        Unit.objects.filter(pk__in=unit_ids).only("pk", "name", "short_name", "kind", "path"),
        key=unit_sort_key,
    )
    present = {unit_group(u.kind) for u in all_units}
    groups_present = [g for g in GROUP_ORDER if g in present]
    units = [u for u in all_units if not group or unit_group(u.kind) == group]
    column = {u.pk: i for i, u in enumerate(units)}
    url = assignment_url_maker()
    by_task: dict[int, MatrixRow] = {t.pk: MatrixRow(t, [None] * len(units)) for t in tasks}
    totals: Counter = Counter()
    for a in assignments:
        row = by_task.get(a["task_id"])
        if row is None or a["unit_id"] not in column:
            continue
        index = column[a["unit_id"]]
        row.cells[index] = Cell(
            pk=a["pk"],
            unit=units[index].name,
            status=status_style(a["status"]),
            lead=a["role"] == AssignmentRole.LEAD,
            overdue_periods=a["overdue_periods"],
            next_due=a["next_due"],
            url=url(a["pk"]),
        )
        row.counts[a["status"]] += 1
        totals[a["status"]] += 1
    starts = [
        i == 0 or unit_group(u.kind) != unit_group(units[i - 1].kind) for i, u in enumerate(units)
    ]
    rows = [r for r in by_task.values() if show_empty_rows or r.total]
    for r in rows:
        r.columns = [{"cell": c, "start": starts[i]} for i, c in enumerate(r.cells)]
    kinds = []
    for g in group_by_kind([r.task for r in rows]):
        wanted = {t.pk for t in g["items"]}
        kinds.append({**g, "rows": [r for r in rows if r.task.pk in wanted]})
    return {
        "units": [
            {"unit": u, "label": u.short_name or u.name, "start": starts[i]}
            for i, u in enumerate(units)
        ],
        "kinds": kinds,
        "row_count": len(rows),
        "hidden_rows": len(tasks) - len(rows),
        "totals": [{**status_style(s), "count": totals[s]} for s in AssignmentStatus.values],
        "total": sum(totals.values()),
        "groups": [{"code": g, "label": unit_group_label(g)} for g in groups_present],
    }


# The dashboard -------------------------------------------------------------------------


def stacked_chart(labels: list[str], counts: list[Counter]) -> dict:
    """ECharts-ready data: one series per status (legend order and colours), one bar per label."""
    return {
        "labels": labels,
        "series": [
            {
                "name": style["label"],
                "colour": style["colour"],
                "data": [c[style["code"]] for c in counts],
            }
            for style in legend()
        ],
    }


def completion_by_unit(assignments: list[dict], units: dict[int, Unit]) -> dict:
    per_unit: dict[int, Counter] = defaultdict(Counter)
    for a in assignments:
        per_unit[a["unit_id"]][a["status"]] += 1
    ordered = sorted((units[pk] for pk in per_unit if pk in units), key=unit_sort_key)
    rows = []
    for unit in ordered:
        c = per_unit[unit.pk]
        total = sum(c.values())
        rows.append(
            {
                "unit": unit,
                "total": total,
                "accepted": c[AssignmentStatus.ACCEPTED],
                "overdue": c[AssignmentStatus.OVERDUE],
                "rate": round(100 * c[AssignmentStatus.ACCEPTED] / total, 1) if total else None,
            }
        )
    chart = stacked_chart(
        [u.short_name or u.name for u in ordered], [per_unit[u.pk] for u in ordered]
    )
    return {"rows": rows, "chart": chart}


def completion_by_kind(assignments: list[dict], task_kinds: dict[int, str]) -> dict:
    per_kind: dict[str, Counter] = defaultdict(Counter)
    for a in assignments:
        per_kind[task_kinds[a["task_id"]]][a["status"]] += 1
    kinds = [k for k in KIND_ORDER if per_kind[k]]
    rows = []
    for k in kinds:
        c = per_kind[k]
        total = sum(c.values())
        rows.append(
            {
                "kind": k,
                "label": TaskKind(k).label,
                "total": total,
                "accepted": c[AssignmentStatus.ACCEPTED],
                "overdue": c[AssignmentStatus.OVERDUE],
                "rate": round(100 * c[AssignmentStatus.ACCEPTED] / total, 1) if total else None,
            }
        )
    return {
        "rows": rows,
        "chart": stacked_chart(
            [str(TaskKind(k).label) for k in kinds], [per_kind[k] for k in kinds]
        ),
    }


# What the overdue list and the calendar read of an assignment, its task and its unit.
ASSIGNMENT_FIELDS = (
    "pk", "role", "status", "next_due",
    "task__id", "task__number", "task__order", "task__title", "task__kind", "task__plan_id",
    "task__timeframe", "task__start_date", "task__end_date",
    "unit__id", "unit__name", "unit__short_name", "unit__kind", "unit__path",
    "exception_at",
)  # fmt: skip


def overdue_rows(plan, user, today: date) -> list[dict]:
    """Each overdue period of each assignment in scope: unit, task, period, days late.

    Read from the periods for `today` (not the cached status alone), so a period that
    ended at midnight shows before the daily refresh has run.
    """
    candidates = list(
        scoped_assignments(plan, user)
        .filter(Q(status=AssignmentStatus.OVERDUE) | Q(next_due__lt=today))
        .select_related("task", "unit")
        .only(*ASSIGNMENT_FIELDS)
    )
    if not candidates:
        return []
    for a in candidates:
        a.task.plan = plan  # periods() reads the plan's year; no query
    results = compute_statuses(candidates, today)
    overrides = granted_dues([a.pk for a in candidates])
    url = assignment_url_maker()
    rows = []
    for a in candidates:
        task = a.task
        for period in results[a.pk].overdue:
            due = status_rules.effective_due(period, overrides[a.pk])
            rows.append(
                {
                    "assignment": a,
                    "unit": a.unit,
                    "task": task,
                    "period": period,
                    "due": due,
                    "adjusted": due != period.due,
                    "days_late": (today - due).days,
                    "url": url(a.pk),
                }
            )
    rows.sort(key=lambda r: (-r["days_late"], unit_sort_key(r["unit"]), r["task"].order))
    return rows


def overdue_by_assignment(rows: list[dict]) -> list[dict]:
    """The overdue periods folded into one line per assignment (a quarterly task late for
    three quarters is one line, "第一、二、三季度", late by the oldest one's days)."""
    lines: dict[int, dict] = {}
    for r in rows:
        line = lines.get(r["assignment"].pk)
        if line is None:
            line = lines[r["assignment"].pk] = {**r, "periods": [], "adjusted": False}
        line["periods"].append(r["period"])
        line["adjusted"] = line["adjusted"] or r["adjusted"]
        if r["days_late"] > line["days_late"]:
            line.update(days_late=r["days_late"], due=r["due"], period=r["period"])
    result = list(lines.values())
    result.sort(key=lambda r: (-r["days_late"], unit_sort_key(r["unit"]), r["task"].order))
    return result


def adjustment_counts(plan, user) -> dict:
    """Delays (延期) of the plan in scope: granted, refused and pending requests, and by unit."""
    qs = Adjustment.objects.for_user(user, "view").filter(assignment__task__plan=plan)
    by_status = Counter()
    by_unit: dict[str, int] = Counter()
    for row in qs.order_by().values("status", "assignment__unit__name"):
        by_status[row["status"]] += 1
        if row["status"] == AdjustmentStatus.GRANTED:
            by_unit[row["assignment__unit__name"]] += 1
    return {
        "granted": by_status[AdjustmentStatus.GRANTED],
        "refused": by_status[AdjustmentStatus.REFUSED],
        "pending": by_status[AdjustmentStatus.PENDING],
        "by_unit": sorted(by_unit.items(), key=lambda kv: (-kv[1], kv[0])),
    }


def build_dashboard(plan, user, today: date) -> dict:
    assignments = list(
        scoped_assignments(plan, user).order_by().values("pk", "task_id", "unit_id", "status")
    )
    task_kinds = dict(plan.tasks.order_by().values_list("pk", "kind"))
    units = {
        u.pk: u
        for u in Unit.objects.filter(pk__in={a["unit_id"] for a in assignments}).only(
            "pk", "name", "short_name", "kind", "path"
        )
    }
    counts = Counter(a["status"] for a in assignments)
    total = len(assignments)
    return {
        "total": total,
        "accepted": counts[AssignmentStatus.ACCEPTED],
        "overdue": counts[AssignmentStatus.OVERDUE],
        # Reports awaiting review (a period takes several, so not the assignments' status).
        "submitted": ProgressReport.objects.for_user(user, "view")
        .filter(assignment__task__plan=plan, status=ReportStatus.SUBMITTED)
        .count(),
        "rate": round(100 * counts[AssignmentStatus.ACCEPTED] / total, 1) if total else None,
        "by_status": [{**status_style(s), "count": counts[s]} for s in AssignmentStatus.values],
        "by_unit": completion_by_unit(assignments, units),
        "by_kind": completion_by_kind(assignments, task_kinds),
        "overdue_rows": overdue_by_assignment(overdue_rows(plan, user, today)),
        "adjustments": adjustment_counts(plan, user),
    }
