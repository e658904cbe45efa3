"""Read helpers over the frozen scores (issue #13 items 2 and 4): what pages and the
bulletin read of a run without recomputing anything. Pass a scoped queryset
(`UnitScore.objects.for_user(user)`) where a user is involved."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from xuanpei.assessment.models import AssessedKind, Indicator, QuarterRun, UnitScore


def published_runs(year: int | None = None) -> QuerySet:
    runs = QuarterRun.objects.filter(status=QuarterRun.Status.PUBLISHED)
    return runs.filter(year=year) if year else runs


def ranked(scores: QuerySet) -> dict[str, list[UnitScore]]:
    """{assessed kind: its scores by rank} (kinds in the AssessedKind order)."""
    out: dict[str, list[UnitScore]] = {kind.value: [] for kind in AssessedKind}
    for score in scores.select_related("unit").order_by("rank", "unit__path"):
        out[score.assessed_kind].append(score)
    return {kind: rows for kind, rows in out.items() if rows}


def trend(scores: QuerySet, unit, year: int) -> list[tuple[int, Decimal, int]]:
    """[(quarter, total, rank)] of the unit's published quarters of the year."""
    return list(
        scores.filter(unit=unit, run__year=year, run__status=QuarterRun.Status.PUBLISHED)
        .order_by("run__quarter")
        .values_list("run__quarter", "total", "rank")
    )


def lost_points(score: UnitScore) -> list[dict]:
    """The items that cost the unit points, most first: scored items below their weight
    (lost = weight − score) and deductions (lost = −score), each item dict plus "lost"."""
    rows = []
    for item in score.items:
        weight, points = Decimal(item["weight"]), Decimal(item["score"])
        if item.get("kind") == Indicator.Kind.DEDUCTION:
            lost = -points
        elif item.get("kind", Indicator.Kind.SCORED) == Indicator.Kind.SCORED:
            lost = weight - points
        else:
            continue
        if lost > 0:
            rows.append({**item, "lost": str(lost)})
    return sorted(rows, key=lambda r: -Decimal(r["lost"]))
