"""Attendance that holds up (issue #12 §3 and its bad input): QR sign-in/out, the
organiser's list, corrections, on both databases."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from hypothesis import given, settings
from hypothesis import strategies as st

from xuanpei.training import services
from xuanpei.training.factories import EnrolmentFactory, TrainingSessionFactory, local
from xuanpei.training.models import Attendance, Enrolment, TrainingSession
from xuanpei.training.services import (
    correct_hours,
    credited_hours,
    mark_present,
    sign_in,
    sign_out,
)
from xuanpei.workforce.factories import PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

STARTS = local(2026, 3, 10, 9, 0)  # 09:00–12:00, 3.0 h; window 08:30–12:30


@pytest.fixture
def session(district):
    return TrainingSessionFactory(
        unit=district.town_a_unit, starts_at=STARTS, created_by=district.town_a
    )


def known_to(district, person):
    """A person the organiser (东新城) can see: a post at one of its enterprises."""
    PostFactory(person=person, enterprise=district.ent_a1)
    return person


@pytest.fixture
def zhang(session):
    person = PersonFactory(name="张三", id_number="11010519491231002X")
    EnrolmentFactory(session=session, person=person)
    return person


def messages(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def do_sign_in(session, person_name="张三", tail="002x", now=STARTS, **kw):
    kw.setdefault("token", session.sign_in_token)
    return sign_in(session, name=person_name, id_tail=tail, now=now, **kw)


def do_sign_out(session, now, person_name="张三", tail="002X", **kw):
    kw.setdefault("token", session.sign_in_token)
    return sign_out(session, name=person_name, id_tail=tail, now=now, **kw)


# Sign-in ----------------------------------------------------------------------------------


def test_a_sign_in_records_time_ip_agent_and_method(session, zhang):
    result = do_sign_in(
        session, now=local(2026, 3, 10, 8, 55), ip="10.0.0.7", agent="Mozilla/5.0 " + "x" * 400
    )
    att = Attendance.objects.get()
    assert result.created and result.message == "签到成功" and result.attendance == att
    assert att.person == zhang and att.method == Attendance.Method.QR
    assert att.signed_in_at == local(2026, 3, 10, 8, 55)
    assert att.sign_in_ip == "10.0.0.7"
    assert len(att.sign_in_agent) == 300 and att.sign_in_agent.startswith("Mozilla/5.0 x")
    assert att.hours_credited == 0 and att.signed_out_at is None


def test_an_unreadable_ip_is_not_stored_and_does_not_fail(session, zhang):
    do_sign_in(session, ip="not-an-ip, 10.0.0.1")
    assert Attendance.objects.get().sign_in_ip is None


@pytest.mark.parametrize(
    "now",
    [local(2026, 3, 10, 8, 30), local(2026, 3, 10, 12, 30)],
    ids=["opening-minute", "closing-minute"],
)
def test_the_window_boundaries_are_inside(session, zhang, now):
    assert do_sign_in(session, now=now).created


def test_a_sign_in_before_the_window_opens_is_refused_with_the_opening_time(session, zhang):
    with pytest.raises(ValidationError) as exc:
        do_sign_in(session, now=local(2026, 3, 10, 8, 30) - timedelta(microseconds=1))
    assert messages(exc) == "签到尚未开放：本期培训2026-03-10 08:30开始签到"
    with pytest.raises(ValidationError):
        do_sign_in(session, now=local(2026, 3, 9, 9, 0))
    assert not Attendance.objects.exists()


def test_a_sign_in_after_the_window_closes_is_refused_with_the_closing_time(session, zhang):
    with pytest.raises(ValidationError) as exc:
        do_sign_in(session, now=local(2026, 3, 10, 12, 30, 0, 1))
    assert messages(exc) == "签到已结束：本期培训的签到已于2026-03-10 12:30关闭"
    assert not Attendance.objects.exists()


def test_the_window_is_shown_in_local_time_whatever_the_clock_zone(session, zhang):
    from datetime import UTC

    with pytest.raises(ValidationError) as exc:
        do_sign_in(session, now=STARTS.astimezone(UTC) - timedelta(hours=2))
    assert "2026-03-10 08:30" in messages(exc)  # 00:30 UTC is not shown


@pytest.mark.parametrize(
    "name, tail",
    [("张四", "002X"), ("张三", "0021"), ("张三", "102X"), (" 张三 ", "1002X")],
    ids=["wrong-name", "wrong-tail", "other-tail", "five-characters"],
)
def test_a_name_or_id_tail_that_does_not_match_is_refused(session, zhang, name, tail):
    with pytest.raises(ValidationError) as exc:
        do_sign_in(session, person_name=name, tail=tail)
    if len(tail) == 4:
        assert messages(exc) == (
            f"本期培训名单中没有姓名为“{name.strip()}”、身份证号后4位为“{tail}”的人员，"
            "请核对姓名和身份证号后4位；如确应参加，请联系培训组织方"
        )
    else:
        assert exc.value.message_dict == {
            "id_tail": ["请填写身份证号后4位（4个字符，前3位为数字，末位为数字或X）"]
        }
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "name, tail, fields",
    [
        ("", "002X", {"name"}),
        ("张三", "", {"id_tail"}),
        (None, None, {"name", "id_tail"}),
        ("张三", "00X2", {"id_tail"}),
    ],
)
def test_blank_or_malformed_identity_names_the_field(session, zhang, name, tail, fields):
    with pytest.raises(ValidationError) as exc:
        do_sign_in(session, person_name=name, tail=tail)
    assert set(exc.value.message_dict) == fields
    if "name" in fields:
        assert exc.value.message_dict["name"] == ["请填写姓名"]
    assert not Attendance.objects.exists()


def test_the_id_tail_is_case_insensitive_and_trimmed(session, zhang):
    assert do_sign_in(session, person_name=" 张三", tail=" 002x ").attendance.person == zhang


def test_a_person_not_on_the_roster_is_refused(session, zhang):
    stranger = PersonFactory(name="李四")
    with pytest.raises(ValidationError) as exc:
        do_sign_in(session, person_name="李四", tail=stranger.id_number[-4:])
    assert "本期培训名单中没有姓名为“李四”" in messages(exc)
    assert "请联系培训组织方" in messages(exc)
    assert not Attendance.objects.exists()
    assert not Enrolment.objects.filter(person=stranger).exists()


def test_a_person_on_another_sessions_roster_is_refused(session, zhang, district):
    other = TrainingSessionFactory(unit=district.town_a_unit, starts_at=STARTS)
    person = PersonFactory(name="王五")
    EnrolmentFactory(session=other, person=person)
    with pytest.raises(ValidationError):
        do_sign_in(session, person_name="王五", tail=person.id_number[-4:])
    assert not Attendance.objects.exists()


def test_twice_is_one_attendance_and_the_first_time_is_kept(session, zhang):
    first = do_sign_in(session, now=local(2026, 3, 10, 8, 50), ip="10.0.0.1")
    again = do_sign_in(session, now=local(2026, 3, 10, 9, 20), ip="10.0.0.2")
    assert first.created and not again.created
    assert again.message == "您已于2026-03-10 08:50签到，无需重复签到"
    att = Attendance.objects.get()
    assert again.attendance == att
    assert att.signed_in_at == local(2026, 3, 10, 8, 50) and att.sign_in_ip == "10.0.0.1"


def test_a_lost_race_on_the_unique_constraint_returns_the_winners_row(session, zhang, monkeypatch):
    """The loser read "no attendance" before the winner committed; its INSERT fails on
    the constraint (a savepoint), and it answers with the winner's row."""
    real = services._existing

    def winner_commits_first(s, person):
        Attendance.objects.create(
            session=s, person=person, method="qr", signed_in_at=local(2026, 3, 10, 8, 40)
        )
        return None

    monkeypatch.setattr(services, "_existing", winner_commits_first)
    result = do_sign_in(session, now=local(2026, 3, 10, 8, 45))
    monkeypatch.setattr(services, "_existing", real)
    assert not result.created and result.attendance.signed_in_at == local(2026, 3, 10, 8, 40)
    assert Attendance.objects.count() == 1
    assert "已于2026-03-10 08:40签到" in result.message


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row-level races: PostgreSQL")
def test_concurrent_sign_ins_of_one_person_make_one_row(district):
    session = TrainingSessionFactory(unit=district.town_a_unit, starts_at=STARTS)
    person = PersonFactory(name="赵六")
    EnrolmentFactory(session=session, person=person)
    barrier = threading.Barrier(6)
    results, errors = [], []

    def phone(i):
        try:
            barrier.wait()
            results.append(
                sign_in(
                    session,
                    token=session.sign_in_token,
                    name="赵六",
                    id_tail=person.id_number[-4:],
                    now=STARTS + timedelta(seconds=i),
                )
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Attendance.objects.filter(session=session).count() == 1
    assert sum(r.created for r in results) == 1 and len(results) == 6


def test_a_replayed_link_of_another_session_is_refused(session, zhang, district):
    other = TrainingSessionFactory(unit=district.town_a_unit, starts_at=STARTS)
    EnrolmentFactory(session=other, person=zhang)
    for token in (other.sign_in_token, "", None, session.sign_in_token[:-1]):
        with pytest.raises(ValidationError) as exc:
            do_sign_in(session, token=token)
        assert exc.value.message_dict == {
            "token": ["签到二维码无效：它不属于本期培训，或已被组织方更换。请扫描现场的签到码"]
        }
    assert not Attendance.objects.exists()


def test_a_changed_token_refuses_the_old_link(session, zhang):
    old = session.sign_in_token
    session.sign_in_token = "new-token-after-a-leak"
    session.save()
    with pytest.raises(ValidationError):
        do_sign_in(session, token=old)
    assert do_sign_in(session).created


# Walk-ins ---------------------------------------------------------------------------------


def test_a_walk_in_is_enrolled_when_the_session_allows_it(session, zhang, district):
    session.allow_walk_ins = True
    session.save()
    walker = known_to(district, PersonFactory(name="钱七"))
    result = do_sign_in(session, person_name="钱七", tail=walker.id_number[-4:])
    assert result.created and result.attendance.person == walker
    assert Enrolment.objects.get(session=session, person=walker).source == "walk_in"


def test_a_walk_in_is_refused_when_the_session_does_not_allow_it(session, zhang, district):
    walker = known_to(district, PersonFactory(name="钱七"))
    with pytest.raises(ValidationError):
        do_sign_in(session, person_name="钱七", tail=walker.id_number[-4:])
    assert not Enrolment.objects.filter(person=walker).exists()


def test_an_ambiguous_or_unknown_walk_in_is_sent_to_the_organiser(session, zhang, district):
    session.allow_walk_ins = True
    session.save()
    twin_a = known_to(district, PersonFactory(name="孙八", id_number="110105194912310019"))
    known_to(district, PersonFactory(name="孙八", id_number="110105195001010019"))  # same tail
    for name, tail in (("孙八", twin_a.id_number[-4:]), ("周九", "1234")):
        with pytest.raises(ValidationError) as exc:
            do_sign_in(session, person_name=name, tail=tail)
        assert messages(exc) == (
            f"不在本期培训名单上，系统也无法唯一确认姓名为“{name}”、身份证号后4位为"
            f"“{tail}”的人员，请联系培训组织方现场登记"
        )
    assert Enrolment.objects.count() == 1 and not Attendance.objects.exists()


def test_a_walk_in_outside_the_organisers_scope_is_not_found(session, zhang, district):
    """Walk-ins are looked up in the organiser's scope only (the scoping mechanism):
    a person whose only post is at 西新城's enterprise is unknown to 东新城's session."""
    session.allow_walk_ins = True
    session.save()
    stranger = PersonFactory(name="吴十")
    PostFactory(person=stranger, enterprise=district.ent_b1)
    with pytest.raises(ValidationError) as exc:
        do_sign_in(session, person_name="吴十", tail=stranger.id_number[-4:])
    assert "请联系培训组织方现场登记" in messages(exc)
    assert not Enrolment.objects.filter(person=stranger).exists()


def test_two_roster_people_with_the_same_name_and_tail_are_refused(session, zhang):
    twin = PersonFactory(name="张三", id_number="11010519500101002X")
    EnrolmentFactory(session=session, person=twin)
    with pytest.raises(ValidationError) as exc:
        do_sign_in(session)
    assert "名单中有多位姓名为“张三”、身份证号后4位为“002X”的人员" in messages(exc)
    assert not Attendance.objects.exists()


# Sign-out and credited hours ----------------------------------------------------------------


@pytest.mark.parametrize(
    "signed_in, signed_out, hours",
    [
        ((8, 50), (12, 10), "3.0"),  # the whole session
        ((9, 40), (12, 0), "2.0"),  # late by 40 min: 2 h 20 min → 2.0
        ((9, 0), (11, 29), "2.0"),  # left early: 2 h 29 min → 2.0
        ((9, 0), (11, 30), "2.5"),
        ((10, 15), (12, 30), "1.5"),  # signed out after the end: counted to 12:00
        ((12, 5), (12, 20), "0.0"),  # came after the end
        ((9, 0), (9, 29), "0.0"),
    ],
)
def test_hours_credited_are_the_time_present(session, zhang, signed_in, signed_out, hours):
    do_sign_in(session, now=local(2026, 3, 10, *signed_in))
    result = do_sign_out(session, now=local(2026, 3, 10, *signed_out), ip="10.0.0.9")
    att = Attendance.objects.get()
    assert att.hours_credited == Decimal(hours) and result.attendance == att
    assert att.signed_out_at == local(2026, 3, 10, *signed_out) and att.sign_out_ip == "10.0.0.9"
    assert result.message == f"签退成功，认定学时{Decimal(hours)}"


def test_hours_are_capped_at_the_sessions_hours(district):
    """A day with a lunch break credits fewer hours than it lasts."""
    day = TrainingSessionFactory(
        unit=district.town_a_unit,
        starts_at=local(2026, 3, 10, 9, 0),
        ends_at=local(2026, 3, 10, 17, 0),
        hours=Decimal("6.5"),
    )
    person = PersonFactory(name="吴十")
    EnrolmentFactory(session=day, person=person)
    tail = person.id_number[-4:]
    sign_in(day, token=day.sign_in_token, name="吴十", id_tail=tail, now=local(2026, 3, 10, 9, 30))
    out = sign_out(
        day, token=day.sign_in_token, name="吴十", id_tail=tail, now=local(2026, 3, 10, 17, 0)
    )
    assert out.attendance.hours_credited == Decimal("6.5")  # 7.5 h present, capped


def test_a_session_across_midnight(district):
    night = TrainingSessionFactory(
        unit=district.town_a_unit,
        starts_at=local(2026, 3, 31, 22, 0),
        ends_at=local(2026, 4, 1, 2, 0),
        hours=Decimal("4.0"),
    )
    person = PersonFactory(name="郑一")
    EnrolmentFactory(session=night, person=person)
    kw = {"token": night.sign_in_token, "name": "郑一", "id_tail": person.id_number[-4:]}
    sign_in(night, now=local(2026, 3, 31, 23, 10), **kw)
    out = sign_out(night, now=local(2026, 4, 1, 1, 45), **kw)
    assert out.attendance.hours_credited == Decimal("2.5")  # 2 h 35 min


def test_a_later_sign_out_replaces_an_earlier_one(session, zhang):
    do_sign_in(session, now=local(2026, 3, 10, 9, 0))
    first = do_sign_out(session, now=local(2026, 3, 10, 10, 0))
    later = do_sign_out(session, now=local(2026, 3, 10, 12, 0))
    assert first.created and not later.created
    assert later.message == "已更新签退时间。签退成功，认定学时3.0"
    att = Attendance.objects.get()
    assert att.signed_out_at == local(2026, 3, 10, 12, 0) and att.hours_credited == 3


def test_a_sign_out_without_a_sign_in_is_refused(session, zhang, district):
    with pytest.raises(ValidationError) as exc:
        do_sign_out(session, now=local(2026, 3, 10, 12, 0))
    assert messages(exc) == "您尚未签到，不能签退：请先扫码签到"
    mark_present(session, [zhang], actor=district.town_a)  # ticked, never scanned
    with pytest.raises(ValidationError):
        do_sign_out(session, now=local(2026, 3, 10, 12, 0))
    assert Attendance.objects.get().signed_out_at is None


def test_a_sign_out_is_held_to_the_same_checks(session, zhang, district):
    do_sign_in(session, now=local(2026, 3, 10, 9, 0))
    other = TrainingSessionFactory(unit=district.town_a_unit, starts_at=STARTS)
    with pytest.raises(ValidationError) as exc:
        do_sign_out(session, now=local(2026, 3, 10, 12, 31))
    assert messages(exc) == "签退已结束：本期培训的签退已于2026-03-10 12:30关闭"
    with pytest.raises(ValidationError):
        do_sign_out(session, now=local(2026, 3, 10, 12, 0), token=other.sign_in_token)
    with pytest.raises(ValidationError):
        do_sign_out(session, now=local(2026, 3, 10, 12, 0), tail="0021")
    with pytest.raises(ValidationError) as exc:
        do_sign_out(session, now=local(2026, 3, 10, 8, 59))
    assert messages(exc) == "签退时间不能早于签到时间2026-03-10 09:00"
    assert Attendance.objects.get().signed_out_at is None


@settings(max_examples=300, deadline=None)
@given(
    start_minute=st.integers(0, 23 * 60 + 59),
    length=st.integers(1, 16 * 60),
    hours_tenths=st.integers(1, 200),
    signed_in=st.integers(-24 * 60, 40 * 60),
    stay=st.integers(0, 40 * 60),
)
def test_credited_hours_are_within_bounds_and_in_half_hours(
    start_minute, length, hours_tenths, signed_in, stay
):
    starts = local(2026, 3, 31) + timedelta(minutes=start_minute)
    session = TrainingSession(
        starts_at=starts,
        ends_at=starts + timedelta(minutes=length),
        hours=Decimal(hours_tenths) / 10,
    )
    came = starts + timedelta(minutes=signed_in, seconds=17)
    hours = credited_hours(session, came, came + timedelta(minutes=stay))
    assert Decimal(0) <= hours <= session.hours
    assert hours % Decimal("0.5") == 0 or hours == session.hours
    present = min(came + timedelta(minutes=stay), session.ends_at) - max(came, starts)
    assert hours <= Decimal(max(present.total_seconds(), 0)) / 3600 or hours == session.hours


# The organiser ----------------------------------------------------------------------------


def test_the_organiser_ticks_the_list(session, zhang, district):
    li = PersonFactory(name="李四")
    EnrolmentFactory(session=session, person=li)
    do_sign_in(session, now=local(2026, 3, 10, 9, 0))  # zhang scanned already
    rows = mark_present(session, [zhang, li, li], actor=district.town_a)
    assert [a.person for a in rows] == [zhang, li]
    by_person = {a.person: a for a in Attendance.objects.all()}
    assert by_person[li].method == "list" and by_person[li].hours_credited == 3
    assert by_person[zhang].method == "qr" and by_person[zhang].hours_credited == 3
    assert by_person[zhang].signed_in_at == local(2026, 3, 10, 9, 0)
    mark_present(session, [li], actor=district.town_a, hours="1.5")
    assert Attendance.objects.get(person=li).hours_credited == Decimal("1.5")
    assert Attendance.objects.count() == 2


@pytest.mark.parametrize(
    "hours, message",
    [
        ("3.5", "认定学时3.5超过本期培训的学时3.0"),
        ("-1", "学时不能为负数"),
        ("abc", "学时应为数字"),
        ("1.25", "学时最多保留1位小数"),
        ("NaN", "学时应为数字"),
    ],
)
def test_ticked_hours_above_the_sessions_length_are_refused(
    session, zhang, district, hours, message
):
    with pytest.raises(ValidationError) as exc:
        mark_present(session, [zhang], actor=district.town_a, hours=hours)
    assert exc.value.message_dict == {"hours": [message]}
    assert not Attendance.objects.exists()


def test_ticking_someone_off_the_roster_is_refused_and_writes_nothing(session, zhang, district):
    stranger = PersonFactory(name="陈二")
    with pytest.raises(ValidationError) as exc:
        mark_present(session, [zhang, stranger], actor=district.town_a)
    assert exc.value.message_dict == {"people": ["以下人员不在本期培训名单上，请先加入名单：陈二"]}
    assert not Attendance.objects.exists()


def test_another_town_may_not_tick_or_correct(session, zhang, district):
    with pytest.raises(PermissionDenied):
        mark_present(session, [zhang], actor=district.town_b)
    with pytest.raises(PermissionDenied):
        mark_present(session, [zhang], actor=district.town_a_viewer)
    att = mark_present(session, [zhang], actor=district.town_a)[0]
    with pytest.raises(PermissionDenied):
        correct_hours(att, hours="1.0", reason="迟到", actor=district.town_b)
    assert Attendance.objects.get().hours_credited == 3


def test_a_correction_is_audited_with_its_actor_and_reason(session, zhang, district):
    do_sign_in(session, now=local(2026, 3, 10, 9, 0))
    att = do_sign_out(session, now=local(2026, 3, 10, 10, 0)).attendance
    assert att.hours_credited == 1
    correct_hours(
        att, hours="2.5", reason="签退时手机没电，组织方核实在场至11:30", actor=district.town_a
    )
    att.refresh_from_db()
    assert att.hours_credited == Decimal("2.5")
    assert att.correction_reason == "签退时手机没电，组织方核实在场至11:30"
    entry = LogEntry.objects.get_for_object(att).filter(
        action=LogEntry.Action.UPDATE, changes__icontains="correction_reason"
    )
    assert entry.count() == 1
    entry = entry.get()
    assert entry.changes_dict["correction_reason"][1] == att.correction_reason
    assert entry.actor == district.town_a
    assert entry.changes_dict["hours_credited"] == ["1.0", "2.5"]
    # A later sign-out does not undo the organiser's correction.
    do_sign_out(session, now=local(2026, 3, 10, 10, 30))
    att.refresh_from_db()
    assert att.hours_credited == Decimal("2.5") and att.signed_out_at == local(2026, 3, 10, 10, 30)


@pytest.mark.parametrize(
    "hours, reason, errors",
    [
        ("2.0", "", {"reason": ["更正学时必须填写原因"]}),
        ("2.0", "   ", {"reason": ["更正学时必须填写原因"]}),
        ("2.0", "长" * 201, {"reason": ["更正原因不能超过200个字"]}),
        ("3.5", "核实", {"hours": ["认定学时3.5超过本期培训的学时3.0"]}),
        ("-0.5", "", {"hours": ["学时不能为负数"], "reason": ["更正学时必须填写原因"]}),
    ],
)
def test_a_correction_without_a_reason_or_beyond_the_session_is_refused(
    session, zhang, district, hours, reason, errors
):
    att = mark_present(session, [zhang], actor=district.town_a)[0]
    before = LogEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        correct_hours(att, hours=hours, reason=reason, actor=district.town_a)
    assert exc.value.message_dict == errors
    att.refresh_from_db()
    assert att.hours_credited == 3 and att.correction_reason == ""
    assert LogEntry.objects.count() == before


def test_a_correction_to_zero_is_allowed(session, zhang, district):
    att = mark_present(session, [zhang], actor=district.town_a)[0]
    correct_hours(att, hours=0, reason="经核实未到场", actor=district.town_a)
    att.refresh_from_db()
    assert att.hours_credited == 0


def test_a_scan_after_the_organiser_ticked_adds_its_evidence(session, zhang, district):
    mark_present(session, [zhang], actor=district.town_a, hours="2.0")
    result = do_sign_in(session, now=local(2026, 3, 10, 9, 5), ip="10.0.0.3", agent="Phone")
    att = Attendance.objects.get()
    assert result.created and result.attendance == att
    assert att.method == "list" and att.hours_credited == 2
    assert att.signed_in_at == local(2026, 3, 10, 9, 5) and att.sign_in_agent == "Phone"
    assert not do_sign_in(session, now=local(2026, 3, 10, 9, 6)).created
