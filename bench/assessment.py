"""Scoring a quarter for every unit (issue #13, Performance) against hand-written SQL.

`python -m bench.assessment [--scale 3] [--activities 200k] [--people 100k]
[--attendances 1m] [--repeat 5] [--keep] [--reuse-db NAME]` (PostgreSQL only).

Builds the demo tree with activities, campaigns and media posts (`bench.publicity.build`)
and people, sessions and attendance (`bench.training_shortfall.build`; one session in
ten turned into a grid-officer class), then times, medians after a warm-up:

(a) the platform: the formulas of `assessment.formulas` that the hand SQL computes —
    publicity activities and reach, campaign coverage, training sessions and 人次, grid
    training, new media, manual entries — for every assessed unit (新城, 镇街, 部门);
(b) the hand-written SQL computing the same indicators: one statement per indicator,
    each row grouped by its unit's branch at the 新城/部门 depth and at the 镇街 depth
    (UNION ALL of the two GROUP BYs over one CTE); the same numbers asserted;
(c) for information: the whole `score_quarter` with the default set (adds the plan
    statuses by the plan rules and 持证率, both benchmarked by their own apps) and the
    whole `compute_run` (adds the earlier quarters for the year to date, and the writes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

RATIO_TARGET = 2.0
COMPARED = (
    "publicity_activities",
    "campaign_coverage",
    "training_sessions",
    "grid_training",
    "media_output",
    "manual",
)
DEPTHS = (2, 3)

# One statement per indicator. {rows}: the CTE of (path, measures…); {aggs}: the aggregates.
_BRANCHES = """
WITH r AS ({rows})
SELECT substr(path, 1, 8) AS branch, {aggs} FROM r GROUP BY 1
UNION ALL
SELECT substr(path, 1, 12) AS branch, {aggs} FROM r WHERE length(path) >= 12 GROUP BY 1
"""
HAND = {
    "publicity_activities": (
        """SELECT u.path, a.participants FROM publicity_activity a
             JOIN orgs_unit u ON u.id = a.unit_id
            WHERE a.status = 'accepted' AND a.held_on BETWEEN %(first)s AND %(last)s""",
        "count(*) AS n, coalesce(sum(participants), 0) AS people",
    ),
    "campaign_coverage": (
        """SELECT u.path, ac.campaign_id FROM publicity_activity_campaigns ac
             JOIN publicity_activity a ON a.id = ac.activity_id
             JOIN publicity_campaign c ON c.id = ac.campaign_id
             JOIN orgs_unit u ON u.id = a.unit_id
            WHERE a.status = 'accepted' AND c.unit_id = %(root)s AND c.year = %(year)s
              AND c.start_date <= %(last)s AND c.end_date >= %(first)s""",
        "count(DISTINCT campaign_id) AS n",
    ),
    "training_sessions": (
        """SELECT u.path, s.id AS session_id, t.id AS attendance_id
             FROM training_trainingsession s
             JOIN orgs_unit u ON u.id = s.unit_id
             LEFT JOIN training_attendance t ON t.session_id = s.id
            WHERE s.status IN ('held', 'archived')
              AND (s.starts_at AT TIME ZONE %(tz)s)::date BETWEEN %(first)s AND %(last)s""",
        "count(DISTINCT session_id) AS n, count(attendance_id) AS people",
    ),
    "grid_training": (
        """SELECT u.path FROM training_trainingsession s JOIN orgs_unit u ON u.id = s.unit_id
            WHERE s.status IN ('held', 'archived') AND s.kind = 'grid_officer'
              AND (s.starts_at AT TIME ZONE %(tz)s)::date BETWEEN %(first)s AND %(last)s""",
        "count(*) AS n",
    ),
    "media_output": (
        """SELECT u.path FROM publicity_mediapost m JOIN orgs_unit u ON u.id = m.unit_id
            WHERE m.published_on BETWEEN %(first)s AND %(last)s""",
        "count(*) AS n",
    ),
}
HAND_MANUAL = """
SELECT e.unit_id, e.indicator_id, sum(e.points) AS points FROM assessment_manualentry e
 WHERE e.indicator_id = ANY(%(indicators)s) AND e.year = %(year)s AND e.quarter = %(quarter)s
 GROUP BY 1, 2
"""


def _median_s(fn, repeat: int) -> tuple[float, object]:
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def hand_scores(units, year: int, quarter: int, manual_ids: list[int]) -> dict:
    """{source: {unit_id: (value, …)}} by the hand-written SQL."""
    from django.conf import settings
    from django.db import connection

    from xuanpei.assessment.formulas import quarter_bounds

    first, last = quarter_bounds(year, quarter)
    from xuanpei.assessment.services_scoring import district_root

    root = district_root()
    params = {
        "first": first,
        "last": last,
        "year": year,
        "quarter": quarter,
        "root": root.pk,
        "tz": settings.TIME_ZONE,
        "indicators": manual_ids,
    }
    by_path = {u.path: u.pk for u in units}
    out = {}
    with connection.cursor() as cursor:
        for source, (rows, aggs) in HAND.items():
            cursor.execute(_BRANCHES.format(rows=rows, aggs=aggs), params)
            got = {pk: None for pk in by_path.values()}
            for branch, *values in cursor.fetchall():
                if branch in by_path:
                    got[by_path[branch]] = tuple(int(v) for v in values)
            out[source] = got
        cursor.execute(HAND_MANUAL, params)
        out["manual"] = {(u, i): p for u, i, p in cursor.fetchall()}
    return out


def platform_scores(indicators, units, year: int, quarter: int) -> dict:
    """{indicator: {unit_id: Result}} by the platform's formulas."""
    from xuanpei.assessment.formulas import FORMULAS, assessed_kind

    out = {}
    for ind in indicators:
        applies = [u for u in units if assessed_kind(u) in ind.applies_to]
        params = {**ind.params, "_indicator": ind}
        out[ind] = FORMULAS[ind.source](applies, year, quarter, params=params)
    return out


def mismatches(platform: dict, hand: dict) -> list[str]:
    """Where the platform's value differs from the hand SQL's (a missing branch is 0)."""
    from decimal import Decimal

    wrong = []
    for ind, results in platform.items():
        for pk, res in results.items():
            if ind.source == "manual":
                want = hand["manual"].get((pk, ind.pk), Decimal(0))
            else:
                want = (hand[ind.source].get(pk) or (0,))[0]
            if Decimal(res.value) != Decimal(want):
                wrong.append(f"{ind.code} unit {pk}: platform {res.value}, SQL {want}")
    return wrong


def add_manual_entries(year: int, quarter: int) -> int:
    """A 督查 deduction and a bonus for every third assessed unit."""
    from decimal import Decimal

    from xuanpei.assessment import indicators as library
    from xuanpei.assessment.models import ManualEntry
    from xuanpei.assessment.services_scoring import assessed_units, district_root

    indicator_set = library.ensure_default_set(year, unit=district_root())
    manual = {i.code: i for i in indicator_set.indicators.filter(source="manual")}
    entries = [
        ManualEntry(
            indicator=manual[code],
            unit=u,
            year=year,
            quarter=quarter,
            points=Decimal(points),
            reason="基准录入",
        )
        for n, u in enumerate(assessed_units())
        if n % 3 == 0
        for code, points in (("inspection_deduction", "-2"), ("inspection_bonus", "1"))
    ]
    return len(ManualEntry.objects.bulk_create(entries))


def add_grid_sessions_and_entries(year: int, quarter: int) -> dict:
    """One session in ten becomes a grid-officer class; a manual deduction and bonus for
    every third assessed unit."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE training_trainingsession SET kind = 'grid_officer' WHERE id % 10 = 0"
        )
        grid = cursor.rowcount
    return {"grid_sessions": grid, "manual_entries": add_manual_entries(year, quarter)}


def measure(*, year: int, quarter: int, repeat: int = 5) -> dict:
    from xuanpei.assessment.models import IndicatorSet
    from xuanpei.assessment.services_scoring import (
        assessed_units,
        compute_run,
        district_root,
        score_quarter,
    )

    root = district_root()
    indicator_set = IndicatorSet.objects.get(unit=root, year=year)
    compared = [i for i in indicator_set.indicators.all() if i.source in COMPARED]
    manual_ids = [i.pk for i in compared if i.source == "manual"]
    units = assessed_units()
    hand_s, hand = _median_s(lambda: hand_scores(units, year, quarter, manual_ids), repeat)
    ours_s, ours = _median_s(lambda: platform_scores(compared, units, year, quarter), repeat)
    wrong = mismatches(ours, hand)
    nonzero = sum(1 for results in ours.values() for r in results.values() if r.value)
    whole_s, _ = _median_s(
        lambda: score_quarter(indicator_set, assessed_units(), year, quarter), repeat
    )
    t = time.perf_counter()
    compute_run(year=year, quarter=quarter, actor=None)
    run_s = time.perf_counter() - t
    return {
        "units": len(units),
        "indicators": [i.code for i in compared],
        "hand_sql_s": hand_s,
        "platform_s": ours_s,
        "ratio": ours_s / hand_s if hand_s else None,
        "target": RATIO_TARGET,
        "pass": not wrong and ours_s <= RATIO_TARGET * hand_s,
        "mismatches": wrong[:20],
        "nonzero_values": nonzero,
        "score_quarter_s": whole_s,
        "compute_run_s": run_s,
    }


def main(argv: list[str] | None = None) -> int:
    from bench.gen_roster import parse_count
    from bench.measure import app_env, check, create_db, drop_db, pg_url, run_measured, xuanpei_cmd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=3)
    parser.add_argument("--activities", type=parse_count, default=200_000)
    parser.add_argument("--people", type=parse_count, default=100_000)
    parser.add_argument("--attendances", type=parse_count, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse-db", metavar="NAME")
    args = parser.parse_args(argv)
    name = args.reuse_db or f"xp_bench_{os.getpid()}_assessment"
    url = pg_url(name)
    counts: dict = {}
    try:
        if not args.reuse_db:
            create_db(name)
            check(run_measured(xuanpei_cmd("migrate", "--noinput"), env=app_env(url)), "migrate")
        os.environ["DATABASE_URL"] = url
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
        import django

        django.setup()
        from django.utils import timezone

        from bench import publicity, training_shortfall

        today = timezone.localdate()
        # The last ended quarter (the one a bulletin is written for).
        year, quarter = (
            (today.year, (today.month - 1) // 3)
            if today.month > 3
            else (
                today.year - 1,
                4,
            )
        )
        if not args.reuse_db:
            counts["publicity"] = publicity.build(
                activities=args.activities, media=2 * args.activities, scale=args.scale
            )
            counts["training"] = training_shortfall.build(
                people=args.people, attendances=args.attendances
            )
            counts.update(add_grid_sessions_and_entries(year, quarter))
        print(f"assessment data: {counts}", flush=True)
        result = {"db": "postgres", "counts": counts, "period": f"{year}Q{quarter}"}
        result.update(measure(year=year, quarter=quarter, repeat=args.repeat))
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep or args.reuse_db:
            print(f"kept database {name} (measure it again with --reuse-db {name})", flush=True)
        else:
            drop_db(name)
    print(result, flush=True)
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
