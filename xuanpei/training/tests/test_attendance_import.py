"""Attendance from xlsx (issue #12 item 3, `xuanpei import attendance FILE --session ID`)
and its "Bad input": unknown ID numbers, people of another enterprise, hours above the
session's, the same person twice; the foundation's contract (row numbers, re-import
changes nothing)."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.training.factories import (
    EnrolmentFactory,
    TrainingSessionFactory,
    UnitPostFactory,
    local,
)
from xuanpei.training.importers import format_moment, parse_moment
from xuanpei.training.models import Attendance, Enrolment
from xuanpei.training.services import sign_in
from xuanpei.workforce.factories import PersonFactory, PostFactory, make_id_number

HEADER = ["姓名", "身份证号", "签到时间", "签退时间", "认定学时"]


@pytest.fixture
def world(district):
    """A 3-hour session of 甲街道 (09:00–12:00 on 2026-03-10) organised by 东新城's admin,
    with two people on its roster."""
    d = district
    session = TrainingSessionFactory(
        unit=d.street_a, created_by=d.town_a, hours=Decimal("3.0"), allow_walk_ins=False
    )
    a = EnrolmentFactory(session=session, person=PersonFactory(name="甲学员")).person
    b = EnrolmentFactory(session=session, person=PersonFactory(name="乙学员")).person
    return d, session, a, b


def attend(session, *rows, user=None, dry_run=False):
    data = xlsx_bytes([HEADER, *rows])
    return run_import(
        "attendance",
        data,
        filename="签到.xlsx",
        user=user,
        dry_run=dry_run,
        options={"session": session.pk},
    )


def test_roster_people_are_credited_the_time_present_capped_at_the_session(world):
    _d, session, a, b = world
    result = attend(
        session,
        ["甲学员", a.id_number, "2026-03-10 08:50", "2026-03-10 12:05", ""],
        ["乙学员", b.id_number, "09:00", "10:40", ""],
    )
    assert (result.accepted, result.created) == (2, 2)
    first = Attendance.objects.get(person=a)
    second = Attendance.objects.get(person=b)
    assert first.method == second.method == Attendance.Method.IMPORTED
    assert first.hours_credited == Decimal("3.0")  # whole presence: the session's hours
    assert second.hours_credited == Decimal("1.5")  # 100 minutes, in whole half hours
    assert second.signed_in_at == local(2026, 3, 10, 9, 0)


def test_without_times_or_hours_the_session_hours_are_credited_as_by_the_list(world):
    _d, session, a, _b = world
    attend(session, ["甲学员", a.id_number, "", "", ""])
    assert Attendance.objects.get(person=a).hours_credited == session.hours


def test_an_unknown_id_number_is_a_row_error(world):
    _d, session, a, _b = world
    result = attend(
        session,
        ["甲学员", a.id_number, "", "", ""],
        ["无此人", make_id_number(777), "", "", ""],
    )
    [error] = result.errors
    assert (error.row, error.column, error.message) == (3, "身份证号", "身份证号不存在")
    assert result.accepted == 1


def test_a_person_of_another_enterprise_is_refused(world):
    d, session, _a, _b = world
    stranger = PostFactory(enterprise=d.ent_b1).person  # 西新城, not on the roster
    result = attend(session, [stranger.name, stranger.id_number, "", "", ""])
    [error] = result.errors
    assert error.column == "身份证号" and "不在本期培训名单上" in error.message
    session.allow_walk_ins = True
    session.save()
    result = attend(session, [stranger.name, stranger.id_number, "", "", ""])
    [error] = result.errors
    assert "不在组织方的管辖范围内" in error.message
    assert not Attendance.objects.exists()


def test_with_walk_ins_a_person_in_the_organisers_scope_is_enrolled(world):
    d, session, _a, _b = world
    session.allow_walk_ins = True
    session.save()
    worker = PostFactory(enterprise=d.ent_a1).person
    officer = UnitPostFactory(unit=d.village_a).person
    result = attend(
        session,
        [worker.name, worker.id_number, "", "", ""],
        [officer.name, officer.id_number, "", "", ""],
    )
    assert result.created == 2
    sources = set(
        Enrolment.objects.filter(person__in=[worker, officer]).values_list("source", flat=True)
    )
    assert sources == {Enrolment.Source.IMPORTED}


def test_hours_above_the_sessions_hours_are_refused_in_chinese(world):
    _d, session, a, _b = world
    result = attend(session, ["甲学员", a.id_number, "", "", "3.5"])
    [error] = result.errors
    assert error.column == "认定学时"
    assert "超过本期培训的学时" in error.message
    assert not Attendance.objects.exists()


def test_the_same_person_twice_in_the_file_is_a_duplicate(world):
    _d, session, a, _b = world
    result = attend(
        session, ["甲学员", a.id_number, "", "", ""], ["甲学员", a.id_number, "", "", "1"]
    )
    [error] = result.errors
    assert error.row == 3 and "第 2 行" in error.message
    assert Attendance.objects.count() == 1


def test_a_name_that_does_not_match_the_id_number_is_refused(world):
    _d, session, a, _b = world
    [error] = attend(session, ["别人", a.id_number, "", "", ""]).errors
    assert error.column == "姓名"


def test_times_outside_the_sign_in_window_and_sign_out_before_sign_in_are_refused(world):
    _d, session, a, b = world
    result = attend(
        session,
        ["甲学员", a.id_number, "2026-03-10 07:00", "", ""],  # window opens 08:30
        ["乙学员", b.id_number, "10:00", "09:30", ""],
    )
    columns = {(e.row, e.column) for e in result.errors}
    assert columns == {(2, "签到时间"), (3, "签退时间")}


def test_reimporting_the_same_file_changes_nothing(world):
    _d, session, a, b = world
    rows = (["甲学员", a.id_number, "09:00", "12:00", ""], ["乙学员", b.id_number, "", "", "2"])
    attend(session, *rows)
    again = attend(session, *rows)
    assert (again.accepted, again.created, again.updated, again.unchanged) == (2, 0, 0, 2)


def test_a_qr_sign_in_keeps_its_evidence_and_gets_the_files_hours(world):
    _d, session, a, _b = world
    now = local(2026, 3, 10, 8, 55)
    sign_in(session, token=session.sign_in_token, name="甲学员", id_tail=a.id_number[-4:], now=now)
    result = attend(session, ["甲学员", a.id_number, "10:00", "", "2"])
    assert result.updated == 1
    attendance = Attendance.objects.get(person=a)
    assert attendance.method == Attendance.Method.QR
    assert attendance.signed_in_at == now
    assert attendance.hours_credited == Decimal("2.0")


def test_a_sibling_town_cannot_import_into_anothers_session(world):
    d, session, a, _b = world
    with pytest.raises(ValueError):
        attend(session, ["甲学员", a.id_number, "", "", ""], user=d.town_b)
    assert attend(session, ["甲学员", a.id_number, "", "", ""], user=d.town_a).created == 1


def test_the_cli_takes_the_session_option(world, tmp_path):
    _d, session, a, _b = world
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes([HEADER, ["甲学员", a.id_number, "", "", ""]]))
    out = io.StringIO()
    call_command(
        "import", "attendance", str(path), "--session", str(session.pk), "--json", stdout=out
    )
    assert json.loads(out.getvalue())["created"] == 1
    with pytest.raises(CommandError):
        call_command("import", "attendance", str(path), "--json", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import", "attendance", str(path), "--session", "999999", stdout=io.StringIO())


def test_the_organiser_imports_on_the_sessions_page_and_a_sibling_gets_404(world, client):
    d, session, a, _b = world
    url = reverse("training:attendance_import", args=[session.pk])
    client.force_login(d.town_b)
    assert client.get(url).status_code == 404
    client.force_login(d.town_a)
    assert client.get(url).status_code == 200
    template = client.get(reverse("training:attendance_import_template", args=[session.pk]))
    assert template.status_code == 200
    upload = io.BytesIO(xlsx_bytes([HEADER, ["甲学员", a.id_number, "", "", ""]]))
    upload.name = "签到.xlsx"
    preview = client.post(url, {"file": upload})
    assert preview.status_code == 200 and not Attendance.objects.exists()
    job = preview.context["job"]
    client.post(url, {"job": job.pk})
    assert Attendance.objects.get(person=a).method == Attendance.Method.IMPORTED


moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda m: m.replace(microsecond=0)
)


@given(moments)
def test_parse_moment_reads_back_what_format_moment_writes(moment):
    aware = timezone.make_aware(moment)
    assert parse_moment(format_moment(aware), day=None) == aware


@given(st.integers(0, 23), st.integers(0, 59), st.dates())
def test_a_time_alone_falls_on_the_sessions_first_day(hour, minute, day):
    parsed = parse_moment(f"{hour}:{minute:02d}", day=day)
    assert timezone.localtime(parsed).date() == day
    assert (parsed - timezone.make_aware(datetime.combine(day, datetime.min.time()))) == timedelta(
        hours=hour, minutes=minute
    )


@given(st.text(max_size=20))
def test_parse_moment_answers_text_with_a_value_or_a_chinese_reason(text):
    from django.core.exceptions import ValidationError

    try:
        parse_moment(text, day=datetime(2026, 3, 10).date())
    except ValidationError as exc:
        assert "时间" in exc.messages[0]


def test_an_archived_session_takes_no_attendance_sheet(world, client, tmp_path):
    d, session, a, _b = world
    session.status = session.Status.ARCHIVED
    session.save()
    path = tmp_path / "a.xlsx"
    path.write_bytes(xlsx_bytes([HEADER, ["甲学员", a.id_number, "", "", ""]]))
    with pytest.raises(CommandError, match="已归档"):
        call_command("import", "attendance", str(path), "--session", str(session.pk))
    client.force_login(d.town_a)
    url = reverse("training:attendance_import", args=[session.pk])
    with path.open("rb") as upload:
        page = client.post(url, {"file": upload})
    assert "已归档" in page.content.decode()
    assert not Attendance.objects.exists()
