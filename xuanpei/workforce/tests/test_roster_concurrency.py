"""Issue #9 item 6: two roster imports of the same people at once (two offices uploading
one list) both finish: the second plans against what the first committed, so each
person, post and certificate is written once and neither commit fails on the unique
ID number. PostgreSQL only (`tests.racing`)."""

from __future__ import annotations

import pytest

from tests.racing import needs_postgresql, race
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.roster.plan import HEADERS
from xuanpei.workforce.tests.roster_data import roster_row

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql]


def test_two_imports_of_the_same_new_people_at_once_write_each_person_once(
    district, workforce_dictionaries
):
    data = xlsx_bytes([list(HEADERS), *(roster_row(district.ent_a1.uscc, n) for n in range(20))])

    results = race(
        lambda i: run_import("roster", data, filename="r.xlsx", user=district.district), n=2
    )

    assert [r.error for r in results] == ["", ""], [r.error for r in results]
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 20), (20, 0)]
    assert Person.objects.count() == 20
    assert Post.objects.count() == 20
    assert Certificate.objects.filter(is_current=True).count() == 20
