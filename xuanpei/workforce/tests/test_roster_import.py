"""Roster import (issue #3 point 5): rows, bad input, upserts, versions, audit and scope.

Runs on SQLite and, with DATABASE_URL pointing at PostgreSQL, on the COPY path.
"""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from xuanpei.core.imports import ImportFileError
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import csv_bytes, xlsx_bytes
from xuanpei.workforce.factories import make_id_number
from xuanpei.workforce.models import Certificate, ComplianceSnapshot, Person, Post
from xuanpei.workforce.roster.plan import HEADERS
from xuanpei.workforce.tests.roster_data import roster_row

COUNT_KEYS = ("rows", "accepted", "rejected", "created", "updated", "unchanged")


def counts(result):
    return tuple(result.counts()[k] for k in COUNT_KEYS)


def sheet(*rows, headers=HEADERS, title_rows=None):
    return xlsx_bytes([list(headers), *rows], title_rows=title_rows)


def imp(data, user=None, *, filename="r.xlsx", **kwargs):
    return run_import("roster", data, filename=filename, user=user, **kwargs)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def state():
    """Everything an import may write, as comparable values."""
    return (
        sorted(Person.objects.values_list("id_number", "name", "phone")),
        sorted(
            Post.objects.values_list(
                "person__id_number", "enterprise_id", "post_type_id", "operation_item_id"
            )
        ),
        sorted(
            Certificate.objects.values_list(
                "number",
                "is_current",
                "issue_date",
                "valid_until",
                "review_due_date",
                "last_review_date",
                "origin",
            )
        ),
        LogEntry.objects.count(),
    )


@pytest.fixture
def ent(district):
    return district.ent_a1


def test_a_valid_row_creates_person_post_and_certificate_with_derived_dates(district, ent):
    result = imp(sheet(roster_row(ent.uscc, 1)), district.district)
    assert counts(result) == (1, 1, 0, 1, 0, 0), errors(result)
    person = Person.objects.get(id_number=make_id_number(1))
    assert (person.name, person.phone, person.gender) == ("人员0000001", "13900000001", "female")
    post = Post.objects.get(person=person)
    assert (post.enterprise, post.post_type_id, post.operation_item.code) == (
        ent,
        "special_operation",
        "1.1",
    )
    cert = Certificate.objects.get(holder=person)
    assert cert.number == "T" + person.id_number
    assert (cert.kind_id, cert.operation_item_id, cert.enterprise) == (
        "special_operation",
        post.operation_item_id,
        ent,
    )
    # 6 years valid, review 3 years after issue (rules.py).
    assert cert.issue_date == date(2019, 1, 2)
    assert cert.valid_until == date(2025, 1, 2)
    assert cert.review_due_date == date(2022, 1, 2)
    assert (cert.is_current, cert.origin, cert.effective_from) == (True, "issued", cert.issue_date)


def test_the_bulk_path_writes_audit_entries_with_actor_address_and_masked_ids(district, ent):
    imp(sheet(roster_row(ent.uscc, 1)), district.district, remote_addr="10.1.2.3")
    person = Person.objects.get()
    entry = LogEntry.objects.get_for_object(person).get()
    assert (entry.action, entry.actor, entry.remote_addr) == (
        LogEntry.Action.CREATE,
        district.district,
        "10.1.2.3",
    )
    assert entry.object_repr == person.name
    assert entry.changes["name"] == ["None", person.name]
    assert person.id_number not in str(entry.changes)
    assert entry.changes["id_number"][1] == "*" * 9 + person.id_number[9:]
    for obj in (Post.objects.get(), Certificate.objects.get()):
        logged = LogEntry.objects.get_for_object(obj).get()
        assert (logged.action, logged.actor) == (LogEntry.Action.CREATE, district.district)
    assert LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Certificate)
    ).get().changes["number"] == ["None", Certificate.objects.get().number]


def test_reimporting_the_same_file_changes_nothing(district, ent):
    data = sheet(*(roster_row(ent.uscc, n) for n in range(1, 6)))
    assert counts(imp(data, district.district)) == (5, 5, 0, 5, 0, 0)
    before = state()
    again = imp(data, district.district)
    assert counts(again) == (5, 5, 0, 0, 0, 5)
    assert state() == before


def test_dry_run_writes_nothing(district, ent):
    before = state()
    result = imp(sheet(roster_row(ent.uscc, 1)), district.district, dry_run=True)
    assert counts(result) == (1, 1, 0, 1, 0, 0)
    assert result.outcomes[0][:2] == (2, "created")
    assert state() == before


def test_commit_lands_valid_rows_and_reports_bad_ones(district, ent):
    bad = roster_row(ent.uscc, 2, 身份证号=make_id_number(2)[:-1] + "0")
    result = imp(sheet(roster_row(ent.uscc, 1), bad), district.district)
    assert counts(result)[:4] == (2, 1, 1, 1)
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert "校验位" in result.errors[0].message
    assert Person.objects.count() == 1


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(district, ent):
    before = state()
    bad = roster_row(ent.uscc, 2, 岗位="宇航员")
    result = imp(sheet(roster_row(ent.uscc, 1), bad), district.district, all_or_nothing=True)
    assert result.error and "均未写入" in result.error
    assert (result.rejected, result.created) == (1, 0)
    assert state() == before


def test_a_later_review_date_adds_a_review_version(district, ent):
    imp(sheet(roster_row(ent.uscc, 1)), district.district)
    old = Certificate.objects.get()
    result = imp(sheet(roster_row(ent.uscc, 1, 实际复审日期="2021年12月1日")), district.district)
    assert counts(result) == (1, 1, 0, 0, 1, 0), errors(result)
    new = Certificate.objects.get(is_current=True)
    old.refresh_from_db()
    assert (old.is_current, old.superseded_on) == (False, date(2021, 12, 1))
    assert (new.previous, new.origin, new.effective_from) == (old, "reviewed", date(2021, 12, 1))
    assert new.last_review_date == date(2021, 12, 1)
    assert new.review_due_date == date(2025, 1, 2) or new.review_due_date is None
    # The same file again: unchanged.
    again = imp(sheet(roster_row(ent.uscc, 1, 实际复审日期="2021-12-01")), district.district)
    assert counts(again) == (1, 1, 0, 0, 0, 1)


def test_a_later_issue_date_adds_a_renewal_and_other_changes_update_in_place(district, ent):
    imp(sheet(roster_row(ent.uscc, 1)), district.district)
    result = imp(sheet(roster_row(ent.uscc, 1, 发证机关="另一应急管理局")), district.district)
    assert counts(result) == (1, 1, 0, 0, 1, 0)
    assert Certificate.objects.get().issuing_authority == "另一应急管理局"
    result = imp(
        sheet(roster_row(ent.uscc, 1, 发证日期="2024-05-06", 发证机关="另一应急管理局")),
        district.district,
    )
    assert counts(result) == (1, 1, 0, 0, 1, 0)
    current = Certificate.objects.get(is_current=True)
    assert (current.origin, current.issue_date, current.valid_until) == (
        "renewed",
        date(2024, 5, 6),
        date(2030, 5, 6),
    )
    assert Certificate.objects.filter(is_current=False).count() == 1
