"""Pages of training sessions (issue #12 §2, the organiser's side of §3): scoping, the
add form's Chinese messages, status actions, the roster, attendance, scores, export."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

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


def form_data(**kwargs) -> dict:
    data = {
        "title": "东新城网格员第一季度培训",
        "kind": "grid_officer",
        "starts_at": "2026-03-10T09:00",
        "ends_at": "2026-03-10T12:00",
        "hours": "3",
        "place": "东新城便民服务中心",
        "sign_in_opens_minutes": "30",
        "sign_in_closes_minutes": "30",
    }
    data.update(kwargs)
    return data


@pytest.fixture
def town_session(district):
    return TrainingSessionFactory(
        unit=district.town_a_unit, title="东城网格员培训", starts_at=STARTS
    )


# Scoping --------------------------------------------------------------------------------


def test_a_sibling_new_town_gets_404_on_every_page_of_the_session(district, client, town_session):
    client.force_login(district.town_b)
    pk = town_session.pk
    for name in ("session_detail", "session_edit", "session_scores", "session_delete"):
        assert client.get(reverse(f"training:{name}", args=[pk])).status_code == 404, name
    for name in ("session_mark_held", "session_enrol", "session_mark_present"):
        assert client.post(reverse(f"training:{name}", args=[pk])).status_code == 404, name
    response = client.get(reverse("training:session_list"))
    assert "东城网格员培训" not in response.content.decode()


def test_an_enterprise_sees_only_its_own_sessions(district, client, town_session):
    d = district
    TrainingSessionFactory(unit=d.street_a, enterprise=d.ent_a1, title="甲企业全员培训")
    TrainingSessionFactory(unit=d.street_a, enterprise=d.ent_a2, title="乙企业全员培训")
    client.force_login(d.enterprise)
    body = client.get(reverse("training:session_list")).content.decode()
    assert "甲企业全员培训" in body
    assert "乙企业全员培训" not in body
    assert "东城网格员培训" not in body  # its 属地's own session is not the enterprise's
    assert client.get(reverse("training:session_detail", args=[town_session.pk])).status_code == 404


def test_the_owner_and_the_district_see_the_session(district, client, town_session):
    for user in (district.town_a, district.district):
        client.force_login(user)
        response = client.get(reverse("training:session_detail", args=[town_session.pk]))
        assert response.status_code == 200
        assert "东城网格员培训" in response.content.decode()


def test_training_home_is_the_session_list(district, client, town_session):
    client.force_login(district.town_a)
    response = client.get("/training/")
    assert response.status_code == 200
    assert "东城网格员培训" in response.content.decode()


def test_the_add_button_only_for_who_may_add(district, client):
    client.force_login(district.town_a)
    assert 'id="session-add"' in client.get(reverse("training:session_list")).content.decode()
    client.force_login(district.town_a_viewer)
    assert 'id="session-add"' not in client.get(reverse("training:session_list")).content.decode()


def test_the_list_filters_by_kind_and_unit_subtree(district, client):
    d = district
    TrainingSessionFactory(unit=d.village_a, title="社区网格员培训", kind="grid_officer")
    TrainingSessionFactory(unit=d.town_a_unit, title="新城干部专题", kind="cadre_topic")
    client.force_login(d.town_a)
    url = reverse("training:session_list")
    body = client.get(url, {"kind": "grid_officer"}).content.decode()
    assert "社区网格员培训" in body and "新城干部专题" not in body
    body = client.get(url, {"unit": d.street_a.pk}).content.decode()
    assert "社区网格员培训" in body and "新城干部专题" not in body


# Add and edit ------------------------------------------------------------------------------


def test_the_add_form_creates_a_draft_of_the_users_unit(district, client):
    client.force_login(district.town_a)
    response = client.post(reverse("training:session_add"), form_data())
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:session_detail", args=[session.pk])
    assert session.unit == district.town_a_unit
    assert session.status == TrainingSession.Status.DRAFT
    assert session.starts_at == STARTS


def test_the_add_form_says_in_chinese_when_the_end_is_before_the_start(district, client):
    client.force_login(district.town_a)
    response = client.post(reverse("training:session_add"), form_data(ends_at="2026-03-10T08:00"))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_at"] == ["结束时间必须晚于开始时间"]
    assert not TrainingSession.objects.exists()


def test_the_add_form_names_the_sessions_length_when_hours_exceed_it(district, client):
    client.force_login(district.town_a)
    response = client.post(reverse("training:session_add"), form_data(hours="4"))
    assert response.context["form"].errors["hours"] == ["学时不能超过培训时长（3 小时）"]
    assert "学时不能超过培训时长（3 小时）" in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_an_enterprise_adds_a_session_on_its_property_unit(district, client):
    client.force_login(district.enterprise)
    page = client.get(reverse("training:session_add"))
    assert "unit" not in page.context["form"].fields or page.context["form"].for_enterprise
    response = client.post(reverse("training:session_add"), form_data(kind="all_staff"))
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.enterprise, session.unit) == (district.ent_a1, district.street_a)


def test_an_archived_session_cannot_be_edited(district, client, town_session):
    TrainingSession.objects.filter(pk=town_session.pk).update(status="archived")
    client.force_login(district.town_a)
    assert client.get(reverse("training:session_edit", args=[town_session.pk])).status_code == 403


# Status --------------------------------------------------------------------------------------


def test_mark_held_then_archive(district, client, town_session):
    client.force_login(district.town_a)
    client.post(reverse("training:session_mark_held", args=[town_session.pk]))
    town_session.refresh_from_db()
    assert town_session.status == TrainingSession.Status.HELD
    client.post(reverse("training:session_archive_mark", args=[town_session.pk]))
    town_session.refresh_from_db()
    assert town_session.status == TrainingSession.Status.ARCHIVED
    body = client.get(reverse("training:session_detail", args=[town_session.pk])).content.decode()
    assert 'id="session-edit"' not in body and 'id="enrol-form"' not in body


def test_archiving_a_draft_is_refused_with_the_reason(district, client, town_session):
    client.force_login(district.town_a)
    response = client.post(
        reverse("training:session_archive_mark", args=[town_session.pk]), follow=True
    )
    assert "只有已举办的培训班次可以归档" in response.content.decode()
    town_session.refresh_from_db()
    assert town_session.status == TrainingSession.Status.DRAFT


def test_delete_only_a_draft_without_attendance(district, client, town_session):
    client.force_login(district.town_a)
    AttendanceFactory(session=town_session)
    response = client.post(reverse("training:session_delete", args=[town_session.pk]))
    assert "已有签到记录" in response.content.decode()
    assert TrainingSession.objects.filter(pk=town_session.pk).exists()
    Attendance.objects.all().delete()
    response = client.post(reverse("training:session_delete", args=[town_session.pk]))
    assert response.status_code == 302
    assert not TrainingSession.objects.filter(pk=town_session.pk).exists()


# Roster -------------------------------------------------------------------------------------


def test_enrol_by_search_twice_is_one_row(district, client, town_session):
    d = district
    officer = UnitPostFactory(unit=d.village_a, person__name="王网格").person
    client.force_login(d.town_a)
    page = client.get(reverse("training:session_detail", args=[town_session.pk]), {"q": "王网格"})
    assert "王网格" in page.content.decode()
    url = reverse("training:session_enrol", args=[town_session.pk])
    client.post(url, {"person": [officer.pk]})
    client.post(url, {"person": [officer.pk]})
    assert Enrolment.objects.filter(session=town_session, person=officer).count() == 1


def test_the_search_does_not_offer_a_siblings_people(district, client, town_session):
    d = district
    UnitPostFactory(unit=d.town_b_sub, person__name="西城网格员")
    stranger = PersonFactory(name="西城员工")
    PostFactory(person=stranger, enterprise=d.ent_b1)
    client.force_login(d.town_a)
    body = client.get(
        reverse("training:session_detail", args=[town_session.pk]), {"q": "西城"}
    ).content.decode()
    assert "西城网格员" not in body and "西城员工" not in body
    client.post(reverse("training:session_enrol", args=[town_session.pk]), {"person": stranger.pk})
    assert not Enrolment.objects.exists()


def test_enrol_every_grid_officer_of_the_new_town(district, client, town_session):
    d = district
    ours = {UnitPostFactory(unit=u).person_id for u in (d.street_a, d.village_a)}
    UnitPostFactory(unit=d.town_b_sub)
    client.force_login(d.town_a)
    url = reverse("training:session_enrol_bulk", args=[town_session.pk])
    client.post(url, {"role": UnitPost.Role.GRID_OFFICER, "unit": d.town_a_unit.pk})
    client.post(url, {"role": UnitPost.Role.GRID_OFFICER, "unit": d.town_a_unit.pk})
    assert set(town_session.roster.values_list("person_id", flat=True)) == ours


def test_unenrol(district, client, town_session):
    enrolment = EnrolmentFactory(session=town_session)
    client.force_login(district.town_a)
    client.post(reverse("training:session_unenrol", args=[enrolment.pk]))
    assert not Enrolment.objects.exists()


# Attendance ----------------------------------------------------------------------------------


def test_the_organiser_ticks_people_present(district, client, town_session):
    present, absent = EnrolmentFactory(session=town_session), EnrolmentFactory(session=town_session)
    client.force_login(district.town_a)
    client.post(
        reverse("training:session_mark_present", args=[town_session.pk]),
        {"person": [present.person_id]},
    )
    attendance = Attendance.objects.get()
    assert attendance.person == present.person
    assert attendance.hours_credited == town_session.hours
    body = client.get(reverse("training:session_detail", args=[town_session.pk])).content.decode()
    assert f'id="present-{absent.person_id}"' in body
    assert f'id="present-{present.person_id}"' not in body


def test_a_correction_is_refused_above_the_hours_and_needs_a_reason(district, client, town_session):
    attendance = AttendanceFactory(session=town_session, hours_credited=Decimal("3"))
    client.force_login(district.town_a)
    url = reverse("training:attendance_correct", args=[attendance.pk])
    response = client.post(url, {"hours": "5", "reason": "补课"})
    assert "超过本期培训的学时" in response.content.decode()
    response = client.post(url, {"hours": "2", "reason": ""})
    assert response.status_code == 200
    attendance.refresh_from_db()
    assert attendance.hours_credited == Decimal("3")
    response = client.post(url, {"hours": "2", "reason": "中途离场一小时"})
    assert response.status_code == 302
    attendance.refresh_from_db()
    assert (attendance.hours_credited, attendance.correction_reason) == (
        Decimal("2"),
        "中途离场一小时",
    )


# Scores, files, export ------------------------------------------------------------------------


def test_scores_page_saves_scores(district, client, town_session):
    enrolment = EnrolmentFactory(session=town_session)
    client.force_login(district.town_a)
    url = reverse("training:session_scores", args=[town_session.pk])
    data = {
        "scores-TOTAL_FORMS": "1",
        "scores-INITIAL_FORMS": "1",
        "scores-0-id": enrolment.pk,
        "scores-0-exam_score": "150",
        "scores-0-passed": "true",
    }
    response = client.post(url, data)
    assert "考试成绩须在 0 至 100 之间" in response.content.decode()
    response = client.post(url, {**data, "scores-0-exam_score": "92"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.exam_score, enrolment.passed) == (Decimal("92"), True)


def test_the_export_holds_the_filtered_sessions(district, client, town_session):
    TrainingSessionFactory(unit=district.town_b_unit, title="西城培训")
    EnrolmentFactory(session=town_session)
    client.force_login(district.town_a)
    response = client.get(reverse("training:session_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "培训名称"
    assert [r[0] for r in rows[1:]] == ["东城网格员培训"]
    assert rows[1][rows[0].index("名单人数")] == 1


def test_the_detail_links_to_the_other_pages_only_when_they_exist(district, client, town_session):
    client.force_login(district.town_a)
    response = client.get(reverse("training:session_detail", args=[town_session.pk]))
    assert response.status_code == 200  # a missing route (another helper's) never raises
    assert STARTS + timedelta(hours=3) == town_session.ends_at


def test_certify_page_issues_a_certificate_after_confirmation(
    district, client, workforce_dictionaries
):
    from xuanpei.workforce.models import Certificate

    d = district
    session = TrainingSessionFactory(
        unit=d.town_a_unit, kind="certification", status="held", title="安全管理人员取证班"
    )
    post = PostFactory(enterprise=d.ent_a1, person__name="取证甲")
    enrolment = EnrolmentFactory(session=session, person=post.person, exam_score=85, passed=True)
    client.force_login(d.town_a)
    detail = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert f'id="certify-{enrolment.pk}"' in detail
    url = reverse("training:enrolment_certify", args=[enrolment.pk])
    assert client.get(url).status_code == 200
    assert not Certificate.objects.exists()  # nothing before the confirmation
    response = client.post(
        url,
        {
            "mode": "issue",
            "on": "2026-03-20",
            "kind": "safety_competence",
            "enterprise": d.ent_a1.pk,
            "number": "AQPAGE0001",
        },
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.certificate.number == "AQPAGE0001"
    # A sibling new town: 404.
    client.force_login(d.town_b)
    assert client.get(url).status_code == 404
