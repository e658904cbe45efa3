"""Entry point: `python -m bench.run [roster|compliance|publicity|activities|load|all] [--rows N] …`.

Defaults reproduce the issue's sizes (1,000,000 roster rows; 1,000,000 people and
50,000 enterprises) and take several minutes; develop with `--rows 100k`.
Results go to docs/benchmarks.md (`bench.report`) and, in full, to
var/bench/results-<time>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import report
from bench.gen_roster import parse_count
from bench.measure import (
    ROOT,
    app_env,
    check,
    create_db,
    drop_db,
    machine,
    pg_available,
    pg_url,
    run_measured,
    xuanpei_cmd,
)

# The roster import on SQLite has no COPY path (and once scaled worse than linearly:
# 162 rows/s at 100k); a million rows would not fit a bounded run, so its figures come
# from a smaller file unless --sqlite-rows says otherwise.
SQLITE_ROWS_CAP = 20_000


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    p.add_argument(
        "what",
        nargs="?",
        choices=(
            "roster",
            "compliance",
            "publicity",
            "activities",
            "shortfall",
            "signin",
            "bulletin",
            "load",
            "all",
        ),
        default="all",
    )
    p.add_argument(
        "--rows",
        type=parse_count,
        default=1_000_000,
        help="roster rows, and people for the compliance bench (default 1M; '100k' works)",
    )
    p.add_argument("--people", type=parse_count, help="compliance: people (default --rows)")
    p.add_argument(
        "--enterprises", type=parse_count, help="compliance: enterprises (default people/20)"
    )
    p.add_argument("--activities", type=parse_count, help="publicity: activities (default --rows)")
    p.add_argument(
        "--media", type=parse_count, help="publicity: media posts (default 2 × activities)"
    )
    p.add_argument(
        "--attendances", type=parse_count, help="shortfall: attendance rows (default 10 × people)"
    )
    p.add_argument(
        "--scale", type=int, default=10, help="publicity: the demo tree's --scale (default 10)"
    )
    p.add_argument(
        "--db",
        action="append",
        choices=("postgres", "sqlite"),
        help="database(s); roster default: postgres and sqlite; compliance default: postgres",
    )
    p.add_argument(
        "--format",
        action="append",
        choices=("xlsx", "csv"),
        help="roster file format(s) (default both)",
    )
    p.add_argument(
        "--sqlite-rows",
        type=parse_count,
        help="roster rows for the SQLite run (default: --rows, capped at 20k)",
    )
    p.add_argument("--bad", type=float, default=0.01, help="share of bad roster rows")
    p.add_argument("--seed", type=int, default=None, help="roster generator seed")
    p.add_argument("--repeat", type=int, default=5, help="timed runs after a warm-up")
    p.add_argument("--reimport", action="store_true", help="roster: import the file twice")
    p.add_argument("--keep", action="store_true", help="keep the bench databases")
    p.add_argument(
        "--reuse-db",
        metavar="NAME",
        help="compliance: measure an already built PostgreSQL database (from --keep)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        help="compliance: statement timeout in seconds (a query past it is reported, not waited)",
    )
    from bench import load

    load.add_arguments(p)  # load: --users --think --minutes --server --compare --workers …
    p.add_argument("--no-report", action="store_true", help="do not touch docs/benchmarks.md")
    p.add_argument("--report", type=Path, default=report.DOC, help="document to update")
    return p


def run_roster(args) -> tuple[list[dict], list[dict], list[str]]:
    from bench import roster

    dbs = tuple(args.db or ("postgres", "sqlite"))
    formats = tuple(args.format or ["xlsx", "csv"])
    raw, lines, notes = [], [], []
    results = roster.run(
        args.rows,
        formats=formats,
        dbs=dbs,
        sqlite_rows=args.sqlite_rows or min(args.rows, SQLITE_ROWS_CAP),
        bad=args.bad,
        seed=args.seed,
        keep=args.keep,
        reimport=args.reimport,
    )
    for result in results:
        raw.append(result)
        where = f"roster ({result['file']['format']}, {result['db']})"
        if result.get("missing"):
            notes.append(f"{where}: {result['missing']}")
        elif result.get("ours") and not result["ours"]["ok"]:
            notes.append(f"{where}: import failed")
        if roster.phases_text(result):
            notes.append(f"{where}: our import's phases: {roster.phases_text(result)}")
        if result["db"] == "sqlite" and result.get("missing"):
            continue
        lines += roster.summarize(result)
    return raw, lines, notes


def run_activities(args) -> tuple[list[dict], list[dict], list[str]]:
    """The activity import (issue #11) against the calamine + COPY limit; PostgreSQL only."""
    from bench import activities

    result = activities.run(args.rows, bad=args.bad, seed=args.seed, keep=args.keep)
    _echo(result)
    notes = [] if result["ours"]["ok"] else ["activities: import failed"]
    return [result], activities.summarize(result), notes


def run_shortfall(args) -> tuple[list[dict], list[dict], list[str]]:
    """Training hours shortfall (issue #12) against hand-written SQL; PostgreSQL only."""
    from bench import training_shortfall as bench

    people = args.people or args.rows
    name = args.reuse_db or f"xuanpei_bench_{os.getpid()}_shortfall"
    if not args.reuse_db:
        create_db(name)
    try:
        url = pg_url(name)
        if not args.reuse_db:
            check(run_measured(xuanpei_cmd("migrate", "--noinput"), env=app_env(url)), "migrate")
        _setup_django(url)
        if args.reuse_db:
            counts = bench.existing_counts()
        else:
            counts = bench.build(people=people, attendances=args.attendances or 10 * people)
        print(f"shortfall data: {counts}", flush=True)
        result = {"db": "postgres", "counts": counts}
        result.update(bench.measure(repeat=args.repeat, timeout=max(args.timeout, 600.0)))
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep or args.reuse_db:
            print(f"kept database {name} (measure it again with --reuse-db)", flush=True)
        else:
            drop_db(name)
    _echo(result)
    return [result], bench.summarize(result), []


def run_signin(args) -> tuple[list[dict], list[dict], list[str]]:
    """The QR sign-in burst (issue #12): 300 phones in 60 s, SQLite and PostgreSQL."""
    from bench import training_signin

    results = training_signin.run(args.db or ["sqlite", "postgres"], keep=args.keep)
    lines = [line for r in results for line in training_signin.summarize(r)]
    notes = [f"signin ({r['db']}): statuses {r['statuses']}" for r in results]
    return results, lines, notes


def run_bulletin(args) -> tuple[list[dict], list[dict], list[str]]:
    """Scoring and the quarterly bulletin at `--scale` (issue #13: scale 30)."""
    from bench import bulletin

    result = bulletin.run(
        scale=args.scale,
        activities=args.activities or 1_000_000,
        attendances=args.attendances or 2_000_000,
        repeat=args.repeat,
        keep=args.keep,
        reuse_db=args.reuse_db,
    )
    _echo(result)
    return [result], bulletin.summarize(result), []


def run_load(args) -> tuple[list[dict], list[dict], list[str]]:
    """The loopback load (issue #14): the demo personas against runserver and/or serve."""
    from bench import load

    result = load.run_args(args)
    return [result], load.summarize(result), load.notes(result)


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
    import django

    django.setup()


def run_compliance(args) -> tuple[list[dict], list[dict], list[str]]:
    from bench import compliance

    people = args.people or args.rows
    enterprises = args.enterprises or max(1, people // 20)
    db = (args.db or ["postgres"])[-1] if args.what == "compliance" else "postgres"
    if args.reuse_db:
        _setup_django(pg_url(args.reuse_db))
        try:
            counts = compliance.existing_counts()
            result = {"db": "postgres", "counts": counts, "reused": args.reuse_db}
            result.update(compliance.measure(repeat=args.repeat, timeout=args.timeout))
        finally:
            from django.db import connections

            connections.close_all()
    else:
        result = _build_and_measure(compliance, args, db, people, enterprises)
    _echo(result)
    notes = [f"compliance: {result['missing']}"] if result.get("missing") else []
    return [result], compliance.summarize(result), notes


def run_publicity(args) -> tuple[list[dict], list[dict], list[str]]:
    from bench import publicity

    activities = args.activities or args.rows
    media = args.media or 2 * activities
    db = (args.db or ["postgres"])[-1] if args.what == "publicity" else "postgres"
    if args.reuse_db:
        _setup_django(pg_url(args.reuse_db))
        try:
            result = {"db": "postgres", "counts": publicity.existing_counts()}
            result.update(publicity.measure(repeat=args.repeat, timeout=args.timeout))
        finally:
            from django.db import connections

            connections.close_all()
    else:
        result = _build_and_measure(
            publicity, args, db, activities, media, suffix="publicity", scale=args.scale
        )
    _echo({k: v for k, v in result.items() if k != "explain"})
    for name, plan in (result.get("explain") or {}).items():
        print(f"EXPLAIN {name}:\n{plan}", flush=True)
    return [result], publicity.summarize(result), []


def _build_and_measure(
    compliance, args, db: str, people: int, enterprises: int, suffix="compliance", **extra
) -> dict:
    """Build on a fresh database and measure (`compliance` is the bench module: the
    持证率 one by default, or publicity's with activities/media in people/enterprises)."""
    if db == "postgres":
        name = f"xuanpei_bench_{os.getpid()}_{suffix}"
        create_db(name)
        url = pg_url(name)
    else:
        path = ROOT / "var" / "bench" / f"bench_{os.getpid()}_{suffix}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url, name = f"sqlite:///{path}", str(path)
    try:
        check(run_measured(xuanpei_cmd("migrate", "--noinput"), env=app_env(url)), "migrate")
        _setup_django(url)
        if suffix == "publicity":
            counts = compliance.build(activities=people, media=enterprises, **extra)
        else:
            counts = compliance.build(people=people, enterprises=enterprises)
        print(f"{suffix} data: {counts}", flush=True)
        result = {"db": db, "counts": counts}
        result.update(compliance.measure(repeat=args.repeat, timeout=args.timeout))
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept database {name} (measure it again with --reuse-db)", flush=True)
        elif db == "postgres":
            drop_db(name)
        else:
            Path(name).unlink(missing_ok=True)
    return result


def _echo(result: dict) -> None:
    print(json.dumps(result, ensure_ascii=False, default=str)[:4000], flush=True)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not pg_available():
        print("PostgreSQL is not reachable on 127.0.0.1:5432 (user postgres)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    info = machine()  # before the run: its load average is the other work on the machine
    raw, lines, notes = [], [], []
    if args.what in ("roster", "all"):
        r, li, n = run_roster(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    if args.what in ("compliance", "all"):
        r, li, n = run_compliance(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    if args.what in ("publicity", "all"):
        r, li, n = run_publicity(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    if args.what == "shortfall":  # not in "all": it builds 10M attendance rows
        r, li, n = run_shortfall(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    if args.what == "signin":  # not in "all": a server under load, its own figures
        r, li, n = run_signin(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    if args.what == "bulletin":  # not in "all": seed-demo --scale 30 alone takes minutes
        r, li, n = run_bulletin(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    if args.what == "load":  # not in "all": a server under minutes of load
        r, li, n = run_load(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    if args.what == "activities":  # not in "all": its --rows is the file's, not the roster's
        r, li, n = run_activities(args)
        raw, lines, notes = raw + r, lines + li, notes + n
    seconds = time.perf_counter() - started
    given = list(argv if argv is not None else sys.argv[1:])
    sqlite_run = args.what in ("roster", "all") and "sqlite" in (args.db or ["sqlite"])
    if sqlite_run and not args.sqlite_rows and args.rows > SQLITE_ROWS_CAP:
        # Name the default cap, so that the command reproduces the SQLite figures too.
        given += ["--sqlite-rows", str(SQLITE_ROWS_CAP)]
    command = "python -m bench.run " + shlex.join(given)
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    raw_path = out_dir / f"results-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    raw_path.write_text(
        json.dumps(
            {"command": command, "machine": info, "seconds": seconds, "results": raw},
            ensure_ascii=False,
            indent=1,
            default=str,
        )
    )
    for line in lines:
        ratio = "" if line["ratio"] is None else f" ratio {line['ratio']:.2f}×"
        print(
            f"- {line['measure']}: limit {line['limit']}; ours {line['ours']};{ratio} "
            f"target {line['target']}"
        )
    if not args.no_report:
        doc = report.update(
            lines, command=command.strip(), machine=info, seconds=seconds, notes=notes,
            doc=args.report,
        )  # fmt: skip
        print(f"updated {doc}")
    print(f"raw results: {raw_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
