"""Activity import benchmark (issue #11): `xuanpei import activities FILE --json` against
the calamine-read + COPY limit of the roster benchmark (`bench.limits`), same run.

A fresh `xuanpei_bench_<pid>_activities` PostgreSQL database is migrated and seeded
in a subprocess (`python -m bench.activities seed`: the demo district, the district's
campaigns and plan tasks of `gen_activities.YEAR`), which prints the unit tree; the
file (`bench.gen_activities`, cached in var/bench/) names those units. Then the limit
(`limits.measure("xlsx", …)`) and our import run on the same file, each in its own
subprocess: wall time → rows/s, `bench.peak` → peak RSS.
"""

from __future__ import annotations

import argparse
import json
import os
from unittest import mock

from bench import floor, limits
from bench.gen_activities import CAMPAIGNS, TASKS, YEAR, ActivityFile, activity_file
from bench.measure import (
    app_env,
    check,
    fresh_pg_db,
    measure_import,
    pg_connect,
    pg_url,
    python_module_cmd,
    run_measured,
    xuanpei_cmd,
)

SPEED_RATIO_TARGET = 0.30
# What an activity import stores, parents first (bench.floor inserts them in this order).
FLOOR_TABLES = (
    "publicity_activity",
    "publicity_activity_campaigns",
    "publicity_activity_tasks",
    "publicity_activity_audiences",
    "publicity_activity_forms",
    "audit_importbatch",
    "audit_importbatchrow",
)
COUNT_SQL = {
    "activities": "SELECT count(*) FROM publicity_activity",
    "campaign_links": "SELECT count(*) FROM publicity_activity_campaigns",
    "task_links": "SELECT count(*) FROM publicity_activity_tasks",
    "audience_links": "SELECT count(*) FROM publicity_activity_audiences",
    "form_links": "SELECT count(*) FROM publicity_activity_forms",
    "batch_rows": "SELECT count(*) FROM audit_importbatchrow",
    "log_entries": "SELECT count(*) FROM auditlog_logentry",
}


# --- Seeding (in the bench database's own subprocess) -----------------------------------


def seed() -> dict:
    """Demo district, the district's campaigns and plan tasks of YEAR; returns the tree."""
    from datetime import date

    from django.db import transaction

    from xuanpei.orgs.choices import UnitKind
    from xuanpei.orgs.demo import demo_exists, seed_demo
    from xuanpei.orgs.models import Unit
    from xuanpei.plans.choices import PlanKind, PlanStatus, TaskKind
    from xuanpei.plans.models import Plan, Task
    from xuanpei.publicity.dictionaries import ensure_ledger_dictionaries
    from xuanpei.publicity.models import Campaign

    if not demo_exists():
        seed_demo(scale=1)
    ensure_ledger_dictionaries()
    root = Unit.objects.get_first_root_node()
    with transaction.atomic():
        for name, (m1, d1), (m2, d2) in CAMPAIGNS:
            Campaign.objects.get_or_create(
                unit=root,
                year=YEAR,
                name=name,
                defaults={"start_date": date(YEAR, m1, d1), "end_date": date(YEAR, m2, d2)},
            )
        plan, _ = Plan.objects.get_or_create(
            unit=root,
            year=YEAR,
            kind=PlanKind.DISTRICT,
            defaults={"title": f"{YEAR}年安全生产宣传教育培训计划", "status": PlanStatus.ISSUED},
        )
        for order, number in enumerate(TASKS, start=1):
            Task.objects.get_or_create(
                plan=plan,
                number=number,
                defaults={"order": order, "title": f"宣传任务{number}", "kind": TaskKind.PUBLICITY},
            )
    tree = {"district": root.name, "new_towns": []}
    for nt in Unit.objects.get_children(root).filter(kind=UnitKind.NEW_TOWN).order_by("path"):
        towns = []
        for town in Unit.objects.get_children(nt).order_by("path"):
            villages = [v.name for v in Unit.objects.get_children(town).order_by("path")]
            towns.append({"name": town.name, "villages": villages})
        tree["new_towns"].append({"name": nt.name, "towns": towns})
    return tree


def _prepare(db: str) -> dict:
    env = app_env(pg_url(db))
    migrate = check(run_measured(xuanpei_cmd("migrate", "--noinput"), env=env), "migrate")
    seeded = check(
        run_measured(python_module_cmd("bench.activities", "seed"), env=env), "seed activities"
    )
    tree = json.loads(seeded.stdout.strip().splitlines()[-1])
    return {"migrate_s": migrate.seconds, "seed_s": seeded.seconds, "tree": tree}


# --- Measuring ---------------------------------------------------------------------------


def _import(db: str, file: ActivityFile) -> dict:
    return measure_import("activities", file.path, file.rows, pg_url(db))[0]


def _db_counts(db: str) -> dict:
    with pg_connect(db) as conn:
        return {k: conn.execute(sql).fetchone()[0] for k, sql in COUNT_SQL.items()}


def _floor(source: str, template: str) -> dict:
    """The storage floor of what our import stored (`bench.floor`, its tables swapped for
    the activity's, its change rows and their batch): INSERT … SELECT into a fresh copy."""
    with (
        fresh_pg_db("activities_floor", template=template) as target,
        mock.patch.object(floor, "TABLES", FLOOR_TABLES),
    ):
        return floor.measure(source, target)


def run(rows: int, *, bad: float = 0.01, seed: int | None = None, keep: bool = False) -> dict:
    """Seed a template database; on a copy of it the limit and our import on the same file,
    then the storage floor on another copy."""
    with fresh_pg_db("activities_tpl") as template:
        setup = _prepare(template)
        tree = setup.pop("tree")
        kwargs = {"bad": bad} if seed is None else {"bad": bad, "seed": seed}
        file = activity_file(rows, tree, **kwargs)
        with fresh_pg_db("activities", keep=keep, template=template) as db:
            result: dict = {"db": "postgres", "database": db, "file": file.meta(), "setup": setup}
            result["limit"] = limits.measure("xlsx", file.path, db)
            with pg_connect(db) as conn:
                conn.execute("CHECKPOINT")
            result["ours"] = _import(db, file)
            if result["ours"]["ok"]:
                result["ours"]["db_counts"] = _db_counts(db)
                result["floor"] = _floor(db, template)
    return result


def summarize(result: dict) -> list[dict]:
    """Report rows for `bench.report`: rows/s against the limit, and peak RSS (info)."""
    n = result["file"]["rows"]
    label = f"activity import {n:,} rows xlsx → {result['db']}"
    limit, ours = result["limit"], result["ours"]
    ok = ours["ok"]
    limit_rps = n / limit["wall_s"]
    if ok:
        c = ours["counts"]
        tail = f"; accepted {c['accepted']:,}, rejected {c['rejected']:,}"
        rate = f"{ours['rows_per_s']:,.0f} rows/s ({ours['wall_s']:.1f} s){tail}"
    else:
        tail = ""
        rate = f"failed (exit {ours['exit']}): {ours['stderr_tail'][-200:].strip()}"
    ratio = ours["rows_per_s"] / limit_rps if ok else None
    return [
        {
            "measure": f"{label}: rows/s",
            "limit": f"{limit_rps:,.0f} rows/s ({limit['wall_s']:.1f} s)",
            "ours": rate,
            "ratio": ratio,
            "target": f"≥ {SPEED_RATIO_TARGET:.2f}× limit",
            "pass": None if ratio is None else ratio >= SPEED_RATIO_TARGET,
        },
        *_floor_lines(label, limit, result.get("floor")),
        {
            "measure": f"{label}: peak RSS",
            "limit": f"{limit['peak_mb']:,.0f} MB",
            "ours": f"{ours['peak_mb']:,.0f} MB{tail}" if ok else "—",
            "ratio": ours["peak_mb"] / limit["peak_mb"] if ok else None,
            "target": "(info)",
            "pass": None,
        },
    ]


def _floor_lines(label: str, limit: dict, fl: dict | None) -> list[dict]:
    if not fl:
        return []
    c = fl["counts"]
    links = sum(v for k, v in c.items() if k.startswith("publicity_activity_"))
    return [
        {
            "measure": f"{label}: storage floor (INSERT … SELECT of the activities, links, "
            "batch and change rows our import stored; schema indexes and foreign keys)",
            "limit": f"{limit['wall_s']:.1f} s",
            "ours": f"floor {fl['seconds']:.1f} s for {c['publicity_activity']:,} activities, "
            f"{links:,} links, {c['audit_importbatchrow']:,} change rows",
            "ratio": limit["wall_s"] / fl["seconds"],
            "target": "(info: the highest rows/s ratio reachable = limit ÷ floor)",
            "pass": None,
        }
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=("seed",))
    parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
    import django

    django.setup()
    print(json.dumps(seed(), ensure_ascii=False))


if __name__ == "__main__":
    main()
