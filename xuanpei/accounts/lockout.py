"""Login throttling beside django-axes (issue #9 item 5).

Two layers:

* **axes** locks a username *for the client address that failed* (`AXES_LOCKOUT_PARAMETERS
  = [["username", "ip_address"]]`): five wrong passwords from one client lock that client
  out of that account for 15 minutes, while the owner at their own desk still gets in.
* **the delay ladder** (this module) slows guessing of one username spread over many
  addresses: once the account has `LOGIN_DELAY_AFTER_FAILURES` recent failures in all
  (counted from axes' own `AccessAttempt` rows, so every worker process sees the same
  count), each further attempt must wait 2^(n − threshold) seconds after the last failure,
  at most `LOGIN_DELAY_MAX_SECONDS`. An early attempt is answered at once with
  "请 N 秒后再试" and never reaches the password check: nothing sleeps, so an attacker
  cannot tie up the worker threads that everyone's pages need. A client address from
  which the account has logged in before (axes' `AccessLog`) is not delayed, so an
  attack from elsewhere does not stand in the owner's way.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


def client_ip(request) -> str | None:
    """The client's address (AXES_CLIENT_IP_CALLABLE; also used by the ladder).

    Behind `XUANPEI_TRUSTED_PROXIES` reverse proxies (nginx: 1) the address is the one
    the outermost trusted proxy saw: the N-th entry from the right of X-Forwarded-For
    (each proxy appends the address it received from). Entries further left are the
    client's own word and are never trusted. With no trusted proxy (the default), the
    header is ignored and REMOTE_ADDR is the client.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = getattr(settings, "XUANPEI_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _known_client(username: str, address: str | None) -> bool:
    return (
        bool(address) and AccessLog.objects.filter(username=username, ip_address=address).exists()
    )


def ladder_wait(username: str, address: str | None) -> int:
    """Seconds `address` must still wait before trying `username` again (0: go ahead)."""
    if not username:
        return 0
    threshold = settings.LOGIN_DELAY_AFTER_FAILURES
    now = timezone.now()
    recent = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off is not None:
        recent = recent.filter(attempt_time__gte=now - cool_off)
    agg = recent.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    failures = agg["failures"] or 0
    if failures < threshold or _known_client(username, address):
        return 0
    delay = min(2 ** min(failures - threshold, 30), settings.LOGIN_DELAY_MAX_SECONDS)
    remaining = (agg["last"] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


def is_locked(username: str) -> bool:
    """Is `username` locked out for some client right now (for the admin's unlock button)?"""
    recent = AccessAttempt.objects.filter(
        username=username, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    cool_off = get_cool_off()
    if cool_off is not None:
        recent = recent.filter(attempt_time__gte=timezone.now() - cool_off)
    return recent.exists()


def unlock(username: str) -> int:
    """Lift every lock and forget every failure of `username`; returns the rows removed."""
    from axes.utils import reset

    return reset(username=username)
