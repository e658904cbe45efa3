"""The indicator formulas over the platform's data (issue #13 item 1).

`FORMULAS[source](units, year, quarter, *, params) -> {unit_id: Result}` scores every
assessed unit at once: each formula is one or two grouped queries whatever the number of
units (rows grouped by their unit's path, summed up to each asked unit in Python: a
unit's figure counts its whole subtree, as the publicity coverage and the plan metrics do).

`Result.score_ratio` is 0..1; the indicator's score is `weight × score_ratio` (see
`services_scoring`). `detail` is the Chinese sentence shown next to the score and
`records_url` the list of the records behind it (the apps' own list pages, filtered).

Quotas ("each 新城 ≥ 6 accepted activities a quarter") are the indicator's `params`,
keyed by assessed kind: {"quota": {"new_town": 6, "town_street": 3, "department": 2}}.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import NoReverseMatch, reverse

from xuanpei.assessment.models import AssessedKind, Indicator, ManualEntry
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit

ONE = Decimal(1)
ZERO = Decimal(0)


@dataclass
class Result:
    value: Decimal
    score_ratio: Decimal
    detail: str
    records_url: str = ""


def assessed_kind(unit: Unit) -> str | None:
    """新城 → new_town, 镇/街道 → town_street, 行业部门 → department; others are not assessed."""
    return {
        UnitKind.NEW_TOWN: AssessedKind.NEW_TOWN,
        UnitKind.TOWN: AssessedKind.TOWN_STREET,
        UnitKind.SUBDISTRICT: AssessedKind.TOWN_STREET,
        UnitKind.DEPARTMENT: AssessedKind.DEPARTMENT,
    }.get(unit.kind)


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First and last day of the quarter."""
    first = date(year, 3 * quarter - 2, 1)
    return first, date(year, 3 * quarter, monthrange(year, 3 * quarter)[1])


def ratio(done, wanted) -> Decimal:
    """done / wanted capped at 1 (nothing wanted = fully met)."""
    done, wanted = Decimal(done), Decimal(wanted)
    if wanted <= 0:
        return ONE
    return min(ONE, done / wanted)


def quota_of(params: dict, unit: Unit, key: str = "quota", default: int = 1) -> int:
    quotas = params.get(key) or {}
    if isinstance(quotas, int | float):
        return int(quotas)
    return int(quotas.get(assessed_kind(unit) or "", default))


def url(name: str, *args, **query) -> str:
    """A list page filtered by `query`, or "" when the page is not mounted."""
    try:
        base = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


def subtree_sums(queryset, units: list[Unit], *, unit_field: str = "unit", **aggregates):
    """ONE query: {unit_id: {name: total}} of `aggregates` over the rows of each unit's
    subtree (rows grouped by their unit's path, summed up to each asked unit)."""
    path = f"{unit_field}__path"
    result = {u.pk: dict.fromkeys(aggregates, 0) for u in units}
    if not units:
        return result
    roots = sorted({u.path for u in units})
    outer = [p for i, p in enumerate(roots) if not any(p.startswith(q) for q in roots[:i])]
    where = Q()
    for p in outer:
        where |= Q(**{f"{path}__startswith": p})
    rows = queryset.filter(where).order_by().values(path).annotate(**aggregates)
    by_path = sorted(units, key=lambda u: u.path)
    for row in rows:
        for u in by_path:
            if row[path].startswith(u.path):
                totals = result[u.pk]
                for name in aggregates:
                    totals[name] += row[name] or 0
    return result


# --- formulas --------------------------------------------------------------------------


def plan_on_time(units, year, quarter, *, params):
    """三(一)–三(二), 四(六): the unit's assignments of the year's district plan that are not
    overdue on the quarter's last day (statuses by the plan rules, `plans.status_bulk`)."""
    from xuanpei.plans.choices import AssignmentStatus, PlanKind, PlanStatus
    from xuanpei.plans.models import Assignment
    from xuanpei.plans.status_bulk import compute_statuses

    _first, last = quarter_bounds(year, quarter)
    on = min(last, params.get("_today") or last)
    rows = list(
        Assignment.objects.filter(
            unit__in=units,
            task__plan__kind=PlanKind.DISTRICT,
            task__plan__year=year,
            task__plan__status__in=[PlanStatus.ISSUED, PlanStatus.CLOSED],
        ).select_related("task__plan")
    )
    statuses = compute_statuses(rows, on) if rows else {}
    counts = {u.pk: [0, 0] for u in units}
    plans = {}
    for a in rows:
        counts[a.unit_id][0] += 1
        counts[a.unit_id][1] += statuses[a.pk].status == AssignmentStatus.OVERDUE
        plans[a.unit_id] = a.task.plan_id
    out = {}
    for u in units:
        total, overdue = counts[u.pk]
        done = total - overdue
        detail = f"按期完成 {done}/{total} 项" if total else "本年度无分解任务"
        if overdue:
            detail += f"（逾期 {overdue} 项）"
        link = url("plans:plan_matrix", plans[u.pk], unit=u.pk) if u.pk in plans else ""
        out[u.pk] = Result(Decimal(done), ratio(done, total), detail, link)
    return out


def _accepted_activities():
    from xuanpei.publicity.models_ledger import Activity, ReviewStatus

    return Activity.objects.filter(status=ReviewStatus.ACCEPTED)


def publicity_activities(units, year, quarter, *, params):
    """三(一)3: accepted activities held in the quarter (and the people reached) against
    the quarter's quota by unit type; half the ratio each when a reach quota is set."""
    first, last = quarter_bounds(year, quarter)
    sums = subtree_sums(
        _accepted_activities().filter(held_on__range=(first, last)),
        units,
        n=Count("pk"),
        people=Sum("participants"),
    )
    out = {}
    for u in units:
        n, people = sums[u.pk]["n"], sums[u.pk]["people"]
        quota, reach = quota_of(params, u), quota_of(params, u, "reach", 0)
        share = ratio(n, quota) if not reach else (ratio(n, quota) + ratio(people, reach)) / 2
        detail = f"开展活动 {n} 次（应 ≥ {quota} 次），覆盖 {people} 人"
        if reach:
            detail += f"（应 ≥ {reach} 人）"
        link = url(
            "publicity:activity_list",
            unit=u.pk,
            status="accepted",
            start=first.isoformat(),
            end=last.isoformat(),
        )
        out[u.pk] = Result(Decimal(n), share, detail, link)
    return out


def campaign_coverage(units, year, quarter, *, params):
    """三(一)5: the district's campaigns running in the quarter that the unit covered
    (at least one accepted activity linked to the campaign in its subtree)."""
    from xuanpei.publicity.models import Campaign

    first, last = quarter_bounds(year, quarter)
    root = Unit.objects.get_first_root_node()
    campaigns = list(
        Campaign.objects.filter(
            unit=root, year=year, start_date__lte=last, end_date__gte=first
        ).values_list("pk", flat=True)
    )
    aggregates = {f"c{pk}": Count("pk", filter=Q(campaigns=pk), distinct=True) for pk in campaigns}
    sums = (
        subtree_sums(_accepted_activities().filter(campaigns__in=campaigns), units, **aggregates)
        if campaigns
        else {u.pk: {} for u in units}
    )
    out = {}
    for u in units:
        covered = sum(1 for v in sums[u.pk].values() if v)
        total = len(campaigns)
        detail = f"覆盖主题活动 {covered}/{total} 项" if total else "本季度无主题活动"
        link = url("publicity:activity_list", unit=u.pk, status="accepted")
        out[u.pk] = Result(Decimal(covered), ratio(covered, total), detail, link)
    return out


def training_sessions(units, year, quarter, *, params):
    """三(二): held training sessions and 人次 in the quarter against the schedule's quota
    by unit type (half the ratio each)."""
    from xuanpei.training.models import Attendance, TrainingSession

    first, last = quarter_bounds(year, quarter)
    done = (TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED)
    sessions = subtree_sums(
        TrainingSession.objects.filter(status__in=done, starts_at__date__range=(first, last)),
        units,
        n=Count("pk"),
    )
    people = subtree_sums(
        Attendance.objects.filter(
            session__status__in=done, session__starts_at__date__range=(first, last)
        ),
        units,
        unit_field="session__unit",
        n=Count("pk"),
    )
    out = {}
    for u in units:
        s, p = sessions[u.pk]["n"], people[u.pk]["n"]
        qs, qp = quota_of(params, u), quota_of(params, u, "people", 0)
        share = (ratio(s, qs) + ratio(p, qp)) / 2
        detail = f"举办培训 {s} 期（应 ≥ {qs} 期），{p} 人次（应 ≥ {qp} 人次）"
        link = url(
            "training:session_list",
            unit=u.pk,
            date_from=first.isoformat(),
            date_to=last.isoformat(),
            status="done",
        )
        out[u.pk] = Result(Decimal(s), share, detail, link)
    return out


def post_compliance(units, year, quarter, *, params):
    """三(二)2(1): 三项岗位持证率 on the quarter's last day, as the compliance dashboard
    counts it (`workforce.compliance.compliance_summary`: open enterprises only; the
    day's snapshot when there is one — a quarter's last day is a month-end, kept once
    made — else live): a 新城/镇街 over the enterprises of its subtree, a 行业部门 over
    the enterprises it supervises. The share of the score is the rate (100% = full
    marks); no post = full marks."""
    from xuanpei.workforce import compliance

    _first, last = quarter_bounds(year, quarter)
    source = compliance.source_for(last)
    groups = []
    if any(u.kind != UnitKind.DEPARTMENT for u in units):
        groups += ["new_town", "town"]
    if any(u.kind == UnitKind.DEPARTMENT for u in units):
        groups.append("department")
    rows = {}
    for group in groups:
        summary = compliance.compliance_summary(None, last, group_by=group, source=source)
        for row in summary.rows:
            if not row.extra.get("own_level"):  # a new town's 本级 row is not its subtree
                rows[row.key] = row
    out = {}
    for u in units:
        row = rows.get(u.pk)
        req, ok = (row.required, row.compliant) if row else (0, 0)
        rate = ratio(ok, req)
        detail = f"持证 {ok}/{req} 人，持证率 {rate * 100:.1f}%" if req else "无应持证岗位"
        link = url("workforce:compliance_unit", u.pk)
        out[u.pk] = Result((rate * 100).quantize(Decimal("0.1")), rate, detail, link)
    return out


def grid_training(units, year, quarter, *, params):
    """三(二)2(2): 各新城每季度至少组织开展一次网格员培训 — held grid-officer sessions of the
    subtree in the quarter against the minimum (default 1)."""
    from xuanpei.training.models import TrainingSession

    first, last = quarter_bounds(year, quarter)
    sums = subtree_sums(
        TrainingSession.objects.filter(
            status__in=(TrainingSession.Status.HELD, TrainingSession.Status.ARCHIVED),
            kind=TrainingSession.Kind.GRID_OFFICER,
            starts_at__date__range=(first, last),
        ),
        units,
        n=Count("pk"),
    )
    minimum = int(params.get("minimum", 1))
    out = {}
    for u in units:
        n = sums[u.pk]["n"]
        detail = f"网格员培训 {n} 次（应 ≥ {minimum} 次）" + ("" if n >= minimum else "，未达要求")
        link = url(
            "training:session_list",
            unit=u.pk,
            kind=TrainingSession.Kind.GRID_OFFICER,
            date_from=first.isoformat(),
            date_to=last.isoformat(),
            status="done",
        )
        out[u.pk] = Result(Decimal(n), ratio(n, minimum), detail, link)
    return out


def media_output(units, year, quarter, *, params):
    """四(四): new-media posts published in the quarter by the subtree against the quota."""
    from xuanpei.publicity.models_ledger import MediaPost

    first, last = quarter_bounds(year, quarter)
    sums = subtree_sums(
        MediaPost.objects.filter(published_on__range=(first, last)), units, n=Count("pk")
    )
    out = {}
    for u in units:
        n, quota = sums[u.pk]["n"], quota_of(params, u)
        link = url(
            "publicity:media_list",
            unit=u.pk,
            date_from=first.isoformat(),
            date_to=last.isoformat(),
        )
        out[u.pk] = Result(
            Decimal(n), ratio(n, quota), f"新媒体发布 {n} 条（应 ≥ {quota} 条）", link
        )
    return out


def manual(units, year, quarter, *, params):
    """A manual indicator: the sum of the unit's ManualEntry points for the quarter
    (`params["_indicator"]` is the Indicator). `score_ratio` is points / weight (capped
    by the caller); the value is the signed sum of points."""
    indicator: Indicator = params["_indicator"]
    rows = (
        ManualEntry.objects.filter(indicator=indicator, year=year, quarter=quarter, unit__in=units)
        .order_by()
        .values("unit")
        .annotate(points=Sum("points"), n=Count("pk"))
    )
    sums = {r["unit"]: (r["points"] or ZERO, r["n"]) for r in rows}
    weight = indicator.weight or ONE
    out = {}
    for u in units:
        points, n = sums.get(u.pk, (ZERO, 0))
        detail = f"录入 {n} 条，合计 {points:+.2f} 分" if n else "无录入"
        link = url(
            "assessment:entry_list", indicator=indicator.code, unit=u.pk, year=year, quarter=quarter
        )
        counted = abs(points) if indicator.kind == Indicator.Kind.DEDUCTION else max(points, ZERO)
        share = min(ONE, counted / weight)
        out[u.pk] = Result(points, share, detail, link)
    return out


Formula = Callable[..., dict[int, Result]]

FORMULAS: dict[str, Formula] = {
    "plan_on_time": plan_on_time,
    "publicity_activities": publicity_activities,
    "campaign_coverage": campaign_coverage,
    "training_sessions": training_sessions,
    "post_compliance": post_compliance,
    "grid_training": grid_training,
    "media_output": media_output,
    "manual": manual,
}
