"""Foreign keys checked once per set-based import, not once per written row (PostgreSQL).

Django declares every foreign key DEFERRABLE INITIALLY DEFERRED: each inserted row
queues one referential-integrity trigger per key, all fired at COMMIT, each a
single-row look-up of the parent with a FOR KEY SHARE lock. For a 1,000,000-row
roster that is ~15 million look-ups: 43 s of a 180 s import (issue #10's profile).

A set-based import already took every key it writes from a look-up of the parent
tables. What the triggers add is protection against a parent deleted meanwhile.
`ReferencedKeys` gives that guarantee set-based and then writes without the
per-row triggers:

1. `require()` locks every distinct referenced parent row FOR KEY SHARE — the very
   lock the triggers take, once per parent instead of once per child row — and
   refuses the import if one is missing (deleted since the look-up), naming it;
2. the writes run with `session_replication_role = replica`, which is how
   `pg_restore --disable-triggers` loads data: no trigger is queued for them;
   unique and check constraints (indexes, not triggers) still apply, and there are
   no deferrable unique constraints in the schema (`tests` checks that);
3. the role is back to `origin` right after the writes, before anything else in the
   transaction, and a rollback resets it anyway (SET LOCAL).

Setting the role needs a superuser or, on PostgreSQL 15+, `GRANT SET ON PARAMETER
session_replication_role TO <app user>` (docs/deployment). Without it — and on
SQLite, whose foreign keys are checked immediately — the writes run as before with
the usual checks: slower, the same result.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

logger = logging.getLogger("xuanpei.imports")


class MissingParent(ValidationError):
    """A row the import refers to was deleted after the import looked it up (a
    ValidationError: the import's commit message shows its text)."""


@dataclass
class ReferencedKeys:
    """The parents of a set-based write: lock them, then write without per-row triggers."""

    cursor: object
    enabled: bool = field(init=False)

    def __post_init__(self) -> None:
        self.enabled = connection.vendor == "postgresql" and may_skip_triggers(self.cursor)

    def require(self, table: str, column: str, keys_sql: str, params=(), *, label: str) -> None:
        """Lock `table` rows whose `column` is in `keys_sql` (a one-column SELECT, NULLs
        ignored) FOR KEY SHARE; raise MissingParent if one of the keys has no row."""
        if not self.enabled:
            return
        started = time.monotonic()
        self.cursor.execute(
            f"""WITH k AS MATERIALIZED (
                SELECT DISTINCT k FROM ({keys_sql}) AS s(k) WHERE k IS NOT NULL)
            SELECT (SELECT count(*) FROM (SELECT 1 FROM {table} t
                    WHERE t.{column} IN (SELECT k FROM k) FOR KEY SHARE OF t) AS locked),
                (SELECT count(*) FROM k)""",
            list(params),
        )
        locked, wanted = self.cursor.fetchone()
        logger.debug("%.2fs keys: %s %d of %d", time.monotonic() - started, table, locked, wanted)
        if locked != wanted:
            raise MissingParent(
                _("导入期间有%(label)s被删除（%(n)d 个），请重新导入")
                % {"label": label, "n": wanted - locked}
            )

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """The writes inside run without queuing per-row trigger events."""
        if not self.enabled:
            yield
            return
        self.cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            # After an error the transaction is aborted and rolls the setting back.
            if not connection.needs_rollback:
                with contextlib.suppress(Exception):
                    self.cursor.execute("SET LOCAL session_replication_role = origin")


def may_skip_triggers(cursor) -> bool:
    """Whether this database user may set session_replication_role."""
    cursor.execute(
        "SELECT current_setting('is_superuser') = 'on', "
        "current_setting('server_version_num')::int >= 150000"
    )
    superuser, grantable = cursor.fetchone()
    if superuser or not grantable:
        return bool(superuser)
    # PostgreSQL 15+: a role may be granted SET on this one parameter.
    cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    return bool(cursor.fetchone()[0])
