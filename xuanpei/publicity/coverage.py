"""Coverage of campaigns and quotas (issue #11 item 4): pure query functions.

Every figure is ONE SQL aggregate over accepted activities (`Activity.status =
accepted`): the activities are grouped by the branch of the unit tree they were
recorded under — `substr(unit.path, 1, steplen × depth)` of the units shown, so a
new town's row counts its 镇街 and villages too — with one `COUNT(*) FILTER (WHERE
to_x)` per 五进 type. The unit list is a second, small query.

A cell is *covered* when its count reaches the minimum, *partly* when it is above
zero, *not covered* at zero. Every cell carries the query string of the activity
list (`publicity:activity_list`) that shows the records behind it:

    campaign=<id>  unit=<id> (the recording unit and its subtree)  five_in=<value>
    status=accepted  start=YYYY-MM-DD  end=YYYY-MM-DD (the activity list's FilterSet)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.urls import NoReverseMatch, reverse

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.publicity.models_ledger import (
    FIVE_IN_FIELDS,
    Activity,
    FiveIn,
    QuotaMeasure,
    ReviewStatus,
)

STEP = Unit.steplen

COVERED = "covered"
PARTLY = "partly"
NONE = "none"

# A quota's "applies to" names a level of the tree: 镇街 are 镇 and 街道, 村/社区 both kinds.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    UnitKind.TOWN: (UnitKind.TOWN, UnitKind.SUBDISTRICT),
    UnitKind.SUBDISTRICT: (UnitKind.TOWN, UnitKind.SUBDISTRICT),
    UnitKind.VILLAGE: (UnitKind.VILLAGE, UnitKind.COMMUNITY),
    UnitKind.COMMUNITY: (UnitKind.VILLAGE, UnitKind.COMMUNITY),
}
LOCALITY_KINDS = (UnitKind.VILLAGE, UnitKind.COMMUNITY)


def state_of(count: int, minimum: int) -> str:
    if count >= max(minimum, 1):
        return COVERED
    return PARTLY if count > 0 else NONE


def activity_list_url(**params) -> str:
    """The activity list filtered to `params` (None values dropped)."""
    try:
        base = reverse("publicity:activity_list")
    except NoReverseMatch:  # the ledger's list not mounted (yet)
        base = reverse("publicity:campaign_list")
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


@dataclass
class Cell:
    count: int
    state: str
    url: str


@dataclass
class Row:
    unit: Unit
    total: Cell
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Matrix:
    """Units × 五进 types of one campaign (or one quota), with the column headers."""

    columns: list[tuple[str, str]]  # (FiveIn value, label)
    rows: list[Row]
    minimum: int
    date_from: date
    date_to: date

    @property
    def counts(self) -> dict[str, int]:
        """How many cells are covered / partly / not covered (the legend's numbers)."""
        out = {COVERED: 0, PARTLY: 0, NONE: 0}
        for row in self.rows:
            for cell in row.cells:
                out[cell.state] += 1
        return out


def accepted(qs: QuerySet | None = None) -> QuerySet:
    qs = Activity.objects.all() if qs is None else qs
    return qs.filter(status=ReviewStatus.ACCEPTED)


def target_units(viewer_unit: Unit, kind: str | None = None) -> list[Unit]:
    """The units a coverage view lists: those of `kind` (a group, see KIND_GROUPS) in the
    viewer's subtree, or else the viewer's children (departments left out)."""
    if kind:
        kinds = KIND_GROUPS.get(kind, (kind,))
        qs = Unit.objects.filter(path__startswith=viewer_unit.path, kind__in=kinds)
    else:
        qs = Unit.objects.filter(
            path__startswith=viewer_unit.path, depth=viewer_unit.depth + 1
        ).exclude(kind=UnitKind.DEPARTMENT)
    return list(qs.order_by("path"))


def branch_counts(
    activities: QuerySet, depth: int, *, prefix: str = "unit__path"
) -> dict[str, dict[str, int]]:
    """ONE aggregate: {branch path (the ancestor at `depth`): {"total", five_in value: n}}.

    Activities recorded above `depth` fall under their own (shorter) path and match no
    branch of that depth."""
    aggregates = {"total": Count("pk")}
    for value, name in FIVE_IN_FIELDS.items():
        aggregates[str(value)] = Count("pk", filter=Q(**{name: True}))
    rows = (
        activities.annotate(branch=Substr(prefix, 1, STEP * depth))
        .values("branch")
        .annotate(**aggregates)
        .order_by()
    )
    return {r.pop("branch"): r for r in rows}


def _matrix(
    activities: QuerySet,
    units: list[Unit],
    *,
    minimum: int,
    date_from: date,
    date_to: date,
    link: dict,
    five_in: list[str] | None = None,
) -> Matrix:
    columns = [(str(v), str(label)) for v, label in FiveIn.choices]
    if five_in:
        columns = [c for c in columns if c[0] in five_in]
    by_depth: dict[int, dict] = {}
    for depth in sorted({u.depth for u in units}):
        by_depth[depth] = branch_counts(activities, depth)
    rows = []
    for unit in units:
        got = by_depth.get(unit.depth, {}).get(unit.path, {})
        base = {**link, "unit": unit.pk}
        total = got.get("total", 0)
        row = Row(unit=unit, total=Cell(total, state_of(total, minimum), activity_list_url(**base)))
        for value, _label in columns:
            n = got.get(value, 0)
            row.cells.append(
                Cell(n, state_of(n, minimum), activity_list_url(**base, five_in=value))
            )
        rows.append(row)
    return Matrix(columns, rows, minimum, date_from, date_to)


def campaign_activities(campaign, scope_qs: QuerySet | None = None) -> QuerySet:
    """Accepted activities linked to `campaign` and held within its dates."""
    return accepted(scope_qs).filter(
        campaigns=campaign, held_on__gte=campaign.start_date, held_on__lte=campaign.end_date
    )


def campaign_matrix(
    campaign,
    viewer_unit: Unit,
    *,
    kind: str | None = None,
    minimum: int = 1,
    scope_qs: QuerySet | None = None,
) -> Matrix:
    """(a) The unit × 五进 matrix of a campaign over the units of `kind` in the viewer's
    subtree (or the viewer's children)."""
    units = target_units(viewer_unit, kind)
    link = {
        "campaign": campaign.pk,
        "status": ReviewStatus.ACCEPTED.value,
        "start": campaign.start_date.isoformat(),
        "end": campaign.end_date.isoformat(),
    }
    return _matrix(
        campaign_activities(campaign, scope_qs),
        units,
        minimum=minimum,
        date_from=campaign.start_date,
        date_to=campaign.end_date,
        link=link,
    )


def quota_period(quota) -> tuple[date, date]:
    if quota.campaign_id:
        return quota.campaign.start_date, quota.campaign.end_date
    return date(quota.year, 1, 1), date(quota.year, 12, 31)


def quota_activities(quota, scope_qs: QuerySet | None = None) -> QuerySet:
    start, end = quota_period(quota)
    qs = accepted(scope_qs).filter(held_on__gte=start, held_on__lte=end)
    if quota.campaign_id:
        qs = qs.filter(campaigns=quota.campaign_id)
    if quota.five_in:
        qs = qs.filter(**{FIVE_IN_FIELDS[FiveIn(quota.five_in)]: True})
    return qs


@dataclass
class QuotaRow:
    unit: Unit
    count: int  # activities, or villages/communities reached
    needed: int  # the minimum, or the villages/communities under the unit
    state: str
    url: str
    missing: list[Unit] = field(default_factory=list)  # localities never reached


def quota_rows(quota, viewer_unit: Unit, *, scope_qs: QuerySet | None = None) -> list[QuotaRow]:
    """(b) Each unit the quota applies to (in the viewer's subtree) against the quota."""
    units = target_units(viewer_unit, quota.applies_to)
    start, end = quota_period(quota)
    link = {
        "campaign": quota.campaign_id,
        "five_in": quota.five_in,
        "status": ReviewStatus.ACCEPTED.value,
        "start": start.isoformat(),
        "end": end.isoformat(),
    }
    activities = quota_activities(quota, scope_qs)
    if quota.measure == QuotaMeasure.LOCALITIES:
        return _locality_rows(quota, units, activities, link)
    rows = []
    for depth in sorted({u.depth for u in units}):
        counts = branch_counts(activities, depth)
        for unit in (u for u in units if u.depth == depth):
            n = counts.get(unit.path, {}).get("total", 0)
            rows.append(
                QuotaRow(
                    unit,
                    n,
                    quota.minimum,
                    state_of(n, quota.minimum),
                    activity_list_url(**link, unit=unit.pk),
                )
            )
    rows.sort(key=lambda r: r.unit.path)
    return rows


def _localities_under(units: list[Unit]) -> dict[str, list[Unit]]:
    """The 村/社区 below each unit: {unit path: [localities]} (one query)."""
    if not units:
        return {}
    q = Q()
    for u in units:
        q |= Q(path__startswith=u.path)
    found: dict[str, list[Unit]] = {u.path: [] for u in units}
    for loc in Unit.objects.filter(q, kind__in=LOCALITY_KINDS).order_by("path"):
        for u in units:
            if loc.path.startswith(u.path):
                found[u.path].append(loc)
    return found


def reached_counts(activities: QuerySet, localities: list[Unit]) -> dict[str, int]:
    """ONE aggregate per depth: accepted activities per 村/社区 (by `locality`, or a unit
    below it) — {locality path: n}."""
    out: dict[str, int] = {}
    for depth in sorted({loc.depth for loc in localities}):
        counts = branch_counts(
            activities.filter(locality__isnull=False), depth, prefix="locality__path"
        )
        out.update({path: c["total"] for path, c in counts.items()})
    return out


def _locality_rows(quota, units, activities, link) -> list[QuotaRow]:
    under = _localities_under(units)
    all_locs = [loc for locs in under.values() for loc in locs]
    reached = reached_counts(activities, all_locs)
    rows = []
    for unit in units:
        locs = under[unit.path]
        missing = [loc for loc in locs if reached.get(loc.path, 0) < quota.minimum]
        done = len(locs) - len(missing)
        state = COVERED if not missing else (PARTLY if done else NONE)
        rows.append(
            QuotaRow(unit, done, len(locs), state, activity_list_url(**link, unit=unit.pk), missing)
        )
    return rows


def never_reached(
    town: Unit, year: int, *, scope_qs: QuerySet | None = None
) -> tuple[list[Unit], list[Unit]]:
    """(c) A 镇街's 村/社区 with no accepted activity this year (locality = it or below it).
    Returns (never reached, all of them)."""
    localities = list(
        Unit.objects.filter(path__startswith=town.path, kind__in=LOCALITY_KINDS).order_by("path")
    )
    activities = accepted(scope_qs).filter(
        held_on__gte=date(year, 1, 1),
        held_on__lte=date(year, 12, 31),
        locality__path__startswith=town.path,
    )
    reached = reached_counts(activities, localities)
    return [loc for loc in localities if not reached.get(loc.path)], localities


def campaigns_not_covered(campaign, viewer_unit: Unit, kind: str | None = None) -> list[Unit]:
    """Units (of `kind`, or the viewer's children) with no accepted activity of the campaign."""
    matrix = campaign_matrix(campaign, viewer_unit, kind=kind)
    return [row.unit for row in matrix.rows if row.total.count == 0]
