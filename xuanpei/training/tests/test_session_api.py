"""API of training sessions, rosters and attendance (issue #12 §10): scoped like the pages,
the same Chinese messages (services_sessions), idempotent enrolment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from xuanpei.training.factories import (
    AttendanceFactory,
    EnrolmentFactory,
    TrainingSessionFactory,
    UnitPostFactory,
    local,
)
from xuanpei.training.models import Enrolment, TrainingSession

pytestmark = pytest.mark.django_db

STARTS = local(2026, 3, 10, 9, 0)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def payload(**kwargs) -> dict:
    data = {
        "title": "东新城干部专题培训",
        "kind": "cadre_topic",
        "starts_at": "2026-03-10T09:00:00+08:00",
        "ends_at": "2026-03-10T12:00:00+08:00",
        "hours": "3.0",
        "place": "东新城党群服务中心",
    }
    data.update(kwargs)
    return data


def test_create_a_session_through_the_api(district):
    response = api(district.town_a).post("/api/v1/training-sessions/", payload(), format="json")
    assert response.status_code == 201, response.json()
    session = TrainingSession.objects.get()
    assert session.unit == district.town_a_unit
    assert response.json()["status"] == "draft"


def test_the_api_answers_the_pages_chinese_messages(district):
    client = api(district.town_a)
    response = client.post(
        "/api/v1/training-sessions/",
        payload(ends_at="2026-03-10T08:00:00+08:00"),
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["ends_at"] == ["结束时间必须晚于开始时间"]
    response = client.post("/api/v1/training-sessions/", payload(hours="3.5"), format="json")
    assert response.json()["hours"] == ["学时不能超过培训时长（3 小时）"]
    assert not TrainingSession.objects.exists()


def test_a_sibling_cannot_see_or_change_the_session(district):
    session = TrainingSessionFactory(unit=district.town_a_unit, title="东城专题")
    client = api(district.town_b)
    assert client.get(f"/api/v1/training-sessions/{session.pk}/").status_code == 404
    listed = client.get("/api/v1/training-sessions/").json()
    assert "东城专题" not in str(listed)
    assert client.post(f"/api/v1/training-sessions/{session.pk}/held/").status_code == 404


def test_the_unit_of_a_session_is_fixed_once_stored(district):
    session = TrainingSessionFactory(unit=district.town_a_unit)
    response = api(district.town_a).patch(
        f"/api/v1/training-sessions/{session.pk}/", {"unit": district.street_a.pk}, format="json"
    )
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.unit == district.town_a_unit


def test_held_and_archive_actions(district):
    session = TrainingSessionFactory(unit=district.town_a_unit, starts_at=STARTS)
    client = api(district.town_a)
    response = client.post(f"/api/v1/training-sessions/{session.pk}/archive/")
    assert response.status_code == 400
    assert "只有已举办的培训班次可以归档" in str(response.json())
    assert client.post(f"/api/v1/training-sessions/{session.pk}/held/").json()["status"] == "held"
    assert (
        client.post(f"/api/v1/training-sessions/{session.pk}/archive/").json()["status"]
        == "archived"
    )
    response = client.patch(
        f"/api/v1/training-sessions/{session.pk}/", {"title": "改名"}, format="json"
    )
    assert response.status_code == 400
    assert "已归档" in str(response.json())


def test_enrolment_is_idempotent_and_scoped(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    officer = UnitPostFactory(unit=d.village_a).person
    sibling_officer = UnitPostFactory(unit=d.town_b_sub).person
    client = api(d.town_a)
    body = {"session": session.pk, "person": officer.pk}
    assert client.post("/api/v1/enrolments/", body, format="json").status_code == 201
    assert client.post("/api/v1/enrolments/", body, format="json").status_code == 201
    assert Enrolment.objects.filter(session=session, person=officer).count() == 1
    response = client.post(
        "/api/v1/enrolments/", {"session": session.pk, "person": sibling_officer.pk}, format="json"
    )
    assert response.status_code == 400
    assert not Enrolment.objects.filter(person=sibling_officer).exists()
    # A sibling may not enrol anybody on 东新城's session.
    response = api(d.town_b).post(
        "/api/v1/enrolments/", {"session": session.pk, "person": sibling_officer.pk}, format="json"
    )
    assert response.status_code == 400
    assert Enrolment.objects.count() == 1


def test_enrolments_are_listed_by_session_and_removed(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    enrolment = EnrolmentFactory(session=session, person__name="名单甲")
    EnrolmentFactory(session=TrainingSessionFactory(unit=d.town_a_unit), person__name="名单乙")
    client = api(d.town_a)
    listed = client.get("/api/v1/enrolments/", {"session": session.pk}).json()
    assert [r["person_name"] for r in listed["results"]] == ["名单甲"]
    assert client.delete(f"/api/v1/enrolments/{enrolment.pk}/").status_code == 204
    assert not Enrolment.objects.filter(pk=enrolment.pk).exists()


def test_someone_who_attended_is_not_removed_through_the_api(district):
    session = TrainingSessionFactory(unit=district.town_a_unit)
    enrolment = EnrolmentFactory(session=session)
    AttendanceFactory(session=session, person=enrolment.person)
    response = api(district.town_a).delete(f"/api/v1/enrolments/{enrolment.pk}/")
    assert response.status_code == 400
    assert "已有签到记录" in str(response.json())


def test_attendance_is_read_only_and_filtered_by_person(district):
    d = district
    session = TrainingSessionFactory(unit=d.town_a_unit)
    mine = AttendanceFactory(session=session, hours_credited=Decimal("2.5"))
    AttendanceFactory(session=TrainingSessionFactory(unit=d.town_b_unit))
    client = api(d.town_a)
    listed = client.get("/api/v1/attendances/").json()
    assert [r["id"] for r in listed["results"]] == [mine.pk]
    assert listed["results"][0]["hours_credited"] == "2.5"
    assert client.post("/api/v1/attendances/", {}, format="json").status_code == 405
    assert client.get("/api/v1/attendances/", {"session": session.pk}).json()["count"] == 1
