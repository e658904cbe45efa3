"""How `xuanpei serve` runs gunicorn (issue #14 item 1): the argv and the environment.

Kept apart from the command so tests check what would run without starting a server.
Defaults are for the district's intranet box (2 cores, a few hundred users, nginx in
front): why each value is what it is, see docs/decisions.md "Production server".
"""

from __future__ import annotations

import os
from collections.abc import Mapping

WSGI_APP = "xuanpei.wsgi:application"
DEFAULT_BIND = "127.0.0.1:8000"
# 2 × cores + 1 (gunicorn's rule of thumb), capped: each worker holds the whole Django
# app (~150 MB) and, with the pool, up to DB_POOL_MAX_SIZE PostgreSQL connections.
MAX_WORKERS = 8
DEFAULT_THREADS = 4
# A worker whose main loop is silent this long (stuck, not merely busy: with gthread a long
# request does not silence it) is killed and replaced. A request's own limit is nginx's
# proxy_read_timeout, set to the same 120 s: an export or a bulletin rendered inline must
# finish (the big ones run as jobs). nginx buffers uploads, so a slow client holds no thread.
TIMEOUT_SECONDS = 120
# On SIGTERM (systemctl stop/restart) running requests get this long to finish.
GRACEFUL_TIMEOUT_SECONDS = 30
# Keep-alive with nginx (which reuses upstream connections) and htmx polls every few seconds.
KEEP_ALIVE_SECONDS = 5
# A worker is replaced after about this many requests: a slow leak cannot grow for ever.
MAX_REQUESTS = 2000
MAX_REQUESTS_JITTER = 200
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def default_workers(cores: int | None = None) -> int:
    """2 × cores + 1, at most MAX_WORKERS (5 on the 2-core box)."""
    if cores is None:
        # The cores this process may run on (a container's or taskset's share), not the host's.
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = cores or 1
    return max(1, min(2 * cores + 1, MAX_WORKERS))


def gunicorn_argv(*, bind: str, workers: int, threads: int) -> list[str]:
    """The gunicorn command line (after `python -m gunicorn`) for `xuanpei serve`."""
    return [
        WSGI_APP,
        "--bind",
        bind,
        "--workers",
        str(workers),
        # gthread: a thread per request inside each worker; a slow request (an export, a
        # long htmx poll) does not block the worker's other requests, and keep-alive
        # connections are handled without a thread each (docs/decisions.md).
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        str(TIMEOUT_SECONDS),
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT_SECONDS),
        "--keep-alive",
        str(KEEP_ALIVE_SECONDS),
        "--max-requests",
        str(MAX_REQUESTS),
        "--max-requests-jitter",
        str(MAX_REQUESTS_JITTER),
        # Access log and errors to stdout/stderr: journald (systemd) or docker keeps them.
        "--access-logfile",
        "-",
        # gunicorn's default line, plus the time the request took (ms): slow pages show in
        # the journal without a profiler.
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--error-logfile",
        "-",
        # Gunicorn 25+ opens a control socket under $HOME by default; a service user may
        # have no home, and two instances on one machine would share the socket.
        "--no-control-socket",
    ]


def server_environ(environ: Mapping[str, str], *, threads: int) -> dict[str, str]:
    """The environment gunicorn starts with: the caller's, with the production pool on.

    Each worker's PostgreSQL connections are pooled, at most one per request thread
    (DB_POOL_MAX_SIZE = threads), so the server never holds more than workers × threads
    connections whatever the load. An explicit DB_POOL_MAX_SIZE (0 turns the pool off)
    wins.
    """
    env = dict(environ)
    env.setdefault("DB_POOL_MAX_SIZE", str(threads))
    # A page's queries without parallel helpers: on the 2-core box they finish sooner
    # alone than with two more processes competing with the other requests (the street's
    # people list: 61–68 ms → 36–38 ms). Background jobs keep PostgreSQL's default.
    env.setdefault("PG_PARALLEL_WORKERS", "0")
    env.setdefault("DJANGO_SETTINGS_MODULE", "xuanpei.settings")
    return env


def listening_line(*, bind: str, workers: int, threads: int) -> str:
    """The one Chinese line `xuanpei serve` prints before it starts."""
    where = bind if bind.startswith("unix:") else f"http://{bind}"
    return (
        f"宣培通正在启动（gunicorn）：监听 {where}，{workers} 个进程 × {threads} 个线程；"
        "按 Ctrl+C 停止"
    )
