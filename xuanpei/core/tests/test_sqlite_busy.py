"""SQLite under a long import (issue #9 item 7): WAL and a 30 s busy timeout, so a second
writer waits and succeeds; a lock held past it answers 系统繁忙 (503), not a 500; two
import jobs at once are queued and both finish."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.http import HttpResponse
from django.urls import path

from xuanpei.core import jobs
from xuanpei.core.models import Job

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the embedded default only: PostgreSQL has row locks"
)


def file_db(tmp_path, **options) -> DatabaseWrapper:
    """A real connection, configured as the platform's, to a database file of its own."""
    settings_dict = dict(connections["default"].settings_dict)
    settings_dict["NAME"] = str(tmp_path / "busy.sqlite3")
    settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"], **options}
    wrapper = DatabaseWrapper(settings_dict, alias="busy")
    wrapper.ensure_connection()
    return wrapper


def holding_the_write_lock(tmp_path, seconds: float) -> threading.Event:
    """Another writer (an import commit) holds SQLite's one write lock for `seconds`."""
    held = threading.Event()

    def hold():
        db = file_db(tmp_path)
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("INSERT INTO t VALUES ('import')")
            held.set()
            time.sleep(seconds)
            cursor.execute("COMMIT")
        db.close()

    threading.Thread(target=hold, daemon=True).start()
    assert held.wait(5)
    return held


def test_the_database_runs_in_wal_with_a_busy_timeout_longer_than_a_request(db, tmp_path):
    db = file_db(tmp_path)
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 30_000  # ms; Python's default is 5 s
    db.close()


def test_a_second_writer_waits_for_the_first_and_succeeds(db, tmp_path):
    with file_db(tmp_path).cursor() as cursor:
        cursor.execute("CREATE TABLE t (v TEXT)")
    holding_the_write_lock(tmp_path, 1.0)
    second = file_db(tmp_path)
    started = time.monotonic()

    with second.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES ('profile')")
        waited = time.monotonic() - started
        cursor.execute("SELECT v FROM t ORDER BY rowid")
        rows = [r[0] for r in cursor.fetchall()]
    second.close()

    assert waited > 0.5  # it waited for the lock…
    assert rows == ["import", "profile"]  # …and both writes landed


LOCKED_DB = {}  # the directory of the database the view below writes to


def locked_write(request):
    db = file_db(LOCKED_DB["dir"], timeout=0.2)  # a lock held past the busy timeout
    try:
        with db.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES ('profile')")
    finally:
        db.close()
    return HttpResponse("saved")


urlpatterns = [path("locked/", locked_write), path("api/v1/locked/", locked_write)]


@pytest.mark.urls("xuanpei.core.tests.test_sqlite_busy")
@pytest.mark.parametrize("url", ["/locked/", "/api/v1/locked/"])
def test_a_lock_held_past_the_timeout_answers_busy_not_500(client, district, tmp_path, url):
    with file_db(tmp_path).cursor() as cursor:
        cursor.execute("CREATE TABLE t (v TEXT)")
    holding_the_write_lock(tmp_path, 1.5)
    client.force_login(district.town_a)
    LOCKED_DB["dir"] = tmp_path
    response = client.get(url)

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "系统繁忙，请稍后再试" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_import_jobs_at_once_both_finish(tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tests.personas import build_district
    from xuanpei.core.imports.testing import csv_bytes
    from xuanpei.orgs.factories import make_uscc
    from xuanpei.orgs.importers import HEADERS
    from xuanpei.orgs.models import Enterprise

    settings.MEDIA_ROOT = tmp_path
    district = build_district()
    started = []
    for n in (1, 2):
        rows = [
            [f"并发公司{n}-{i}", make_uscc(100 * n + i), "甲街道", "", "工矿商贸", *[""] * 6]
            for i in range(30)
        ]
        stored = default_storage.save(f"imports/{n}.csv", ContentFile(csv_bytes([HEADERS, *rows])))
        params = {
            "importer": "enterprises",
            "path": stored,
            "filename": f"{n}.csv",
            "dry_run": False,
        }
        started.append(Job.objects.create(kind="import", user=district.district, params=params))
    threads = [threading.Thread(target=jobs._thread_main, args=(job.pk,)) for job in started]

    for thread in threads:
        thread.start()
    for thread in threads:
        # The second waits for the first (one import at a time on SQLite): generous on a
        # loaded 2-core CI machine (it failed once at 120 s with the load at 10).
        thread.join(300)

    finished = {
        j.pk: (j.status, j.error) for j in Job.objects.filter(pk__in=[j.pk for j in started])
    }
    assert all(status == Job.Status.DONE for status, _ in finished.values()), finished
    assert Enterprise.objects.filter(name__startswith="并发公司").count() == 60
