"""Use cases of training sessions (issue #12 §2 and its bad input): recording, the
status flow 计划中 → 已举办 → 已归档, the roster, exam results, files."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from xuanpei.plans.choices import PlanKind, TaskKind
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.training import services_sessions as svc
from xuanpei.training.factories import (
    AttendanceFactory,
    EnrolmentFactory,
    TrainingSessionFactory,
    UnitPostFactory,
    local,
)
from xuanpei.training.models import Attendance, Enrolment, TrainingSession, UnitPost
from xuanpei.workforce.factories import PersonFactory, PostFactory

pytestmark = pytest.mark.django_db

STARTS = local(2026, 3, 10, 9, 0)


def new_session(unit=None, **kwargs) -> TrainingSession:
    values = {
        "title": "网格员安全生产培训",
        "kind": TrainingSession.Kind.GRID_OFFICER,
        "unit": unit,
        "starts_at": STARTS,
        "ends_at": STARTS + timedelta(hours=3),
        "hours": Decimal("3"),
        "place": "东新城会议室",
    }
    values.update(kwargs)
    return TrainingSession(**values)


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# Recording ------------------------------------------------------------------------------


def test_a_new_town_records_a_draft_for_its_own_unit(district):
    d = district
    session = svc.save_session(new_session(), actor=d.town_a)
    assert session.unit == d.town_a_unit
    assert session.status == TrainingSession.Status.DRAFT
    assert session.created_by == d.town_a


def test_an_enterprise_organises_on_its_property_unit(district):
    d = district
    session = svc.save_session(new_session(d.town_b_unit), actor=d.enterprise)
    # Whatever unit was sent: the enterprise's own 属地 (甲街道), as publicity does.
    assert session.enterprise == d.ent_a1
    assert session.unit == d.street_a


def test_a_sibling_new_towns_unit_is_refused(district):
    d = district
    with pytest.raises(ValidationError) as exc:
        svc.save_session(new_session(d.street_a), actor=d.town_b)
    assert "组织单位不在您的管辖范围内" in errors_of(exc)["unit"][0]
    assert not TrainingSession.objects.exists()


def test_a_session_ending_before_it_starts_is_refused_in_chinese(district):
    session = new_session(ends_at=STARTS - timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        svc.save_session(session, actor=district.town_a)
    assert errors_of(exc)["ends_at"] == ["结束时间必须晚于开始时间"]
    assert not TrainingSession.objects.exists()


def test_a_session_ending_when_it_starts_is_refused(district):
    with pytest.raises(ValidationError) as exc:
        svc.save_session(new_session(ends_at=STARTS), actor=district.town_a)
    assert errors_of(exc)["ends_at"] == ["结束时间必须晚于开始时间"]


@pytest.mark.parametrize(
    ("length", "hours", "message"),
    [
        (timedelta(hours=3), "3.5", "学时不能超过培训时长（3 小时）"),
        (timedelta(hours=2, minutes=30), "3", "学时不能超过培训时长（2.5 小时）"),
        (timedelta(hours=3), "0", "学时必须大于0"),
        (timedelta(hours=3), "-1", "学时必须大于0"),
    ],
)
def test_hours_above_the_length_or_not_positive_are_refused(district, length, hours, message):
    session = new_session(ends_at=STARTS + length, hours=Decimal(hours))
    with pytest.raises(ValidationError) as exc:
        svc.save_session(session, actor=district.town_a)
    assert errors_of(exc)["hours"] == [message]


def test_hours_may_be_fewer_than_the_length_and_exactly_the_length(district):
    # A day with a lunch break credits fewer hours than it lasts (models.py).
    day = new_session(ends_at=STARTS + timedelta(hours=8), hours=Decimal("6"))
    assert svc.save_session(day, actor=district.town_a).hours == Decimal("6")
    exact = new_session(hours=Decimal("3"))
    assert svc.save_session(exact, actor=district.town_a).hours == Decimal("3")


def test_the_plan_task_must_be_visible_to_the_organiser(district):
    d = district
    own = TaskFactory(
        plan=PlanFactory(unit=d.root, year=2026), kind=TaskKind.TRAINING, title="网格员培训"
    )
    sibling_plan = PlanFactory(unit=d.town_b_unit, kind=PlanKind.UNIT, parent=own.plan, year=2026)
    sibling = TaskFactory(plan=sibling_plan, kind=TaskKind.TRAINING)
    assert svc.save_session(new_session(task=own), actor=d.town_a).task == own
    with pytest.raises(ValidationError) as exc:
        svc.save_session(new_session(task=sibling), actor=d.town_a)
    assert errors_of(exc)["task"] == ["计划任务不在本单位可选范围内"]


def test_a_place_or_online_is_required(district):
    with pytest.raises(ValidationError) as exc:
        svc.save_session(new_session(place=""), actor=district.town_a)
    assert "place" in errors_of(exc)
    assert svc.save_session(new_session(place="", online=True), actor=district.town_a).pk


def test_the_status_is_not_moved_by_an_edit(district):
    session = svc.save_session(new_session(), actor=district.town_a)
    session.status = TrainingSession.Status.ARCHIVED
    svc.save_session(session, actor=district.town_a)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.DRAFT


# Status ----------------------------------------------------------------------------------


def test_draft_to_held_to_archived_and_archived_is_read_only(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit, starts_at=STARTS)
    person = PersonFactory()
    UnitPostFactory(person=person, unit=d.street_a)
    with pytest.raises(ValidationError, match="只有已举办的培训班次可以归档"):
        svc.archive(session, actor=d.town_a)
    svc.mark_held(session, actor=d.town_a, now=STARTS + timedelta(hours=1))
    assert session.status == TrainingSession.Status.HELD
    with pytest.raises(ValidationError, match="只有计划中的培训班次可以标记为已举办"):
        svc.mark_held(session, actor=d.town_a, now=STARTS + timedelta(hours=2))
    svc.archive(session, actor=d.town_a)
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.ARCHIVED
    read_only = "该培训班次已归档，不能再修改"
    with pytest.raises(ValidationError, match=read_only):
        svc.enrol_people(session, [person], actor=d.town_a)
    with pytest.raises(ValidationError, match=read_only):
        svc.save_session(session, actor=d.town_a)
    assert not Enrolment.objects.filter(session=session).exists()


def test_a_session_not_yet_started_cannot_be_marked_held(district):
    session = TrainingSessionFactory(unit=district.town_a_unit, starts_at=STARTS)
    with pytest.raises(ValidationError, match="培训尚未开始"):
        svc.mark_held(session, actor=district.town_a, now=STARTS - timedelta(minutes=1))
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.DRAFT


def test_a_sibling_cannot_move_the_status(district):
    session = TrainingSessionFactory(unit=district.town_a_unit, starts_at=STARTS)
    with pytest.raises(PermissionDenied):
        svc.mark_held(session, actor=district.town_b, now=STARTS)


def test_only_a_draft_without_attendance_is_deleted(district):
    d = district
    attended = TrainingSessionFactory(unit=d.town_a_unit)
    AttendanceFactory(session=attended)
    with pytest.raises(ValidationError, match="已有签到记录"):
        svc.delete_session(attended, actor=d.town_a)
    held = TrainingSessionFactory(unit=d.town_a_unit, status=TrainingSession.Status.HELD)
    with pytest.raises(ValidationError, match="只有计划中"):
        svc.delete_session(held, actor=d.town_a)
    draft = TrainingSessionFactory(unit=d.town_a_unit)
    EnrolmentFactory(session=draft)
    svc.delete_session(draft, actor=d.town_a)
    assert set(TrainingSession.objects.all()) == {attended, held}


# Roster -----------------------------------------------------------------------------------


def test_enrolling_twice_keeps_one_row(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    person = PersonFactory()
    PostFactory(person=person, enterprise=d.ent_a1)
    assert svc.enrol_people(session, [person, person], actor=d.town_a) == 1
    assert svc.enrol_people(session, [person], actor=d.town_a) == 0
    assert Enrolment.objects.filter(session=session, person=person).count() == 1


def test_people_outside_the_scope_are_refused_and_nothing_is_enrolled(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    mine = PersonFactory(name="东城员工")
    PostFactory(person=mine, enterprise=d.ent_a1)
    theirs = PersonFactory(name="西城员工")
    PostFactory(person=theirs, enterprise=d.ent_b1)
    with pytest.raises(ValidationError) as exc:
        svc.enrol_people(session, [mine, theirs], actor=d.town_a)
    assert "西城员工" in errors_of(exc)["people"][0]
    assert not Enrolment.objects.exists()


def test_grid_officers_of_a_subtree_are_enrolled_by_post(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    street = UnitPostFactory(unit=d.street_a)
    village = UnitPostFactory(unit=d.village_a)
    UnitPostFactory(unit=d.village_a, role=UnitPost.Role.CADRE)  # a cadre, not an officer
    UnitPostFactory(unit=d.village_a, end_date=timezone.localdate())  # left the post
    UnitPostFactory(unit=d.town_b_sub)  # a sibling's officer
    scope = svc.PostScope(role=UnitPost.Role.GRID_OFFICER, unit=d.town_a_unit)
    assert svc.enrol_by_post(session, actor=d.town_a, scope=scope) == 2
    assert set(session.roster.values_list("person", flat=True)) == {
        street.person_id,
        village.person_id,
    }
    assert set(session.roster.values_list("source", flat=True)) == {Enrolment.Source.BY_POST}
    # Again: idempotent.
    assert svc.enrol_by_post(session, actor=d.town_a, scope=scope) == 0
    assert session.roster.count() == 2


def test_a_post_type_at_an_enterprise_is_enrolled_by_post(district, workforce_dictionaries):
    d = district
    session = TrainingSessionFactory(unit=d.street_a, enterprise=d.ent_a1)
    manager = PostFactory(enterprise=d.ent_a1, post_type_id="safety_manager")
    PostFactory(enterprise=d.ent_a1, post_type_id="principal")
    PostFactory(enterprise=d.ent_a2, post_type_id="safety_manager")  # not this enterprise
    scope = svc.PostScope(post_type=manager.post_type, enterprise=d.ent_a1)
    assert svc.enrol_by_post(session, actor=d.enterprise, scope=scope) == 1
    assert list(session.roster.values_list("person", flat=True)) == [manager.person_id]


def test_an_empty_post_scope_says_so(district):
    session = TrainingSessionFactory(unit=district.town_a_unit)
    scope = svc.PostScope(role=UnitPost.Role.GRID_OFFICER, unit=district.village_a)
    with pytest.raises(ValidationError, match="没有在岗人员"):
        svc.enrol_by_post(session, actor=district.town_a, scope=scope)


def test_someone_who_attended_is_not_removed_from_the_roster(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    attended = EnrolmentFactory(session=session)
    AttendanceFactory(session=session, person=attended.person)
    absent = EnrolmentFactory(session=session)
    with pytest.raises(ValidationError, match="已有签到记录，不能移出名单"):
        svc.unenrol(attended, actor=d.town_a)
    svc.unenrol(absent, actor=d.town_a)
    assert list(session.roster.all()) == [attended]


# Attendance by the organiser ------------------------------------------------------------


def test_mark_present_credits_the_sessions_hours_and_refuses_once_archived(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit, hours=Decimal("2.5"))
    enrolment = EnrolmentFactory(session=session)
    [attendance] = svc.mark_present(session, [enrolment.person], actor=d.town_a)
    assert attendance.method == Attendance.Method.LIST
    assert attendance.hours_credited == Decimal("2.5")
    TrainingSession.objects.filter(pk=session.pk).update(status=TrainingSession.Status.ARCHIVED)
    session.refresh_from_db()
    with pytest.raises(ValidationError, match="已归档"):
        svc.mark_present(session, [enrolment.person], actor=d.town_a)


def test_a_correction_above_the_sessions_hours_is_refused_and_one_below_is_audited(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit, hours=Decimal("3"))
    attendance = AttendanceFactory(session=session, hours_credited=Decimal("3"))
    with pytest.raises(ValidationError) as exc:
        svc.correct_hours(attendance, hours="4", reason="迟到", actor=d.town_a)
    assert "超过本期培训的学时" in errors_of(exc)["hours"][0]
    attendance.refresh_from_db()
    assert attendance.hours_credited == Decimal("3")
    svc.correct_hours(attendance, hours="1.5", reason="迟到一个半小时", actor=d.town_a)
    attendance.refresh_from_db()
    assert attendance.hours_credited == Decimal("1.5")
    entry = LogEntry.objects.get_for_object(attendance).order_by("-timestamp").first()
    assert entry.actor == d.town_a
    assert "hours_credited" in entry.changes_dict


# Exam results ------------------------------------------------------------------------------


def test_scores_are_saved_all_or_nothing(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit, kind=TrainingSession.Kind.CERTIFICATION)
    good, bad = EnrolmentFactory(session=session), EnrolmentFactory(session=session)
    with pytest.raises(ValidationError, match="考试成绩须在 0 至 100 之间"):
        svc.set_scores(session, [(good, "88", True), (bad, "120", True)], actor=d.town_a)
    good.refresh_from_db()
    assert good.exam_score is None
    assert svc.set_scores(session, [(good, "88", True), (bad, "45.5", False)], actor=d.town_a) == 2
    bad.refresh_from_db()
    assert (bad.exam_score, bad.passed) == (Decimal("45.5"), False)


# Files ------------------------------------------------------------------------------------


def _jpeg(name="现场.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_photo_is_stored_with_a_thumbnail_and_a_fake_one_is_refused(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    [item] = svc.add_files(session, [_jpeg()], purpose="photo", actor=d.town_a)
    assert item.kind == "image" and item.thumbnail
    fake = SimpleUploadedFile("假照片.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as exc:
        svc.add_files(session, [fake], purpose="photo", actor=d.town_a)
    assert "假照片.jpg" in " ".join(errors_of(exc)["files"])
    assert session.files.count() == 1
    svc.delete_file(item, actor=d.town_a)
    assert session.files.count() == 0


# 据此发证/复审 (issue #12 §5) -----------------------------------------------------------------


@pytest.fixture
def passed(district, workforce_dictionaries):
    d = district
    session = TrainingSessionFactory(
        unit=d.street_a,
        enterprise=d.ent_a1,
        kind=TrainingSession.Kind.CERTIFICATION,
        status=TrainingSession.Status.HELD,
    )
    post = PostFactory(enterprise=d.ent_a1, person__name="取证学员")
    return EnrolmentFactory(session=session, person=post.person, exam_score=90, passed=True)


def test_a_passed_trainee_gets_a_certificate_once_confirmed(district, passed):
    from xuanpei.workforce.choices import CertificateKindCode
    from xuanpei.workforce.factories import get_certificate_kind

    kind = get_certificate_kind(CertificateKindCode.SAFETY_COMPETENCE)
    cert = svc.certify_enrolment(
        passed,
        actor=district.town_a,
        on=timezone.localdate(),
        kind=kind,
        enterprise=district.ent_a1,
        number="AQTEST0001",
        issuing_authority="测试市应急管理局",
    )
    passed.refresh_from_db()
    assert passed.certificate == cert
    assert (cert.holder, cert.enterprise, cert.is_current) == (passed.person, district.ent_a1, True)
    # Twice: refused, no second certificate.
    with pytest.raises(ValidationError, match="已据此发证或复审"):
        svc.certify_enrolment(
            passed,
            actor=district.town_a,
            on=timezone.localdate(),
            kind=kind,
            enterprise=district.ent_a1,
            number="AQTEST0002",
        )
    assert type(cert).objects.filter(holder=passed.person).count() == 1


def test_a_failed_or_non_certification_trainee_is_refused(district, passed):
    passed.passed = False
    passed.save()
    with pytest.raises(ValidationError, match="考试未合格"):
        svc.certify_enrolment(passed, actor=district.town_a, on=timezone.localdate())
    other = EnrolmentFactory(
        session=TrainingSessionFactory(unit=district.town_a_unit, status="held"), passed=True
    )
    assert "三项岗位" in svc.certify_refusal(district.town_a, other)


def test_a_new_certificate_needs_its_fields_and_nothing_is_half_saved(district, passed):
    with pytest.raises(ValidationError) as exc:
        svc.certify_enrolment(passed, actor=district.town_a, on=timezone.localdate())
    assert set(errors_of(exc)) == {"kind", "enterprise", "number"}
    passed.refresh_from_db()
    assert passed.certificate is None


def test_hours_cannot_drop_below_hours_already_credited(district):
    session = svc.save_session(new_session(), actor=district.town_a)
    AttendanceFactory(session=session, hours_credited=Decimal("3"))
    session.hours = Decimal("2")
    with pytest.raises(ValidationError) as exc:
        svc.save_session(session, actor=district.town_a)
    assert "已有签到记录认定了3.0学时" in errors_of(exc)["hours"][0]
    session.refresh_from_db()
    assert session.hours == Decimal("3")
