"""Roster import benchmark: `xuanpei import roster FILE --json` against the limit, same run.

PostgreSQL: a fresh `xuanpei_bench_<pid>_roster` database is created, migrated
and seeded (`bench.seed`: demo district + the file's enterprises), the limit
(`bench.limits`) is measured on the same file, then our import runs in its own
subprocess: wall time → rows/s, `os.wait4` → its peak RSS. SQLite: the same
import into a fresh database file (absolute figures; the COPY limit is a
PostgreSQL one).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from bench import floor, limits
from bench.gen_roster import RosterFile, roster_file
from bench.measure import (
    ROOT,
    app_env,
    check,
    fresh_pg_db,
    measure_import,
    pg_connect,
    pg_url,
    python,
    run_measured,
    xuanpei_cmd,
)

IMPORTER_MODULE = ROOT / "xuanpei" / "workforce" / "importers.py"
MEMORY_RATIO_TARGET = 1.25
SPEED_RATIO_TARGET = 0.50
MISSING = "xuanpei/workforce/importers.py has no `roster` importer yet"
CSV_MEMORY_TARGET_MB = 300.0

COUNT_SQL = {
    "people": "SELECT count(*) FROM workforce_person",
    "posts": "SELECT count(*) FROM workforce_post",
    "certificates": "SELECT count(*) FROM workforce_certificate",
}


def importer_present() -> bool:
    """Whether a `roster` importer is registered (by the source, without booting Django)."""
    if not IMPORTER_MODULE.exists():
        return False
    return re.search(r"""name\s*=\s*["']roster["']""", IMPORTER_MODULE.read_text()) is not None


def _prepare(database_url: str, rows: int) -> dict:
    env = app_env(database_url)
    migrate = check(run_measured(xuanpei_cmd("migrate", "--noinput"), env=env), "migrate")
    seed = check(run_measured([python(), "-m", "bench.seed", "--rows", str(rows)], env=env), "seed")
    return {"migrate_s": migrate.seconds, "seed_s": seed.seconds}


def _import(database_url: str, file: RosterFile, *, extra: tuple[str, ...] = ()) -> dict:
    # DEBUG: the importer logs each phase's duration (`_Clock`), kept with the figures.
    result, m = measure_import(
        "roster", file.path, file.rows, database_url, extra=extra, LOG_LEVEL="DEBUG"
    )
    # The two-core check's child (roster/parallel.py) shares the parent's pages; what it
    # holds of its own is added, so the figure is the pair's peak.
    result["child_mb"] = child_mb(m.stderr)
    if result["peak_mb"] is not None:
        result["peak_mb"] += result["child_mb"]
    result["phases"] = phases(m.stderr)
    return result


CHILD_RE = re.compile(r"child process: private (\d+) MB")


def child_mb(stderr: str) -> float:
    """The forked checker's own memory, as the importer logs it at DEBUG (0: no child)."""
    return sum(float(mb) for mb in CHILD_RE.findall(stderr))


PHASE_RE = re.compile(r"^(\d+\.\d+)s phase: (.+)$", re.M)


def phases(stderr: str) -> list[tuple[str, float]]:
    """The importer's phase timings ("12.34s phase: plan" lines at DEBUG), in order."""
    return [(what.strip(), float(seconds)) for seconds, what in PHASE_RE.findall(stderr)]


def phases_text(result: dict) -> str:
    ours = result.get("ours") or {}
    return "; ".join(f"{what} {seconds:.1f} s" for what, seconds in ours.get("phases") or [])


def _checkpoint(dbname: str) -> None:
    with pg_connect(dbname) as conn:
        conn.execute("CHECKPOINT")


def _pg_counts(dbname: str) -> dict:
    with pg_connect(dbname) as conn:
        return {k: conn.execute(sql).fetchone()[0] for k, sql in COUNT_SQL.items()}


def _sqlite_counts(path: Path) -> dict:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {k: conn.execute(sql).fetchone()[0] for k, sql in COUNT_SQL.items()}


def run_postgres(
    file: RosterFile, *, template: str, keep: bool = False, reimport: bool = False
) -> dict:
    """Limit and our import on one file, in a fresh copy of the migrated, seeded template."""
    result: dict = {"db": "postgres", "file": file.meta()}
    with fresh_pg_db(f"roster_{file.format}", keep=keep, template=template) as db:
        result["database"] = db
        result["limit"] = limits.measure(file.format, file.path, db)
        if file.format == "xlsx":
            result["calamine_read"] = limits.measure("read", file.path)
        if not importer_present():
            result["ours"] = None
            result["missing"] = MISSING
            return result
        _checkpoint(db)  # the same starting state as the floor's (bench.floor)
        result["ours"] = _import(pg_url(db), file)
        if result["ours"]["ok"]:
            result["ours"]["db_counts"] = _pg_counts(db)
            if file.format == "xlsx":
                with fresh_pg_db(f"floor_{file.format}", template=template) as target:
                    result["floor"] = floor.measure(db, target)
            if reimport:
                result["reimport"] = _import(pg_url(db), file)
    return result


def run_sqlite(
    file: RosterFile, *, template: Path, keep: bool = False, reimport: bool = False
) -> dict:
    result: dict = {"db": "sqlite", "file": file.meta()}
    if not importer_present():
        result["ours"] = None
        result["missing"] = MISSING
        return result
    path = template.with_name(f"bench_{os.getpid()}_{file.format}.sqlite3")
    _sqlite_unlink(path)
    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    try:
        result["ours"] = _import(url, file)
        if result["ours"]["ok"]:
            result["ours"]["db_counts"] = _sqlite_counts(path)
            if reimport:
                result["reimport"] = _import(url, file)
    finally:
        if not keep:
            _sqlite_unlink(path)
    return result


def _sqlite_unlink(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


@contextlib.contextmanager
def pg_template(rows: int) -> Iterator[tuple[str, dict]]:
    """A migrated database seeded for `rows` rows, to copy per run (CREATE … TEMPLATE)."""
    with fresh_pg_db("roster_tpl") as name:
        setup = _prepare(pg_url(name), rows)
        yield name, setup


@contextlib.contextmanager
def sqlite_template(rows: int) -> Iterator[tuple[Path, dict]]:
    path = ROOT / "var" / "bench" / f"bench_{os.getpid()}_tpl.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    _sqlite_unlink(path)
    try:
        setup = _prepare(f"sqlite:///{path}", rows)
        # Fold the WAL into the file so that a plain copy is the whole database.
        import sqlite3

        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")
        yield path, setup
    finally:
        _sqlite_unlink(path)


def summarize(result: dict) -> list[dict]:
    """Report rows (measure, limit, ours, ratio, target, pass) for `bench.report`."""
    file = result["file"]
    fmt, n = file["format"], file["rows"]
    label = f"roster import {n:,} rows {fmt} → {result['db']}"
    ours = result.get("ours") or {}
    ok = bool(ours.get("ok"))
    lines: list[dict] = []
    if result["db"] == "postgres":
        limit = result["limit"]
        limit_rps = n / limit["wall_s"]
        our_rps = ours.get("rows_per_s")
        ours_text = (
            _ours_text(result, f"{our_rps:,.0f} rows/s ({ours['wall_s']:.1f} s)")
            if ok
            else _ours_text(result, None)
        )
        fl = result.get("floor")
        if fmt == "xlsx":
            # The target (issue #10): ours ÷ the storage floor's rows/s, measured in this run.
            floor_rps = n / fl["seconds"] if fl else None
            ratio = our_rps / floor_rps if ok and floor_rps else None
            lines.append(
                {
                    "measure": f"{label}: rows/s",
                    "limit": f"storage floor {floor_rps:,.0f} rows/s ({fl['seconds']:.1f} s)"
                    if fl
                    else "storage floor not measured",
                    "ours": ours_text,
                    "ratio": ratio,
                    "target": f"≥ {SPEED_RATIO_TARGET:.2f}× floor",
                    "pass": None if ratio is None else ratio >= SPEED_RATIO_TARGET,
                }
            )
        lines.append(
            {
                # For the record (issue #3's target): ours ÷ the raw calamine + COPY limit.
                "measure": f"{label}: rows/s ÷ raw limit" if fmt == "xlsx" else f"{label}: rows/s",
                "limit": f"{limit_rps:,.0f} rows/s ({limit['wall_s']:.1f} s)",
                "ours": ours_text,
                "ratio": our_rps / limit_rps if ok else None,
                "target": "(record)" if fmt == "xlsx" else "(info)",
                "pass": None,
            }
        )
        if result.get("floor"):
            lines.append(_floor_line(label, limit, result["floor"]))
        if fmt == "xlsx":
            read = result["calamine_read"]
            lines.append(
                {
                    "measure": f"{label}: peak RSS",
                    "limit": f"{limit['peak_mb']:,.0f} MB (calamine read alone "
                    f"{read['peak_mb']:,.0f} MB, {read['wall_s']:.1f} s)",
                    "ours": _ours_text(result, _peak_text(ours)) if ok else "—",
                    "ratio": ours["peak_mb"] / limit["peak_mb"] if ok else None,
                    "target": f"≤ {MEMORY_RATIO_TARGET:.2f}× limit",
                    "pass": (ours["peak_mb"] / limit["peak_mb"] <= MEMORY_RATIO_TARGET)
                    if ok
                    else None,
                }
            )
    if fmt == "csv" or result["db"] == "sqlite":
        lines.append(
            {
                "measure": f"{label}: peak RSS",
                "limit": f"{result['limit']['peak_mb']:,.0f} MB" if "limit" in result else "—",
                "ours": _ours_text(result, f"{ours['peak_mb']:,.0f} MB") if ok else "—",
                "ratio": None,
                "target": f"≤ {CSV_MEMORY_TARGET_MB:.0f} MB" if fmt == "csv" else "(info)",
                "pass": (ours["peak_mb"] <= CSV_MEMORY_TARGET_MB) if ok and fmt == "csv" else None,
            }
        )
    if result["db"] == "sqlite":
        lines.insert(
            0,
            {
                "measure": f"{label}: rows/s",
                "limit": "—",
                "ours": _ours_text(
                    result, f"{ours['rows_per_s']:,.0f} rows/s ({ours['wall_s']:.1f} s)"
                )
                if ok
                else _ours_text(result, None),
                "ratio": None,
                "target": "(info)",
                "pass": None,
            },
        )
    return lines


def _floor_line(label: str, limit: dict, fl: dict) -> dict:
    """The storage floor (`bench.floor`): the best ratio any importer could reach here."""
    counts = fl["counts"]
    stored = (
        f"{counts['workforce_person']:,} people, {counts['workforce_post']:,} posts, "
        f"{counts['workforce_certificate']:,} certificates"
    )
    return {
        "measure": f"{label}: storage floor (INSERT … SELECT of the rows our import stored, "
        "schema indexes and foreign keys, no file, no checks, no audit)",
        "limit": f"{limit['wall_s']:.1f} s",
        "ours": f"floor {fl['seconds']:.1f} s for {stored}",
        "ratio": limit["wall_s"] / fl["seconds"],
        "target": "(info: the highest rows/s ratio reachable = limit ÷ floor)",
        "pass": None,
    }


def _peak_text(ours: dict) -> str:
    child = ours.get("child_mb") or 0
    text = f"{ours['peak_mb']:,.0f} MB"
    return f"{text} (the checking child's own {child:,.0f} MB included)" if child else text


def _ours_text(result: dict, figure: str | None) -> str:
    if result.get("missing"):
        return "not measured: " + result["missing"]
    ours = result.get("ours") or {}
    if figure is None:
        return f"failed (exit {ours.get('exit')}): {ours.get('stderr_tail', '')[-200:].strip()}"
    counts = ours.get("counts") or {}
    accepted, rejected = counts.get("accepted"), counts.get("rejected")
    return (
        f"{figure}; accepted {accepted:,}, rejected {rejected:,}"
        if accepted is not None
        else figure
    )


def run(
    rows: int,
    *,
    formats: tuple[str, ...] = ("xlsx", "csv"),
    dbs: tuple[str, ...] = ("postgres",),
    sqlite_rows: int | None = None,
    bad: float = 0.01,
    seed: int | None = None,
    keep: bool = False,
    reimport: bool = False,
) -> list[dict]:
    """Every (format, database) pair; SQLite may use a smaller file (`sqlite_rows`)."""
    out = []
    for db in dbs:
        n = rows if db == "postgres" else (sqlite_rows or rows)
        files = [_file(n, fmt, bad, seed) for fmt in formats]
        if not importer_present():
            template_cm = contextlib.nullcontext((None, {}))
        else:
            template_cm = pg_template(n) if db == "postgres" else sqlite_template(n)
        with template_cm as (template, setup):
            for file in files:
                if db == "postgres":
                    r = run_postgres(file, template=template, keep=keep, reimport=reimport)
                else:
                    r = run_sqlite(file, template=template, keep=keep, reimport=reimport)
                r["setup"] = setup
                out.append(r)
                print(json.dumps(r, ensure_ascii=False, default=str)[:3000], flush=True)
    return out


def _file(n: int, fmt: str, bad: float, seed: int | None) -> RosterFile:
    kwargs = {"fmt": fmt, "bad": bad}
    if seed is not None:
        kwargs["seed"] = seed
    return roster_file(n, **kwargs)
