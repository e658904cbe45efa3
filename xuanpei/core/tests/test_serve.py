"""`xuanpei serve` (issue #14 item 1): gunicorn with the production settings, and the
settings it turns on — the bounded PostgreSQL pool and sessions in Redis.

The argv is checked through gunicorn's own parser; one test starts the real server on
SQLite in a subprocess and asks it for /healthz.
"""

from __future__ import annotations

import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

import xuanpei.settings
from xuanpei.core import serve

SETTINGS = xuanpei.settings.__file__
PG_URL = "postgres://xuanpei:secret@127.0.0.1:5432/xuanpei"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _gunicorn_config(argv: list[str]):
    """What gunicorn itself makes of the argv (its parser and config, not ours)."""
    from gunicorn.app.wsgiapp import WSGIApplication

    app = WSGIApplication.__new__(WSGIApplication)  # no __init__: it would parse sys.argv
    app.usage, app.prog, app.callable = None, None, None
    app.load_default_config()
    args = app.cfg.parser().parse_args(argv)
    for key, value in vars(args).items():
        if value is not None and key in app.cfg.settings:
            app.cfg.set(key.lower(), value)
    return app.cfg, args


# ----------------------------------------------------------------- the gunicorn command


def test_workers_are_twice_the_cores_plus_one_capped():
    assert serve.default_workers(1) == 3
    assert serve.default_workers(2) == 5  # the district's 2-core box
    assert serve.default_workers(16) == serve.MAX_WORKERS == 8


def test_the_argv_runs_threaded_workers_with_long_timeouts_and_logs_to_stdout():
    argv = serve.gunicorn_argv(bind="127.0.0.1:8000", workers=5, threads=4)

    cfg, args = _gunicorn_config(argv)

    assert args.args == ["xuanpei.wsgi:application"]
    assert cfg.bind == ["127.0.0.1:8000"]
    assert cfg.workers == 5
    assert cfg.worker_class_str == "gthread"
    assert cfg.threads == 4
    assert cfg.timeout == 120  # nginx's proxy_read_timeout, the same
    assert cfg.graceful_timeout == 30
    assert cfg.keepalive == 5
    assert cfg.max_requests == 2000
    assert cfg.accesslog == "-"  # one line per request on stdout (journald, docker logs)
    assert cfg.access_log_format.endswith("%(M)sms")  # with the time it took
    assert cfg.errorlog == "-"
    assert cfg.control_socket_disable is True
    assert cfg.preload_app is False  # each worker opens its own pool after the fork


def test_the_server_environment_bounds_connections_by_the_threads():
    assert serve.server_environ({}, threads=4)["DB_POOL_MAX_SIZE"] == "4"
    # The operator's choice wins, including 0 (no pool: PgBouncer in front).
    assert serve.server_environ({"DB_POOL_MAX_SIZE": "0"}, threads=4)["DB_POOL_MAX_SIZE"] == "0"
    assert serve.server_environ({}, threads=4)["DJANGO_SETTINGS_MODULE"] == "xuanpei.settings"


def test_the_server_runs_queries_without_parallel_helpers_unless_told_otherwise():
    assert serve.server_environ({}, threads=4)["PG_PARALLEL_WORKERS"] == "0"
    assert (
        serve.server_environ({"PG_PARALLEL_WORKERS": "2"}, threads=4)["PG_PARALLEL_WORKERS"] == "2"
    )


def test_it_says_where_it_listens_in_chinese():
    line = serve.listening_line(bind="0.0.0.0:8000", workers=5, threads=4)

    assert "监听 http://0.0.0.0:8000" in line
    assert "5 个进程 × 4 个线程" in line
    assert "监听 unix:/run/xuanpei.sock" in serve.listening_line(
        bind="unix:/run/xuanpei.sock", workers=1, threads=1
    )


def test_it_refuses_to_serve_with_debug_on(settings):
    settings.DEBUG = True

    with pytest.raises(CommandError, match="DEBUG=0"):
        call_command("serve")


def test_it_refuses_to_start_before_collectstatic(settings, tmp_path, monkeypatch):
    settings.STATIC_ROOT = tmp_path
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE")  # conftest's, for browser tests only

    with pytest.raises(Exception, match="collectstatic"):
        call_command("serve", bind=f"127.0.0.1:{_free_port()}")


@pytest.mark.parametrize("bind", ["8000", "localhost:http", ":8000", "127.0.0.1:70000"])
def test_a_malformed_address_is_refused_in_chinese(bind):
    with pytest.raises(CommandError, match="格式不对"):
        call_command("serve", bind=bind)


def test_a_port_in_use_is_refused_in_chinese():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match="无法监听.*端口已被占用"):
            call_command("serve", bind=f"127.0.0.1:{port}")


# ------------------------------------------------------------ the settings it turns on


def test_the_pool_is_on_with_a_size_and_persistent_connections_off(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "4")
    monkeypatch.delenv("DB_POOL_MIN_SIZE", raising=False)
    monkeypatch.delenv("DB_POOL_TIMEOUT", raising=False)
    monkeypatch.delenv("PG_JIT", raising=False)
    monkeypatch.delenv("PG_PARALLEL_WORKERS", raising=False)

    db = runpy.run_path(SETTINGS)["DATABASES"]["default"]

    assert db["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 10}
    assert db["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert db["CONN_HEALTH_CHECKS"] is True  # the pool checks a connection before lending it
    assert db["OPTIONS"]["options"] == "-c jit=off"  # passed to every pooled connection


def test_the_parallel_workers_setting_reaches_every_connection(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.setenv("PG_PARALLEL_WORKERS", "0")
    monkeypatch.delenv("PG_JIT", raising=False)

    db = runpy.run_path(SETTINGS)["DATABASES"]["default"]

    assert db["OPTIONS"]["options"] == "-c jit=off -c max_parallel_workers_per_gather=0"
    monkeypatch.setenv("PG_JIT", "1")
    db = runpy.run_path(SETTINGS)["DATABASES"]["default"]
    assert db["OPTIONS"]["options"] == "-c max_parallel_workers_per_gather=0"


def test_without_the_variable_there_is_no_pool(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.delenv("DB_POOL_MAX_SIZE", raising=False)
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)

    db = runpy.run_path(SETTINGS)["DATABASES"]["default"]

    assert "pool" not in db["OPTIONS"]
    assert db["CONN_MAX_AGE"] == 60


def test_sqlite_ignores_the_pool(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("XUANPEI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "4")

    db = runpy.run_path(SETTINGS)["DATABASES"]["default"]

    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert "pool" not in db["OPTIONS"]


@pytest.mark.parametrize(("size", "minimum"), [("-1", "1"), ("4", "5"), ("four", "1")])
def test_a_bad_pool_size_stops_the_process(monkeypatch, size, minimum):
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.setenv("DB_POOL_MAX_SIZE", size)
    monkeypatch.setenv("DB_POOL_MIN_SIZE", minimum)

    with pytest.raises(ImproperlyConfigured, match="DB_POOL_M"):
        runpy.run_path(SETTINGS)


def test_sessions_live_in_redis_written_through_to_the_database(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://redis.example:6379/2")
    shared = runpy.run_path(SETTINGS)
    assert shared["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"

    monkeypatch.delenv("REDIS_URL")
    local = runpy.run_path(SETTINGS)
    assert "SESSION_ENGINE" not in local  # Django's default: the database


# ------------------------------------------------------------------- one real start


def test_the_real_server_starts_and_answers_healthz(tmp_path):
    """gunicorn on SQLite, production settings, one worker: /healthz and /readyz answer."""
    port = _free_port()
    (tmp_path / "staticfiles").mkdir()
    (tmp_path / "staticfiles" / "staticfiles.json").write_text('{"paths": {}}')
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in ("DATABASE_URL", "REDIS_URL", "JOB_RUNNER", "DB_POOL_MAX_SIZE")
        # conftest's, for browser tests; the deploy check refuses it.
        + ("DJANGO_ALLOW_ASYNC_UNSAFE",)
    }
    env.update(
        DEBUG="0",
        SECRET_KEY="test-only-" + "x" * 50,
        ALLOWED_HOSTS="127.0.0.1",
        XUANPEI_VAR_DIR=str(tmp_path),
        PYTHONUNBUFFERED="1",
    )
    xuanpei_cli = Path(sys.executable).with_name("xuanpei")
    server = subprocess.Popen(
        [str(xuanpei_cli), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60  # a busy CI machine starts it slowly
        health = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    health = (r.status, r.read())
                break
            except OSError:
                time.sleep(0.2)
        assert health == (200, b"ok"), "the server did not answer /healthz in 60 s"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
            assert r.status == 200
            assert b'"database": "ok"' in r.read()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=20)

    assert f"监听 http://127.0.0.1:{port}，1 个进程 × 4 个线程" in output
    assert "Using worker: gthread" in output
    assert '"GET /healthz HTTP/1.1" 200' in output  # the access log on stdout
    assert re.search(r'"GET /healthz HTTP/1.1" 200 .* \d+ms$', output, re.M)  # and its time
    assert server.returncode == 0


def test_a_login_session_is_read_from_redis_and_kept_in_the_database(client, settings, db):
    import uuid

    import redis
    from django.contrib.sessions.models import Session

    from xuanpei.accounts.factories import UserFactory

    url = os.environ.get("XUANPEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {url}")
        pytest.skip(f"no Redis at {url}")
    prefix = f"xuanpei-test-sessions-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    server = redis.Redis.from_url(url)
    try:
        client.force_login(UserFactory())
        key = client.cookies[settings.SESSION_COOKIE_NAME].value

        assert server.exists(f"{prefix}:1:django.contrib.sessions.cached_db{key}") == 1
        assert Session.objects.filter(session_key=key).exists()  # survives a Redis restart
        assert client.get("/accounts/profile/").status_code == 200
    finally:
        keys = list(server.scan_iter(f"{prefix}:*"))
        if keys:
            server.delete(*keys)
