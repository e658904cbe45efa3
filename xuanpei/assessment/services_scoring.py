"""Quarterly scoring (issue #13 item 2): compute a quarter's run, publish (freeze) it,
reading the manual entries (督查 deductions and bonuses, typical cases) that
`services_entries` writes.

`compute_run` (re)writes one `UnitScore` per assessed unit (新城, 镇/街道, 行业部门) of
the district's run for the quarter: `items` is one dict per indicator that applies to
the unit's type —

    {"code", "name", "kind" (scored/bonus/deduction), "weight", "value", "score",
     "detail" (Chinese sentence), "records_url" (the list of the records behind it)}

with `weight`, `value` and `score` as decimal strings ("15.00"). `total` = the scored
items (each at most its weight) + bonuses (each capped at its weight) − deductions
(each capped at its weight). `ytd_total` is the MEAN of the year's quarter totals up to
this one (a published quarter counts with its frozen total, another is computed with
this year's set), so it stays on the 100-point scale. `previous_total` is the previous
quarter's published total, else its existing draft total, else computed (for Q1: the
previous year's Q4 run, if any; else empty). `rank` is within the assessed kind, 1 =
best, ties share a rank (1, 1, 3).

A published run is never recomputed; `publish_run` keeps `snapshot` (the indicator set
as it stood) and the rows are never written again, whatever changes later.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.assessment import indicators as library
from xuanpei.assessment.formulas import FORMULAS, assessed_kind, quarter_bounds
from xuanpei.assessment.models import (
    AssessedKind,
    Indicator,
    IndicatorSet,
    QuarterRun,
    UnitScore,
)

# The manual entries live in services_entries; re-exported for the existing callers.
from xuanpei.assessment.services_entries import (
    DEDUCTION_NEEDS,
    entry_errors,
    save_manual_entry,
)
from xuanpei.core.permissions import is_district_admin
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit

CENT = Decimal("0.01")
UNENDED = gettext_lazy("季度尚未结束，只能保存为草稿，不能发布")
ASSESSED_UNIT_KINDS = (UnitKind.NEW_TOWN, UnitKind.TOWN, UnitKind.SUBDISTRICT, UnitKind.DEPARTMENT)


def district_root() -> Unit:
    root = Unit.objects.get_first_root_node()
    if root is None:
        raise ValidationError(_("单位树中还没有区（根单位），请先建立单位树"), code="no_district")
    return root


def assessed_units() -> list[Unit]:
    return list(Unit.objects.filter(kind__in=ASSESSED_UNIT_KINDS).order_by("path"))


def quarter_ended(year: int, quarter: int, today: date | None = None) -> bool:
    """A quarter has ended once its last day is over (on the last day it is still running)."""
    today = today or timezone.localdate()
    return today > quarter_bounds(year, quarter)[1]


def _check_actor(actor) -> None:
    if actor is not None and not is_district_admin(actor):
        raise PermissionDenied(_("只有区级管理员可以计算或发布季度考核"))


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def score_quarter(
    indicator_set: IndicatorSet,
    units: list[Unit],
    year: int,
    quarter: int,
    *,
    today: date | None = None,
) -> dict[int, tuple[Decimal, list[dict]]]:
    """{unit_id: (total, items)} for the quarter under `indicator_set` (nothing written)."""
    results = {}
    for ind in indicator_set.indicators.order_by("sort_order", "pk"):
        applies = [u for u in units if assessed_kind(u) in (ind.applies_to or [])]
        if not applies:
            continue
        formula = FORMULAS.get(ind.source)
        if formula is None:
            raise ValidationError(
                _("指标“%(name)s”的数据来源“%(source)s”不存在")
                % {"name": ind.name, "source": ind.source},
                code="source",
            )
        params = {**(ind.params or {}), "_indicator": ind, "_today": today}
        results[ind] = formula(applies, year, quarter, params=params)
    out = {}
    for unit in units:
        items, total = [], Decimal(0)
        for ind, by_unit in results.items():
            if unit.pk not in by_unit:
                continue
            res = by_unit[unit.pk]
            points = _money(ind.weight * min(Decimal(1), max(Decimal(0), res.score_ratio)))
            if ind.kind == Indicator.Kind.DEDUCTION:
                points = -points
            total += points
            items.append(
                {
                    "code": ind.code,
                    "name": ind.name,
                    "kind": ind.kind,
                    "weight": str(_money(ind.weight)),
                    "value": str(res.value),
                    "score": str(points),
                    "detail": res.detail,
                    "records_url": res.records_url,
                }
            )
        out[unit.pk] = (_money(total), items)
    return out


def ranks(totals: dict[int, tuple[str, Decimal]]) -> dict[int, int]:
    """{unit_id: rank} within each kind from {unit_id: (kind, total)}: 1 = best, ties share
    a rank and the next rank skips (1, 1, 3)."""
    by_kind: dict[str, list[tuple[Decimal, int]]] = defaultdict(list)
    for pk, (kind, total) in totals.items():
        by_kind[kind].append((total, pk))
    out = {}
    for rows in by_kind.values():
        rows.sort(key=lambda r: -r[0])
        for i, (total, pk) in enumerate(rows):
            out[pk] = i + 1 if i == 0 or total != rows[i - 1][0] else out[rows[i - 1][1]]
    return out


def _stored_totals(root: Unit, year: int, quarter: int) -> dict[int, Decimal] | None:
    run = QuarterRun.objects.filter(unit=root, year=year, quarter=quarter).first()
    if run is None or not run.scores.exists():
        return None
    return dict(run.scores.values_list("unit_id", "total"))


def _quarter_totals(root, indicator_set, units, year, quarter, today, cache) -> dict:
    """Totals of an earlier quarter: a published run's frozen rows, else computed."""
    if quarter not in cache:
        run = QuarterRun.objects.filter(
            unit=root, year=year, quarter=quarter, status=QuarterRun.Status.PUBLISHED
        ).first()
        if run is not None:
            cache[quarter] = dict(run.scores.values_list("unit_id", "total"))
        else:
            scored = score_quarter(indicator_set, units, year, quarter, today=today)
            cache[quarter] = {pk: total for pk, (total, _items) in scored.items()}
    return cache[quarter]


@transaction.atomic
def compute_run(
    *, year: int, quarter: int, actor, today: date | None = None, progress=None
) -> QuarterRun:
    """(Re)compute the district's run for the quarter (see the module docstring)."""
    _check_actor(actor)
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(_("季度应为 1–4"), code="quarter")
    today = today or timezone.localdate()
    root = district_root()
    run = QuarterRun.objects.select_for_update().filter(unit=root, year=year, quarter=quarter)
    run = run.first()
    if run is not None and run.status == QuarterRun.Status.PUBLISHED:
        raise ValidationError(_("该季度考核已发布，不能重新计算"), code="published")
    indicator_set = IndicatorSet.objects.filter(
        unit=root, year=year
    ).first() or library.ensure_default_set(year, unit=root)
    library.validate_weights(indicator_set)
    units = assessed_units()
    steps = quarter + 1
    report = progress or (lambda done, total: None)
    report(0, steps)
    current = score_quarter(indicator_set, units, year, quarter, today=today)
    report(1, steps)
    cache: dict[int, dict] = {quarter: {pk: total for pk, (total, _i) in current.items()}}
    for q in range(1, quarter):
        _quarter_totals(root, indicator_set, units, year, q, today, cache)
        report(1 + q, steps)
    # Q1's previous quarter is last year's Q4 (its run's rows if there is one).
    previous = cache[quarter - 1] if quarter > 1 else (_stored_totals(root, year - 1, 4) or {})
    kinds = {u.pk: assessed_kind(u) for u in units}
    ranked = ranks({pk: (kinds[pk], total) for pk, (total, _i) in current.items()})
    now = timezone.now()
    ended = quarter_ended(year, quarter, today)
    if run is None:
        run = QuarterRun.objects.create(
            unit=root, indicator_set=indicator_set, year=year, quarter=quarter
        )
    run.indicator_set, run.quarter_ended, run.computed_at = indicator_set, ended, now
    run.save(update_fields=["indicator_set", "quarter_ended", "computed_at"])
    run.scores.all().delete()
    UnitScore.objects.bulk_create(
        UnitScore(
            run=run,
            unit=u,
            assessed_kind=kinds[u.pk],
            total=current[u.pk][0],
            ytd_total=_money(sum(cache[q].get(u.pk, 0) for q in range(1, quarter + 1)) / quarter),
            previous_total=previous.get(u.pk),
            rank=ranked[u.pk],
            items=current[u.pk][1],
        )
        for u in units
    )
    report(steps, steps)
    return run


@transaction.atomic
def publish_run(*, run: QuarterRun, actor, today: date | None = None) -> QuarterRun:
    """Freeze the run: published, with the snapshot of the indicator set as it stood.
    Refused for a quarter not over on `today` (default: today), and for a run computed
    before its quarter ended (recompute it first)."""
    _check_actor(actor)
    run = QuarterRun.objects.select_for_update().get(pk=run.pk)
    if run.status == QuarterRun.Status.PUBLISHED:
        raise ValidationError(_("该季度考核已发布，不能重复发布"), code="published")
    if not run.quarter_ended and not quarter_ended(run.year, run.quarter, today):
        raise ValidationError(UNENDED, code="unended")
    if not run.quarter_ended:
        # Computed before the quarter ended: its figures are partial. Recompute first.
        raise ValidationError(_("该季度考核计算于季度结束前，请重新计算后再发布"), code="stale")
    run.status = QuarterRun.Status.PUBLISHED
    run.published_at, run.published_by = timezone.now(), actor
    run.snapshot = library.snapshot(run.indicator_set)
    run.save(update_fields=["status", "published_at", "published_by", "snapshot"])
    return run


def find_run(year: int, quarter: int) -> QuarterRun | None:
    return QuarterRun.objects.filter(unit=district_root(), year=year, quarter=quarter).first()


def run_compute_job(job, progress) -> dict:
    """Job handler "assessment_compute": params {year, quarter}."""
    year, quarter = int(job.params["year"]), int(job.params["quarter"])
    run = compute_run(year=year, quarter=quarter, actor=job.user, progress=progress)
    return {
        "run": run.pk,
        "scores": run.scores.count(),
        "quarter_ended": run.quarter_ended,
        "message": _("已计算%(run)s考核") % {"run": run},
        # The job page forwards to the ranking (core.views_jobs.JobStatusView).
        "url": reverse("assessment:score_list") + f"?quarter={year}Q{quarter}",
        "link": _("查看考核得分"),
        "forward": True,
    }


__all__ = [
    "DEDUCTION_NEEDS",
    "AssessedKind",
    "compute_run",
    "entry_errors",
    "find_run",
    "publish_run",
    "ranks",
    "run_compute_job",
    "save_manual_entry",
    "score_quarter",
]
