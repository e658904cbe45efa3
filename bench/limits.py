"""The limit the roster import is measured against (issue #3, Performance).

For an xlsx file: read it with python-calamine (the whole sheet, as the
platform's reader does) and COPY the raw rows into an unindexed table of text
columns, with no validation at all. For a csv file: stream it with the csv
module into the same COPY. Each runs in its own subprocess so that its wall
time includes interpreter start-up (as our import's does) and its peak RSS is
its own. `read` measures python-calamine alone, the reference of the issue's
memory numbers (≈ 20 s and ≈ 1.3 GB for a million rows on this machine).

    python -m bench.limits xlsx FILE --db NAME   # prints one JSON object
    python -m bench.limits csv FILE --db NAME
    python -m bench.limits read FILE
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path

from bench.measure import check, pg_connect, python_module_cmd, run_measured
from bench.peak import vm_hwm_kb

RAW_TABLE = "bench_raw_roster"
RAW_COLUMNS = 16


def _peak_mb() -> float:
    kb = vm_hwm_kb()  # this process's own peak (ru_maxrss would include the parent's)
    return (kb if kb is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def _raw_table(conn) -> None:
    cols = ", ".join(f"c{i} text" for i in range(1, RAW_COLUMNS + 1))
    conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
    conn.execute(f"CREATE TABLE {RAW_TABLE} ({cols})")  # no key, no index, no constraint


def _copy_rows(conn, rows) -> int:
    n = 0
    cols = ", ".join(f"c{i}" for i in range(1, RAW_COLUMNS + 1))
    with (
        conn.transaction(),
        conn.cursor() as cur,
        cur.copy(f"COPY {RAW_TABLE} ({cols}) FROM STDIN") as copy,
    ):
        for row in rows:
            row = list(row[:RAW_COLUMNS])
            row += [None] * (RAW_COLUMNS - len(row))
            copy.write_row(row)
            n += 1
    return n


def read_xlsx(path: Path) -> list[list]:
    import python_calamine

    return python_calamine.load_workbook(str(path)).get_sheet_by_index(0).to_python()


def _child(mode: str, path: Path, db: str | None) -> dict:
    started = time.perf_counter()
    if mode == "read":
        rows = read_xlsx(path)
        return {"rows": len(rows), "read_s": time.perf_counter() - started, "peak_mb": _peak_mb()}
    with pg_connect(db) as conn:
        _raw_table(conn)
        if mode == "xlsx":
            rows = read_xlsx(path)
            read_s = time.perf_counter() - started
            n = _copy_rows(conn, rows)
        else:
            with path.open(encoding="utf-8-sig", newline="") as f:
                n = _copy_rows(conn, csv.reader(f))
            read_s = None  # reading and copying are interleaved
        copied = conn.execute(f"SELECT count(*) FROM {RAW_TABLE}").fetchone()[0]
        conn.execute(f"DROP TABLE {RAW_TABLE}")
    return {
        "rows": n,
        "copied": copied,
        "read_s": read_s,
        "total_s": time.perf_counter() - started,
        "peak_mb": _peak_mb(),
    }


def measure(mode: str, path: Path, db: str | None = None) -> dict:
    """Run one limit in a subprocess; adds its wall time and peak RSS measured from outside."""
    cmd = python_module_cmd("bench.limits", mode, str(path))
    if db:
        cmd += ["--db", db]
    m = check(run_measured(cmd), f"limit {mode}")
    inner = json.loads(m.stdout.strip().splitlines()[-1])
    return {
        **inner,
        "wall_s": m.seconds,
        "cpu_s": m.cpu_s,
        "peak_mb": m.peak_mb,
        "inner_peak_mb": inner["peak_mb"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("xlsx", "csv", "read"))
    parser.add_argument("file", type=Path)
    parser.add_argument("--db", help="PostgreSQL database for the COPY (xlsx/csv modes)")
    args = parser.parse_args(argv)
    if args.mode != "read" and not args.db:
        parser.error("--db is required for xlsx and csv")
    json.dump(_child(args.mode, args.file, args.db), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
