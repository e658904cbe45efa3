"""Planner statistics after a bulk load (seed-demo, restore)."""

import pytest
from django.db import connection

from xuanpei.core.database import refresh_planner_statistics
from xuanpei.orgs.models import Unit


def planner_row_estimate(table: str) -> float | None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return cursor.fetchone()[0]
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return float(row[0].split()[0]) if row else None


@pytest.mark.django_db
def test_the_planner_knows_the_rows_of_a_freshly_loaded_table(district):
    table = Unit._meta.db_table
    count = Unit.objects.count()
    assert count > 1
    refresh_planner_statistics()
    # PostgreSQL: pg_class.reltuples (-1 or 0 before any ANALYZE); SQLite: sqlite_stat1.
    assert planner_row_estimate(table) == count
