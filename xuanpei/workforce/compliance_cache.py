"""The 持证率 readings cached per scope (core.readings; issue #14: pages under load).

The dashboard's aggregates (the totals, per unit, sector and department, the twelve-month
trend, the ranking of enterprises, the certificates due) read tens of thousands of snapshot
and certificate rows per view — the heaviest page of the load mix — and change only when
the snapshots, the certificates or the enterprises do. Their generation is replaced when
snapshot rows are written or pruned (`compliance.refresh_snapshots`, `prune_snapshots`), a
post or certificate is saved or deleted (`compliance.note_change`); and they depend on the
orgs readings' generation (an enterprise opened, closed, moved or re-sectored, its
supervising departments, a unit).

Only readings of stored snapshots are cached: a figure computed live from the records
(a day that is not a snapshot day) is not.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from xuanpei.core.readings import Readings, scope_reader
from xuanpei.orgs.readings import ORGS

T = TypeVar("T")
COMPLIANCE = Readings("compliance", depends_on=(ORGS,))


def snapshots_changed(*args, **kwargs) -> None:
    """Every cached 持证率 reading is stale from now on."""
    COMPLIANCE.changed()


def cached(kind: str, user, parts: tuple, compute: Callable[[], T], *, model=None) -> T:
    """`compute()`, or the reading already made by a reader of the same scope and the same
    grant on `model` (what the reading counts: the snapshots unless told)."""
    from xuanpei.workforce.models import ComplianceSnapshot

    reader = scope_reader(user, model or ComplianceSnapshot)
    return COMPLIANCE.cached(kind, reader, parts, compute)
