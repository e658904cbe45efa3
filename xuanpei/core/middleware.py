"""Two middlewares for a busy or idle platform (issue #9 items 7 and 8).

`SessionMiddleware` replaces Django's: a signed-in session's idle expiry is pushed
back by the first request after RENEW_SECONDS, not by every request (a session write
per click was a database write on every page, the heaviest part of the cheapest pages
under load — issue #14); a request a view marks as a poll (`request.session_poll = True`,
the job page's progress refresh) never renews it — a forgotten progress page must not
keep a session alive for ever; and a session renewal that meets a locked SQLite
database is skipped rather than answered with a 400 (the page itself was read fine).

`BusyMiddleware` answers a database that cannot serve this request now with a Chinese
page (503, Retry-After), never a 500: SQLite's "database is locked" (its one writer held
longer than the busy timeout, e.g. by a long import commit); under `xuanpei serve` on
PostgreSQL, no free pooled connection within DB_POOL_TIMEOUT or the server's connection
limit reached (系统繁忙), and the server unreachable or restarting (数据库暂时无法连接).
`server_error` (the URLconf's handler500) gives the same answer when the failure came
from a middleware before the view, where `process_exception` does not see it — under load
the first query is the audit middleware's user lookup. Both are needed: with DEBUG on
(`make run`) Django shows its debug page instead of calling handler500.
"""

from __future__ import annotations

import logging
import sys
import time

import psycopg
from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from psycopg_pool import PoolTimeout

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
# A session idle for SESSION_COOKIE_AGE expires; it may do so up to this much earlier
# (its last renewal was at most this long before the last request).
RENEW_SECONDS = 60
RENEWED_KEY = "_renewed_at"


# Why a database could not serve a request (`unavailable_reason`), and what the user reads:
# (heading, message) of the 503 page; the heading alone is the API's `detail`.
LOCKED, BUSY, DOWN = "locked", "busy", "down"
ANSWERS = {
    LOCKED: (
        _("系统繁忙，请稍后再试"),
        _("系统正在处理大批量数据（如导入），暂时无法保存您的操作。"),
    ),
    BUSY: (_("系统繁忙，请稍后再试"), _("当前访问人数较多，系统暂时无法处理您的请求。")),
    DOWN: (
        _("数据库暂时无法连接，请稍后再试"),
        _("系统的数据库暂时无法连接（可能正在重启或维护）。"),
    ),
}
# SQLSTATEs of a server that refuses or drops connections: class 08 (connection exception),
# 57P01–57P03 (admin/crash shutdown, cannot connect now); 53300 is too_many_connections.
_DOWN_SQLSTATE_PREFIXES = ("08", "57P01", "57P02", "57P03")
# psycopg's own words (never localized) for a connection it could not open or lost; a
# server's FATAL at connect time carries no SQLSTATE, only these.
_DOWN_TEXTS = ("connection failed", "connection is lost", "server closed the connection")


def _reason_of(exc: BaseException) -> str | None:
    """The reason of one exception of a chain (`unavailable_reason` walks the chain)."""
    text = str(exc).lower()
    if isinstance(exc, OperationalError) and ("locked" in text or "busy" in text):
        return LOCKED  # SQLite's one writer held past the busy timeout
    if isinstance(exc, PoolTimeout):
        return BUSY  # every pooled connection of this process busy for DB_POOL_TIMEOUT
    if not isinstance(exc, psycopg.OperationalError):
        return None
    sqlstate = exc.sqlstate or ""
    if sqlstate == "53300" or "too many clients" in text or "too many connections" in text:
        return BUSY
    if sqlstate.startswith(_DOWN_SQLSTATE_PREFIXES) or any(t in text for t in _DOWN_TEXTS):
        return DOWN
    return None


def unavailable_reason(exc: BaseException | None) -> str | None:
    """LOCKED, BUSY or DOWN when `exc` (or what caused it) means the database cannot
    serve this request now — a state that passes, not a bug; None for anything else."""
    while exc is not None:
        reason = _reason_of(exc)
        if reason:
            return reason
        exc = exc.__cause__ or exc.__context__
    return None


def is_locked(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) is SQLite's "database is locked"/"busy"."""
    return unavailable_reason(exc) == LOCKED


def busy_response(request, reason: str = LOCKED, cause: BaseException | None = None):
    """The 503 for `reason`, logged here as one WARNING line: a state that passes is not
    an error, and a pool exhausted under load must not fill the log with tracebacks."""
    logger.warning("answered 503: database %s (%s): %s", reason, request.path, cause or "")
    heading, message = ANSWERS[reason]
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": str(heading)}, status=503, json_dumps_params={"ensure_ascii": False}
        )
    else:
        # Standalone (no context processors, no database): the database is what failed.
        context = {"heading": heading, "message": message}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # Django's own ERROR record (with traceback): not again
    return response


def server_error(request, *args, **kwargs) -> HttpResponse:
    """handler500: a database that cannot serve now is a 503 wherever it failed (a
    middleware before the view included); anything else is Django's 500 page."""
    exc = sys.exc_info()[1]
    reason = unavailable_reason(exc)
    if reason:
        return busy_response(request, reason, exc)
    return defaults.server_error(request, *args, **kwargs)


class SessionMiddleware(DjangoSessionMiddleware):
    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.modified and getattr(request, "session_poll", False):
            # A poll: no save, so the session's expiry is not pushed back.
            if session.accessed:
                patch_vary_headers(response, ("Cookie",))
            return response
        if session is not None and not session.modified and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED_KEY, 0) >= RENEW_SECONDS:
                session[RENEWED_KEY] = now  # modified: saved with a new expiry below
        try:
            return super().process_response(request, response)
        except SessionInterrupted as exc:
            if not is_locked(exc):
                raise
            if session is not None and session.modified:
                return busy_response(request, LOCKED, exc)  # a change that must not be lost
            logger.warning("session renewal skipped: database is locked")
            return response


class BusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        reason = unavailable_reason(exception)
        if reason:
            return busy_response(request, reason, exception)
        return None
