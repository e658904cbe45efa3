"""Health endpoints for nginx, systemd, docker and monitoring (issue #14 item 6).

- `/healthz`: the process answers (200 "ok"); touches nothing else, so a database
  outage does not make a supervisor restart healthy servers.
- `/readyz`: the process can serve: the database answers a query, the shared cache
  (Redis, when configured) answers, and with JOB_RUNNER=celery at least one worker
  answers a ping. A small JSON body names each check; any failure gives 503.

Both are anonymous, hold no domain data (no counts, no hosts, no error texts: the reason
of a failure goes to the log at WARNING), are never cached, and a 503 is not logged as a
server error (monitoring polls them; an outage must not flood the error log).

`HealthMiddleware` answers them first in the chain: a probe of 127.0.0.1:8000 from the
machine itself carries a Host that ALLOWED_HOSTS need not list and comes in over plain
HTTP, which SECURE_SSL_REDIRECT would redirect; neither matters for these two answers.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "fail"
_CACHE_KEY = "health:readyz"


@never_cache
def healthz(request):
    """200 "ok" while the process runs; nothing else is touched."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 answered something else")


def _cache() -> None:
    # A write and a read back: Redis refusing writes (disk full, replica) fails too.
    cache.set(_CACHE_KEY, "1", timeout=10)
    if cache.get(_CACHE_KEY) != "1":
        raise RuntimeError("the cache lost a key it was just given")


def _workers() -> None:
    from xuanpei.celery import app

    # One connection attempt, not kombu's retry loop: a broker that is down answers
    # within a second or two instead of holding the probe.
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=1)
        replies = app.control.ping(timeout=1, connection=conn)
    if not replies:
        raise RuntimeError("no Celery worker answered the ping")


def shared_cache_configured() -> bool:
    """True when the default cache is Redis (REDIS_URL), the one /readyz checks."""
    return settings.CACHES.get("default", {}).get("BACKEND", "").endswith("RedisCache")


def readiness_checks() -> dict:
    """The checks that apply to this configuration, by the name /readyz reports."""
    checks = {"database": _database}
    if shared_cache_configured():
        checks["cache"] = _cache
    if settings.JOB_RUNNER == "celery":
        checks["workers"] = _workers
    return checks


def readyz(request):
    """200 when every applicable check passes, else 503; the body names each check."""
    results = {}
    for name, check in readiness_checks().items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", by name
            logger.warning("readyz: %s check failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = FAILED
        else:
            results[name] = OK
    ready = all(value == OK for value in results.values())
    response = JsonResponse(
        {"status": OK if ready else FAILED, "checks": results}, status=200 if ready else 503
    )
    add_never_cache_headers(response)
    # Django logs every 5xx at ERROR (django.request); a failed probe is already logged
    # above, at WARNING, with its reason.
    response._has_been_logged = True  # noqa: SLF001 - Django's own marker for this
    return response


class HealthMiddleware:
    """Answers /healthz and /readyz before host validation, the HTTPS redirect, sessions
    and the rest (see the module docstring). First in MIDDLEWARE."""

    VIEWS = {"/healthz": healthz, "/readyz": readyz}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = self.VIEWS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
