"""State changes that happen once, however many requests race for them (issue #9 item 6).

Two clicks on 提交, two reviewers on one report, a client retrying a POST: each request
reads the row, sees it in the expected state and writes. Without a lock both succeed
and both write their event and notification. The one mechanism for every status change:

    report = transition(report, field="status", from_states=[DRAFT, RETURNED],
                        changes={"status": SUBMITTED, ...}, refused=_("该报告已提交"))

`transition` re-reads the row under a row lock (`SELECT … FOR UPDATE`) inside the
caller's transaction, checks the expected state there and saves with `update_fields`
(so django-auditlog still records the change). The second request waits for the first
to commit, then sees the new state and is refused with a Chinese `ValidationError`,
writing nothing. `lock` is the same row lock for checks that read more than one field
(an assignment before reopening a period or recording an exception).

On PostgreSQL the lock is a row lock; SQLite has no row locks, but its transactions
start IMMEDIATE (settings), so writers are serialized and the check inside the
transaction reads the committed state as well.

`unique_or` turns a lost race on a unique constraint into the constraint's Chinese
message: the loser's INSERT waits for the winner's commit and then fails.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

M = TypeVar("M", bound=models.Model)
logger = logging.getLogger(__name__)


def lock(obj: M) -> M:
    """The row of `obj` re-read under a row lock (call inside `transaction.atomic`).

    The fresh values are copied onto `obj` as well, so a caller holding the instance
    a view looked up sees what the lock saw."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock() must run inside transaction.atomic()")
    model = type(obj)
    fresh = model._base_manager.select_for_update().get(pk=obj.pk)
    for field in model._meta.concrete_fields:
        setattr(obj, field.attname, getattr(fresh, field.attname))
    return obj


def transition(
    obj: M,
    *,
    field: str = "status",
    from_states: Iterable,
    changes: dict,
    refused: str,
) -> M:
    """Apply `changes` to `obj` once, only if its `field` is one of `from_states`.

    Locks the row, re-reads it and raises `ValidationError(refused)` when another
    request changed it first; otherwise saves the changed fields (and `updated_at`
    when the model has one) and returns `obj`, now current."""
    with transaction.atomic():
        lock(obj)
        if getattr(obj, field) not in set(from_states):
            raise ValidationError(refused)
        for name, value in changes.items():
            setattr(obj, name, value)
        fields = list(changes)
        if any(f.name == "updated_at" for f in type(obj)._meta.concrete_fields):
            fields.append("updated_at")
        obj.save(update_fields=fields)
    return obj


def serialize(name: str) -> None:
    """Let one transaction at a time past this point for `name` (until it commits).

    For set-based writes that plan against the stored rows first (the roster import):
    two imports of the same people would both plan "create" and the second would fail on
    the unique ID number. On PostgreSQL a transaction-level advisory lock; SQLite's
    IMMEDIATE transactions are one at a time already."""
    conn = transaction.get_connection()
    if conn.vendor == "postgresql":
        key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@contextmanager
def unique_or(message: str | dict) -> Iterator[None]:
    """Inside: writes whose unique constraint another request may win. A lost race
    raises `ValidationError(message)` and leaves the caller's transaction usable
    (a savepoint), never an IntegrityError (a 500)."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        raise ValidationError(message) from exc


CONFLICT_MESSAGE = _("该数据刚被其他操作修改或已存在（可能是重复提交），未保存。请刷新页面后重试。")


def conflict_response(request):
    """The 409 page: a write lost a race on a constraint the services did not foresee."""
    return render(request, "409.html", {"message": CONFLICT_MESSAGE}, status=409)


class ConflictMiddleware:
    """The net under `unique_or`: an IntegrityError that escapes a view is a Chinese 409
    page, never a 500 (the API's handler answers the same in JSON, `core.api`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, IntegrityError):
            logger.warning("write conflict on %s: %s", request.path, exception)
            return conflict_response(request)
        return None
