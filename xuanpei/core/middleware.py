"""Two middlewares for a busy or idle platform (issue #9 items 7 and 8).

`SessionMiddleware` replaces Django's: a signed-in session's idle expiry is pushed
back by the first request after RENEW_SECONDS, not by every request (a session write
per click was a database write on every page, the heaviest part of the cheapest pages
under load — issue #14); a request a view marks as a poll (`request.session_poll = True`,
the job page's progress refresh) never renews it — a forgotten progress page must not
keep a session alive for ever; and a session renewal that meets a locked SQLite
database is skipped rather than answered with a 400 (the page itself was read fine).

`BusyMiddleware` answers "database is locked" — SQLite's one writer held longer
than the busy timeout, e.g. by a long import commit — with the Chinese
"系统繁忙，请稍后再试" page (503, Retry-After), never a 500.
"""

from __future__ import annotations

import logging
import time

from django.contrib.sessions.exceptions import SessionInterrupted
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10
# A session idle for SESSION_COOKIE_AGE expires; it may do so up to this much earlier
# (its last renewal was at most this long before the last request).
RENEW_SECONDS = 60
RENEWED_KEY = "_renewed_at"


def is_locked(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) is SQLite's "database is locked"/"busy"."""
    while exc is not None:
        if isinstance(exc, OperationalError) and (
            "locked" in str(exc).lower() or "busy" in str(exc).lower()
        ):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def busy_response(request) -> HttpResponse:
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": "系统繁忙，请稍后再试"},
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        # Standalone (no context processors, no database): the database is what is busy.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


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
                return busy_response(request)  # a login or a change that must not be lost
            logger.warning("session renewal skipped: database is locked")
            return response


class BusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_locked(exception):
            logger.warning("answered 503: database is locked (%s)", request.path)
            return busy_response(request)
        return None
