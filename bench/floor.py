"""The database's own floor for a roster import: storing the rows, nothing else.

Our import has to end with the people, posts and certificates it created stored
in the platform's schema — its unique and lookup indexes (the 持证率 dashboard
needs them) and its foreign keys (checked at commit). This measures that part
alone, on the same server in the same run: the very rows our import wrote are
copied out of its database into unindexed side tables of a fresh copy of the
template (not timed), then one timed transaction inserts them into the real
tables with `INSERT … SELECT` and commits. No file, no validation, no plan, no
audit log. `limit seconds ÷ floor seconds` is the largest rows/s ratio any
importer could reach with this schema on this machine, even if reading and
checking the file cost nothing.
"""

from __future__ import annotations

import time

from bench.measure import pg_connect

# Parents first: posts and certificates refer to people.
TABLES = ("workforce_person", "workforce_post", "workforce_certificate")


def _columns(conn, table: str) -> str:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return ", ".join(r[0] for r in rows)


def _copy_out(src, dst, table: str, cols: str) -> int:
    """Rows of `table` in `src` → unindexed `floor_<table>` in `dst` (not timed)."""
    dst.execute(f"DROP TABLE IF EXISTS floor_{table}")
    dst.execute(f"CREATE UNLOGGED TABLE floor_{table} AS SELECT {cols} FROM {table} LIMIT 0")
    with (
        src.cursor() as out_cur,
        dst.cursor() as in_cur,
        out_cur.copy(f"COPY (SELECT {cols} FROM {table} ORDER BY id) TO STDOUT") as out,
        in_cur.copy(f"COPY floor_{table} ({cols}) FROM STDIN") as into,
    ):
        for block in out:
            into.write(block)
    dst.execute(f"ANALYZE floor_{table}")
    return dst.execute(f"SELECT count(*) FROM floor_{table}").fetchone()[0]


def measure(source_db: str, target_db: str) -> dict:
    """Insert what our import stored in `source_db` into `target_db` (a fresh template copy)."""
    counts: dict[str, int] = {}
    with pg_connect(source_db) as src, pg_connect(target_db) as dst:
        cols = {t: _columns(dst, t) for t in TABLES}
        for table in TABLES:
            counts[table] = _copy_out(src, dst, table, cols[table])
        dst.execute("CHECKPOINT")  # start from the same state as an import would
        started = time.perf_counter()
        with dst.transaction():
            dst.execute("SET LOCAL work_mem = '256MB'")
            for table in TABLES:
                dst.execute(
                    f"INSERT INTO {table} ({cols[table]}) "
                    f"SELECT {cols[table]} FROM floor_{table} ORDER BY id"
                )
        seconds = time.perf_counter() - started
        for table in TABLES:
            dst.execute(f"DROP TABLE floor_{table}")
    return {"seconds": seconds, "counts": counts}
