"""The roster check on two cores (roster/parallel.py) gives what the serial check gives.

PostgreSQL only (the child's rows travel as COPY text). The fork threshold is
lowered so that a small file with bad rows in both halves goes through the child.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xuanpei.workforce.roster import parallel
from xuanpei.workforce.tests.roster_data import roster_row, uncertified_row
from xuanpei.workforce.tests.test_roster_import import counts, errors, imp, sheet, state

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the two-core check feeds PostgreSQL's COPY"
)


def roster_file(uscc: str) -> bytes:
    rows = []
    for n in range(1, 61):
        if n % 17 == 0:
            rows.append(roster_row(uscc, n, 身份证号="11010119900101123X"))  # bad check digit
        elif n % 13 == 0:
            rows.append(roster_row(uscc, n, 岗位="厨师"))  # unknown post type
        elif n % 11 == 0:
            rows.append(uncertified_row(uscc, n, 姓名="王\t小\\二"))  # tab and backslash
        else:
            rows.append(roster_row(uscc, n))
    rows.append(roster_row(uscc, 5))  # a duplicate of row 6, found by the plan
    return sheet(*rows)


@pytest.fixture
def forking(monkeypatch):
    """Fork for any size; record whether a child ran."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_ROWS", 2)
    monkeypatch.setattr(parallel, "DRAIN_EVERY", 3)  # pass the child's rows on mid-way
    monkeypatch.setattr(parallel, "only_thread", lambda: True)
    ran = []
    real = parallel.Child.collect

    def collect(self):
        got = real(self)
        ran.append(got is not None)
        return got

    monkeypatch.setattr(parallel.Child, "collect", collect)
    return ran


def serial_run(district, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(parallel, "split_point", lambda **kw: None)
        result = imp(roster_file(district.ent_a1.uscc), district.district)
    return counts(result), errors(result), state()


def test_two_cores_stage_what_one_core_stages(district, monkeypatch, forking):
    result = imp(roster_file(district.ent_a1.uscc), district.district)
    assert forking == [True]
    parallel_outcome = (counts(result), errors(result), state())
    rejected_rows = {e[0] for e in errors(result)}
    assert min(rejected_rows) < 32 < max(rejected_rows)  # bad rows in both halves
    assert any("王小\\二" in p[1] for p in state()[0])

    # The same file, serially, into an empty database.
    from xuanpei.workforce.models import Certificate, Person, Post

    Certificate.objects.all().delete()
    Post.objects.all().delete()
    Person.objects.all().delete()
    assert serial_run(district, monkeypatch)[:2] == parallel_outcome[:2]
    assert state()[:3] == parallel_outcome[2][:3]


def test_a_failing_child_is_redone_by_the_parent(district, monkeypatch, forking):
    def broken():
        raise RuntimeError("child crashed")

    monkeypatch.setattr(parallel, "copy_formatter", broken)  # used by the child only
    result = imp(roster_file(district.ent_a1.uscc), district.district)
    assert forking == [False]
    rejected = len({e[0] for e in errors(result)})
    assert counts(result)[:3] == (61, 61 - rejected, rejected)
    assert max(e[0] for e in errors(result)) > 32  # the second half was checked too


TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=30,
)
ROW = st.tuples(
    st.none() | TEXT,
    st.none() | st.integers(min_value=-(2**62), max_value=2**62),
    st.none()
    | st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31)),
)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, max_size=8))
def test_the_childs_copy_text_reads_back_as_write_rows(rows):
    """PostgreSQL parses the child's COPY text into what psycopg's write_row stores."""
    with connection.cursor() as cursor:
        raw = cursor.cursor
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS copy_probe (t text, i bigint, d date)")
        cursor.execute("TRUNCATE copy_probe")
        formatter = parallel.copy_formatter()
        text = b"".join(bytes(formatter.write_row(r)) for r in rows) + bytes(formatter.end())
        with raw.copy("COPY copy_probe (t, i, d) FROM STDIN") as copy:
            copy.write(text)
        cursor.execute("SELECT t, i, d FROM copy_probe")
        ours = cursor.fetchall()
        cursor.execute("TRUNCATE copy_probe")
        with raw.copy("COPY copy_probe (t, i, d) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
        cursor.execute("SELECT t, i, d FROM copy_probe")
        theirs = cursor.fetchall()
    assert sorted(ours, key=repr) == sorted(theirs, key=repr) == sorted(rows, key=repr)
