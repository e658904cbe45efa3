"""Dashboard readings cached per scope under generations (issue #14: pages under load).

A dashboard's aggregates (enterprises per unit, risk and sector; 持证率 totals, rankings and
trends) read tens of thousands of rows per view and change only when what they count does.
A `Readings` caches them under a *generation*: a number kept in the cache (Redis in
deployments: one for every server process) and replaced by `changed()` whenever something
a reading depends on is written — from signal receivers and from the services that write
in bulk. A reading that also depends on another family's data names it in `depends_on`:
its key holds both generations. Old generations' entries are never read again and expire
after `seconds`. Without a shared cache (locmem, several server processes) another
process's change is seen at the latest after `seconds`.

Readers of the same scope share a reading: the key holds the scope, not the person.
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
REGISTRY: dict[str, Readings] = {}


class Readings:
    """One family of cached readings and its generation."""

    def __init__(self, name: str, *, depends_on: tuple[Readings, ...] = (), seconds: int = 300):
        self.name = name
        self.depends_on = depends_on
        self.seconds = seconds
        self.generation_key = f"readings:{name}:generation"
        REGISTRY[name] = self

    def changed(self, *args, **kwargs) -> None:
        """Every cached reading of this family is stale from now on (a signal receiver too).

        Now, and again when the writer's transaction commits: another process reading
        between the two would cache what was there before, under the first new generation.
        """
        self.new_generation()
        transaction.on_commit(self.new_generation)

    def new_generation(self) -> None:
        cache.set(self.generation_key, time.time_ns(), timeout=None)

    def generation(self) -> int:
        generation = cache.get(self.generation_key)
        if generation is None:  # evicted or never set: a new one, agreed on through add()
            cache.add(self.generation_key, time.time_ns(), timeout=None)
            generation = cache.get(self.generation_key)
        return generation

    def _generations(self) -> str:
        return ".".join(str(r.generation()) for r in (self, *self.depends_on))

    def cached(self, kind: str, reader: str, parts: tuple, compute: Callable[[], T]) -> T:
        """`compute()`, or the reading already made by a reader of the same scope."""
        digest = hashlib.sha1(repr((kind, reader, parts)).encode()).hexdigest()
        key = f"readings:{self.name}:{self._generations()}:{digest}"
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout=self.seconds)
        return value


def scope_reader(user, model) -> str:
    """Who reads `model`, as far as readings differ: the scope and the grant, not the person."""
    if user is None:
        return "system"
    if not has_action(user, model, "view"):
        return "none"
    s = UserScope.of(user)
    return f"{int(s.everything)}|{s.unit_path}|{s.department_id}|{s.enterprise_id}"


def forget_all() -> None:
    """A new generation for every family (tests: rows rolled back, cache entries not)."""
    for readings in REGISTRY.values():
        readings.new_generation()
