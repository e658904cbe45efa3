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


def change_of(score: UnitScore) -> Decimal | None:
    """Quarter-on-quarter change of a unit's total (None without a previous quarter)."""
    if score.previous_total is None:
        return None
    return score.total - score.previous_total


def item_loss(item: dict) -> Decimal:
    """The points one item of `UnitScore.items` costs: a scored item weight − score; a
    deduction −score; a bonus −score too, i.e. a gain (≤ 0): an unearned bonus is no loss.
    The one rule the ranking, the score page and the unit's dashboard read."""
    weight, points = Decimal(str(item.get("weight") or 0)), Decimal(str(item.get("score") or 0))
    if item.get("kind", Indicator.Kind.SCORED) == Indicator.Kind.SCORED:
        return weight - points
    return -points


def lost_points(score: UnitScore) -> list[dict]:
    """The items that cost the unit points, most first, each item dict plus "lost"."""
    rows = [{**item, "lost": str(item_loss(item))} for item in score.items]
    rows = [r for r in rows if Decimal(r["lost"]) > 0]
    return sorted(rows, key=lambda r: -Decimal(r["lost"]))
