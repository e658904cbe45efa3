"""Database upkeep the ORM does not do for us."""

from __future__ import annotations

from django.db import connection


def refresh_planner_statistics() -> None:
    """ANALYZE the whole database: after a bulk load, before anyone queries it.

    PostgreSQL plans with table statistics that only ANALYZE (or autovacuum, some time
    later, if it is on at all) gathers. A database filled by `seed-demo` or `restore`
    has none: the planner takes a 190-unit table for one row and nests loops over
    thousands of enterprises (the demo's 持证率 page took 4.5 s for one new town instead of
    0.1 s). pg_restore does not analyze either. SQLite's planner uses its own statistics
    (sqlite_stat1) the same way.
    """
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
