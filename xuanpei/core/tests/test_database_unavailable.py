"""A database that cannot serve a request now is a Chinese 503 with Retry-After, never a
500 (issue #14, production on PostgreSQL): no free pooled connection within the pool's
timeout and the server's connection limit are 系统繁忙; a server that is unreachable or
restarting is 数据库暂时无法连接 — on pages and the API, and also when a middleware
before the view met the failure (the URLconf's handler500).

The failures are real: psycopg's own pool timing out, a real server refusing a role past
its connection limit, a real connection refused on a closed port."""

from __future__ import annotations

import os
import threading

import pytest
from django.db import OperationalError, connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import ConnectionHandler
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from xuanpei.core.middleware import BUSY, DOWN, LOCKED, unavailable_reason

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a PostgreSQL server and its pool"
)


def postgresql(alias: str = "other", **settings) -> BaseDatabaseWrapper:
    """A Django connection of its own to the test server (not the test's connection)."""
    base = connection.settings_dict if connection.vendor == "postgresql" else {}
    conf = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": base.get("NAME") or "postgres",
        "USER": base.get("USER") or "postgres",
        "HOST": base.get("HOST") or "127.0.0.1",
        "PORT": base.get("PORT") or "5432",
        **settings,
    }
    # A handler of its own needs a "default"; the alias asked for is the same settings.
    return ConnectionHandler({"default": conf, alias: conf})[alias]


def failure_of(db) -> OperationalError:
    with pytest.raises(OperationalError) as caught:
        db.ensure_connection()
    return caught.value


def unreachable_db() -> BaseDatabaseWrapper:
    """A server that is not listening (restart, crash, wrong host): a closed port."""
    return postgresql("down", PORT="1")


def test_a_server_that_refuses_the_connection_is_down(db):
    assert unavailable_reason(failure_of(unreachable_db())) == DOWN


def test_an_sqlite_lock_is_still_told_apart():
    assert unavailable_reason(OperationalError("database is locked")) == LOCKED


@pytest.mark.parametrize(
    "exc",
    [
        OperationalError("no such table: orgs_unit"),  # a missing migration is a bug: 500
        ValueError("connection failed"),  # not a database error, whatever its words
        RuntimeError("boom"),
        None,
    ],
)
def test_other_failures_are_not_taken_for_an_unavailable_database(exc):
    # Real messages: SQLite's for a missing table; words alone do not make a database error.
    assert unavailable_reason(exc) is None


@on_postgresql
def test_a_role_past_its_connection_limit_is_busy(db):
    # Roles are cluster-wide and the test's own connection is inside a transaction: a
    # connection of its own creates and drops the role, committed at once.
    role = f"xp_no_connections_{os.getpid()}"  # one per test process (xdist workers)
    admin = postgresql("admin")
    with admin.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 0")
    try:
        # PostgreSQL: FATAL: too many connections for role "xp_no_connections_…"
        exc = failure_of(postgresql(USER=role))
        assert unavailable_reason(exc) == BUSY, repr(exc)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f"DROP ROLE {role}")
        admin.close()


# One connection in all: Django keeps one pool per alias, shared by every wrapper of it.
ONE_CONNECTION_POOL = {"pool": {"min_size": 1, "max_size": 1, "timeout": 0.3}}


def pooled_read(request):
    with postgresql("pooled", OPTIONS=ONE_CONNECTION_POOL).cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("read")


def unreachable_read(request):
    with unreachable_db().cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("read")


class FailingBeforeTheView:
    """A middleware whose own query fails (as the session or user lookup would)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unreachable_db().ensure_connection()
        return self.get_response(request)


class BrokenBeforeTheView(FailingBeforeTheView):
    def __call__(self, request):
        raise RuntimeError("a bug, not an unavailable database")


urlpatterns = [
    path("pooled/", pooled_read),
    path("api/v1/pooled/", pooled_read),
    path("unreachable/", unreachable_read),
    path("api/v1/unreachable/", unreachable_read),
]


def assert_503(response, words: str):
    assert response.status_code == 503
    assert response["Retry-After"]
    assert words in response.content.decode()


@on_postgresql
@pytest.mark.urls("xuanpei.core.tests.test_database_unavailable")
@pytest.mark.parametrize("url", ["/pooled/", "/api/v1/pooled/"])
def test_no_free_pooled_connection_answers_busy(client, district, url):
    holder_has_it, release = threading.Event(), threading.Event()

    def hold_the_only_connection():
        held = postgresql("pooled", OPTIONS=ONE_CONNECTION_POOL)
        held.ensure_connection()  # the pool's one connection, taken by this thread
        holder_has_it.set()
        release.wait(10)
        held.close()  # back to the pool

    holder = threading.Thread(target=hold_the_only_connection)
    holder.start()
    try:
        assert holder_has_it.wait(10)
        client.force_login(district.town_a)
        response = client.get(url)
    finally:
        release.set()
        holder.join(10)
        postgresql("pooled", OPTIONS=ONE_CONNECTION_POOL).close_pool()

    assert_503(response, "系统繁忙，请稍后再试")
    if not url.startswith("/api/"):
        assert "当前访问人数较多" in response.content.decode()


def backend_pid(db) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@on_postgresql
@pytest.mark.parametrize("checked", [True, False])
def test_a_pooled_connection_the_server_dropped_is_not_lent_to_a_request(db, checked):
    # What a PostgreSQL restart does to every idle pooled connection, done to one.
    conf = {"OPTIONS": {"pool": {"min_size": 1, "max_size": 1}}, "CONN_HEALTH_CHECKS": checked}
    alias = f"dropped_{checked}"
    first = postgresql(alias, **conf)
    pid = backend_pid(first)
    first.close()  # back to the pool, idle
    admin = postgresql("admin")
    with admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    admin.close()
    second = postgresql(alias, **conf)
    try:
        if checked:  # as the production settings have it with a pool (settings.py)
            assert backend_pid(second) != pid  # a fresh connection, no error
        else:
            with pytest.raises(OperationalError) as caught:
                backend_pid(second)
            assert unavailable_reason(caught.value) == DOWN  # still a 503, not a 500
    finally:
        second.close()
        second.close_pool()


@pytest.mark.urls("xuanpei.core.tests.test_database_unavailable")
@pytest.mark.parametrize("url", ["/unreachable/", "/api/v1/unreachable/"])
def test_an_unreachable_database_answers_503_not_500(client, district, url):
    client.force_login(district.town_a)
    response = client.get(url)
    assert_503(response, "数据库暂时无法连接，请稍后再试")


def test_a_failure_before_the_view_is_a_503_too(db, settings, caplog):
    # The platform's own URLconf and its handler500; the failure comes before any view (as
    # under load: the audit middleware's user lookup is the request's first query).
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:3],
        "xuanpei.core.tests.test_database_unavailable.FailingBeforeTheView",
        *settings.MIDDLEWARE[3:],
    ]
    response = Client(raise_request_exception=False).get("/accounts/login/")
    assert_503(response, "系统的数据库暂时无法连接")
    # One WARNING line, no ERROR record with a traceback (a busy hour would fill the log).
    logged = [(r.levelname, r.exc_info is not None) for r in caplog.records]
    assert logged == [("WARNING", False)], caplog.text


def test_any_other_failure_before_the_view_is_still_the_500_page(db, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:3],
        "xuanpei.core.tests.test_database_unavailable.BrokenBeforeTheView",
        *settings.MIDDLEWARE[3:],
    ]
    response = Client(raise_request_exception=False).get("/accounts/login/")
    assert response.status_code == 500
    assert "服务器出错了" in response.content.decode()
