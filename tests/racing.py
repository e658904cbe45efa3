"""Fire the same request from several threads at once (issue #9 item 6).

Each thread gets its own database connection (Django's connections are per thread),
waits at a barrier so the requests really overlap, and closes its connection at the
end. Only meaningful on PostgreSQL: SQLite serializes writers (and the test database
is one in-memory connection), so the tests that use this skip there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

THREADS = 4

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent transactions need PostgreSQL (SQLite serializes writers)",
)


def race(fn: Callable[[int], object], n: int = THREADS) -> list:
    """Run `fn(i)` for i in 0..n-1 in n threads released together; the results in order
    (an exception a thread raised is its result, so the test can assert on it)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the test asserts on what each got
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racing request never finished"
    return results
