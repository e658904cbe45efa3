"""Foreign keys of the set-based roster write checked once per parent (core/imports/keys.py).

The import looks up every enterprise, post type, kind and item before it writes; on
PostgreSQL it then locks those parents and writes without per-row FK triggers. These
tests pin what that must still guarantee: a parent gone since the look-up refuses
the import with nothing written, on either database; a database user who may not
skip triggers gets the ordinary checks; the schema has no deferrable constraint
other than foreign keys (which replica mode would skip silently).
"""

from __future__ import annotations

import pytest
from django.db import connection

from xuanpei.core.imports.keys import MissingParent, ReferencedKeys, may_skip_triggers
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.roster import plan as roster_plan
from xuanpei.workforce.tests.roster_data import roster_row
from xuanpei.workforce.tests.test_roster_import import counts, imp, sheet

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="session_replication_role is PostgreSQL's"
)


def test_an_import_runs_and_writes_every_row(district):
    ent = district.ent_a1
    result = imp(sheet(roster_row(ent.uscc, 1), roster_row(ent.uscc, 2)), district.district)
    assert counts(result) == (2, 2, 0, 2, 0, 0)
    assert (Person.objects.count(), Post.objects.count(), Certificate.objects.count()) == (2, 2, 2)
    # Back to ordinary trigger behaviour once the writes are done.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"


@pytest.mark.django_db(transaction=True)
def test_an_enterprise_deleted_after_the_look_up_refuses_the_import(
    workforce_dictionaries, district, monkeypatch
):
    """The look-up still names an enterprise the database no longer has: nothing is written.

    Transactional: SQLite checks its (deferred) foreign keys at the real COMMIT only.
    """
    ent = district.ent_a1
    real_load = roster_plan.Lookups.load.__func__

    def stale_load(cls, user):
        lookups = real_load(cls, user)
        lookups.enterprises[ent.uscc] = 987_654_321  # gone since the look-up
        return lookups

    monkeypatch.setattr(roster_plan.Lookups, "load", classmethod(stale_load))
    result = imp(sheet(roster_row(ent.uscc, 1)), None)
    assert result.error
    assert "所有数据均未写入" in result.error
    if connection.vendor == "postgresql":
        assert "导入期间有企业被删除（1 个），请重新导入" in result.error
    assert (Person.objects.count(), Post.objects.count(), Certificate.objects.count()) == (0, 0, 0)


@on_postgresql
def test_require_names_the_missing_parent_and_locks_the_present_ones(district):
    ent = district.ent_a1
    with connection.cursor() as cursor:
        keys = ReferencedKeys(cursor)
        assert keys.enabled  # the test database user is a superuser
        keys.require("orgs_enterprise", "id", "SELECT CAST(%s AS bigint)", (ent.pk,), label="企业")
        cursor.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
            "WHERE c.relname = 'orgs_enterprise' AND l.pid = pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1
        with pytest.raises(MissingParent) as info:
            keys.require(
                "orgs_enterprise",
                "id",
                "SELECT unnest(CAST(%s AS bigint[]))",
                ([ent.pk, 987_654_321, 987_654_322, None],),
                label="企业",
            )
    assert info.value.messages == ["导入期间有企业被删除（2 个），请重新导入"]


@on_postgresql
def test_a_user_without_the_grant_keeps_the_ordinary_checks(db):
    with connection.cursor() as cursor:
        assert may_skip_triggers(cursor)
        cursor.execute("CREATE ROLE xuanpei_test_plain NOLOGIN")  # rolled back with the test
        cursor.execute("SET LOCAL ROLE xuanpei_test_plain")
        try:
            assert not may_skip_triggers(cursor)
            assert not ReferencedKeys(cursor).enabled
        finally:
            cursor.execute("RESET ROLE")


@on_postgresql
def test_the_schema_has_no_deferrable_constraint_but_foreign_keys(db):
    """Replica mode skips constraint triggers: only foreign keys may be deferrable."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint "
            "WHERE condeferrable AND contype <> 'f' AND connamespace = 'public'::regnamespace"
        )
        assert cursor.fetchall() == []
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT tgisinternal AND c.relnamespace = 'public'::regnamespace"
        )
        assert cursor.fetchall() == []
