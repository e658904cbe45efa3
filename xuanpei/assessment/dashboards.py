"""Dashboards of the assessment (issue #13 item 4): pure query functions.

- the district cockpit (a large screen): the quarter's key figures read from the other
  apps through their own query functions (publicity's accepted activities, training's
  delivered sessions, workforce's 持证率, plans' overdue assignments), the units of the
  quarter's run coloured by score band, the quarterly trends of the year and the ranking;
- a unit's dashboard: its score, rank within its type, the previous quarter and the
  change, and what costs it points (each item's weight − score, the largest loss first,
  each linking to the records behind it).

Every read goes through `for_user`; the views decide who may open which page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db.models import Avg, Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.assessment import quarters
from xuanpei.assessment.models import AssessedKind, UnitScore
from xuanpei.assessment.querysets import change_of, item_loss
from xuanpei.orgs.models import Unit
from xuanpei.plans.reminders import inbox_counts
from xuanpei.publicity import rollups
from xuanpei.publicity.coverage import accepted, activity_list_url
from xuanpei.publicity.models_ledger import Activity, ReviewStatus
from xuanpei.training import stats
from xuanpei.training.quarters import Quarter, quarter_of, quarters_of_year
from xuanpei.workforce.compliance import compliance_summary

ZERO = Decimal(0)

# Score bands of the cockpit's map. The issue fixes no bands; these are the usual
# 优秀/良好/合格/不合格 cuts of a 100-point assessment (a display choice, not a rule).
BANDS = (
    (Decimal(90), "excellent", gettext_lazy("优秀（≥90）")),
    (Decimal(80), "good", gettext_lazy("良好（80–90）")),
    (Decimal(60), "pass", gettext_lazy("合格（60–80）")),
    (None, "fail", gettext_lazy("不合格（<60）")),
)
# The types shown on the map and in the ranking, in this order.
KIND_ORDER = (AssessedKind.NEW_TOWN, AssessedKind.TOWN_STREET, AssessedKind.DEPARTMENT)


class PeriodError(ValueError):
    """A `?period=` that is not YYYYQn (the message is shown to the user)."""


def parse_period(raw: str | None) -> Quarter | None:
    """`2026Q2` → Quarter(2026, 2); empty → None; anything else → PeriodError (the rule
    and its message: `quarters.parse_quarter`)."""
    if not raw:
        return None
    try:
        year, number = quarters.parse_quarter(raw)
    except quarters.QuarterError as exc:
        raise PeriodError(str(exc)) from exc
    return Quarter(year, number)


def scores_for(user, quarter: Quarter):
    """The score rows of `quarter`'s run that `user` may see."""
    return UnitScore.objects.for_user(user, "view").filter(
        run__year=quarter.year, run__quarter=quarter.number
    )


def latest_period(user) -> Quarter:
    """The latest quarter with a score `user` may see, else the current quarter."""
    row = (
        UnitScore.objects.for_user(user, "view")
        .order_by("-run__year", "-run__quarter")
        .values("run__year", "run__quarter")
        .first()
    )
    if row:
        return Quarter(row["run__year"], row["run__quarter"])
    return quarter_of(timezone.localdate())


def band_of(total) -> tuple[str, str]:
    """(css key, label) of a total's band."""
    total = to_decimal(total)
    for floor, key, label in BANDS:
        if floor is None or total >= floor:
            return key, str(label)
    raise AssertionError("unreachable")  # pragma: no cover


def to_decimal(value) -> Decimal:
    """A number out of an item's JSON (number or string); junk counts as 0."""
    if value is None or value == "":
        return ZERO
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return ZERO


# ----------------------------------------------------------------------------- cockpit


@dataclass
class Figure:
    key: str
    label: str
    value: object
    unit: str = ""
    url: str = ""


@dataclass
class Cockpit:
    quarter: Quarter
    run: object | None
    figures: list[Figure]
    groups: list[dict]  # per assessed kind: {"kind", "label", "cells": [...]}
    ranking: list[dict]  # per assessed kind: {"label", "names", "totals"}
    trend: dict  # labels, activities, reach, sessions, attendances, averages per kind
    bands: list[tuple[str, str]] = field(default_factory=list)


def key_figures(user, quarter: Quarter, unit: Unit | None = None) -> list[Figure]:
    """The quarter's headline numbers within `user`'s scope (and `unit`'s subtree when
    given): accepted activities and reach, delivered sessions and 人次, 持证率, and —
    for the whole scope — overdue assignments. One query each."""
    start, end = quarter.first_day, quarter.last_day
    acts = accepted(Activity.objects.for_user(user, "view")).filter(
        held_on__gte=start, held_on__lte=end
    )
    if unit is not None:
        acts = acts.filter(unit__path__startswith=unit.path)
    act = acts.aggregate(n=Count("*"), reach=Coalesce(Sum("participants"), 0))
    sessions = stats.narrow(
        stats.year_sessions(user, quarter.year), unit=unit, date_from=start, date_to=end
    )
    unit_param = {"unit": unit.pk} if unit is not None else {}
    trained = stats.totals(
        sessions,
        {
            "year": quarter.year,
            "status": "done",
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            **unit_param,
        },
    )
    # 持证率 today while the quarter runs, on its last day once it has ended.
    on = min(timezone.localdate(), end)
    # A page: never computes a snapshot day in the request (the last one, refresh queued).
    rate = compliance_summary(user, on, unit=unit, inline=False).rate
    act_url = activity_list_url(
        status=ReviewStatus.ACCEPTED.value,
        start=start.isoformat(),
        end=end.isoformat(),
        **unit_param,
    )
    figures = [
        Figure("activities", _("宣传活动"), act["n"], _("场"), act_url),
        Figure("reach", _("宣传覆盖人次"), act["reach"], _("人次"), act_url),
        Figure("sessions", _("培训班次"), trained.sessions, _("期"), trained.url),
        Figure("attendances", _("参训人次"), trained.attendances, _("人次"), trained.people_url),
        Figure(
            "rate",
            _("三项岗位持证率"),
            "—" if rate is None else round(rate, 1),
            "" if rate is None else "%",
            _url_or_blank("workforce:compliance_dashboard"),
        ),
    ]
    if unit is None:
        overdue = inbox_counts(user)["overdue"]
        figures.append(
            Figure(
                "overdue",
                _("逾期任务"),
                overdue,
                _("项"),
                _url_or_blank("plans:inbox", "?status=overdue"),
            )
        )
    return figures


def _url_or_blank(name: str, query: str = "") -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def unit_groups(rows: list[UnitScore]) -> list[dict]:
    """The map: per assessed kind, every unit of the run as a cell with its band."""
    groups = []
    for kind in KIND_ORDER:
        cells = []
        for s in rows:
            if s.assessed_kind != kind:
                continue
            key, label = band_of(s.total)
            cells.append(
                {
                    "unit_id": s.unit_id,
                    "name": s.unit.name,
                    "total": s.total,
                    "rank": s.rank,
                    "band": key,
                    "band_label": label,
                    "change": change_of(s),
                }
            )
        if cells:
            cells.sort(key=lambda c: (c["rank"], c["name"]))
            groups.append({"kind": kind.value, "label": str(kind.label), "cells": cells})
    return groups


def ranking(groups: list[dict]) -> list[dict]:
    """Per kind, the names and totals in rank order (the ranking bar chart)."""
    return [
        {
            "label": g["label"],
            "names": [c["name"] for c in g["cells"]],
            "totals": [float(c["total"]) for c in g["cells"]],
            "bands": [c["band"] for c in g["cells"]],
        }
        for g in groups
    ]


def year_trend(user, year: int) -> dict:
    """Per quarter of `year`: accepted activities and their reach, delivered sessions and
    人次, and the average score of each kind. Three queries."""
    acts = rollups.by_month(rollups.year_activities(user, year), year)
    act_q = [0] * 4
    reach_q = [0] * 4
    for i, row in enumerate(acts[:12]):
        act_q[i // 3] += row.count
        reach_q[i // 3] += row.reach
    sessions = stats.by_quarter(stats.year_sessions(user, year), year, {"year": year})
    averages = {
        (r["run__quarter"], r["assessed_kind"]): r["avg"]
        for r in UnitScore.objects.for_user(user, "view")
        .filter(run__year=year)
        .values("run__quarter", "assessed_kind")
        .annotate(avg=Avg("total"))
        .order_by()
    }
    return {
        "labels": [_("第%(n)s季度") % {"n": q.number} for q in quarters_of_year(year)],
        "activities": act_q,
        "reach": reach_q,
        "sessions": [r.sessions for r in sessions],
        "attendances": [r.attendances for r in sessions],
        "averages": [
            {
                "label": str(kind.label),
                "values": [
                    None
                    if averages.get((n, kind.value)) is None
                    else round(float(averages[(n, kind.value)]), 2)
                    for n in (1, 2, 3, 4)
                ],
            }
            for kind in KIND_ORDER
            if any((n, kind.value) in averages for n in (1, 2, 3, 4))
        ],
    }


def cockpit(user, quarter: Quarter) -> Cockpit:
    rows = list(scores_for(user, quarter).select_related("unit", "run"))
    groups = unit_groups(rows)
    return Cockpit(
        quarter=quarter,
        run=rows[0].run if rows else None,
        figures=key_figures(user, quarter),
        groups=groups,
        ranking=ranking(groups),
        trend=year_trend(user, quarter.year),
        bands=[(key, str(label)) for _floor, key, label in BANDS],
    )


# ------------------------------------------------------------------------- unit page


@dataclass
class LostItem:
    code: str
    name: str
    weight: Decimal
    score: Decimal
    lost: Decimal
    value: object
    detail: str
    records_url: str


def points_lost(items: list[dict]) -> list[LostItem]:
    """Each item with the points it costs, the largest loss first (ties by name).

    A scored item costs weight − score; a deduction (督查扣分) costs −score whatever its
    weight; a bonus (加分) costs −score too, i.e. a gain, listed last — an unearned
    bonus is no loss (`querysets.item_loss`, which `lost_points` also reads).
    """
    out = []
    for item in items or ():
        weight, score = to_decimal(item.get("weight")), to_decimal(item.get("score"))
        lost = item_loss({**item, "weight": weight, "score": score})
        out.append(
            LostItem(
                code=str(item.get("code", "")),
                name=str(item.get("name", "")),
                weight=weight,
                score=score,
                lost=lost,
                value=item.get("value"),
                detail=str(item.get("detail") or ""),
                records_url=_safe_url(item.get("records_url")),
            )
        )
    out.sort(key=lambda i: (-i.lost, i.name))
    return out


def _safe_url(url) -> str:
    """Only site-relative links: a stored URL never sends the reader elsewhere."""
    url = str(url or "")
    return url if url.startswith("/") and not url.startswith("//") else ""


@dataclass
class UnitDashboard:
    quarter: Quarter
    unit: Unit
    score: UnitScore | None
    peers: int = 0
    change: Decimal | None = None
    lost: list[LostItem] = field(default_factory=list)
    band: tuple[str, str] | None = None
    history: dict = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)


def unit_dashboard(user, unit: Unit, quarter: Quarter) -> UnitDashboard:
    """`unit`'s result in `quarter` (the caller has checked `unit` is in scope)."""
    score = scores_for(user, quarter).filter(unit=unit).select_related("run").first()
    board = UnitDashboard(quarter=quarter, unit=unit, score=score)
    board.figures = key_figures(user, quarter, unit=unit)
    history = {
        r["run__quarter"]: float(r["total"])
        for r in UnitScore.objects.for_user(user, "view")
        .filter(unit=unit, run__year=quarter.year)
        .values("run__quarter", "total")
    }
    board.history = {
        "labels": [_("第%(n)s季度") % {"n": q.number} for q in quarters_of_year(quarter.year)],
        "totals": [history.get(n) for n in (1, 2, 3, 4)],
    }
    if score is None:
        return board
    # 共M个同类单位: the size of the unit's own published ranking. The peers' rows may lie
    # outside the reader's scope; only their number is read, as the rank itself is.
    board.peers = UnitScore.objects.filter(
        run_id=score.run_id, assessed_kind=score.assessed_kind
    ).count()
    board.change = change_of(score)
    board.lost = points_lost(score.items)
    board.band = band_of(score.total)
    return board


def units_to_pick(user, quarter: Quarter) -> list[tuple[int, str, str]]:
    """(unit id, name, type label) of every unit with a score in `quarter` in scope."""
    rows = scores_for(user, quarter).select_related("unit").order_by("assessed_kind", "rank")
    kinds = dict(AssessedKind.choices)
    return [(s.unit_id, s.unit.name, str(kinds.get(s.assessed_kind, ""))) for s in rows]
