"""A shared cache of 持证率 readings over the snapshots (issue #14: pages under load).

The dashboard's aggregates (the totals, per unit, sector and department, the twelve-month
trend) read tens of thousands of snapshot rows per view — half a second of the database
per 持证率 page at scale 10, the heaviest page of the load mix — and change only when the
snapshots do. A reading is cached under a *generation*, a number kept in the cache
(Redis in deployments: one for every process) and replaced whenever something a reading
depends on changes: snapshot rows written or pruned (`compliance.refresh_snapshots`,
`prune_snapshots`), an enterprise opened, closed, moved or re-sectored, its supervising
departments, a unit. Old generations' entries are never read again and expire after
READING_SECONDS. Without a shared cache (locmem, several server processes) another
process's change is seen at the latest after READING_SECONDS.

Only readings of stored snapshots are cached: a figure computed live from the records
(a day that is not a snapshot day) is not.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

from xuanpei.core.permissions import has_action
from xuanpei.core.scoping import UserScope

T = TypeVar("T")
READING_SECONDS = 300
GENERATION_KEY = "workforce:compliance:generation"


def snapshots_changed(*args, **kwargs) -> None:
    """Every cached reading is stale from now on (a signal receiver as well).

    Now, and again when the writer's transaction commits: another process reading
    between the two would cache what was there before, under the first new generation.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:  # evicted or never set: a new one, agreed on through add()
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    return generation


def _reader(user) -> str:
    """Who reads, as far as the readings differ: the scope, not the person."""
    from xuanpei.workforce.models import ComplianceSnapshot

    if user is None:
        return "system"
    if not has_action(user, ComplianceSnapshot, "view"):
        return "none"
    s = UserScope.of(user)
    return f"{int(s.everything)}|{s.unit_path}|{s.department_id}|{s.enterprise_id}"


def cached(kind: str, user, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or the reading already made by a reader of the same scope."""
    raw = repr((kind, _reader(user), parts))
    key = f"workforce:compliance:{_generation()}:{hashlib.sha1(raw.encode()).hexdigest()}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=READING_SECONDS)
    return value


def connect_signals() -> None:
    """Called from WorkforceConfig.ready(): what the readings depend on besides snapshots."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from xuanpei.orgs.models import Enterprise, Unit

    # Not on ComplianceSnapshot: a receiver would turn its bulk deletes into row-by-row
    # ones (Django fetches every row to signal it); its writers call snapshots_changed().
    for model in (Enterprise, Unit):
        for signal in (post_save, post_delete):
            signal.connect(
                snapshots_changed,
                sender=model,
                dispatch_uid=f"compliance-cache-{model.__name__}-{signal}",
            )
    m2m_changed.connect(
        snapshots_changed,
        sender=Enterprise.departments.through,
        dispatch_uid="compliance-cache-departments",
    )
