"""What the training schema itself refuses, on both databases (issue #12 §1–3, bad input)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from xuanpei.training.factories import (
    AttendanceFactory,
    EnrolmentFactory,
    TrainingSessionFactory,
    UnitPostFactory,
    local,
)
from xuanpei.training.models import Attendance, Enrolment, TrainingSession, UnitPost
from xuanpei.workforce.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_a_session_ending_before_it_starts_is_refused(district):
    starts = local(2026, 3, 10, 9, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSessionFactory(unit=district.town_a_unit, starts_at=starts, ends_at=starts)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSessionFactory(unit=district.town_a_unit, hours=Decimal("0"))
    assert not TrainingSession.objects.exists()


def test_the_sign_in_window_surrounds_the_session(district):
    session = TrainingSessionFactory(
        unit=district.town_a_unit,
        starts_at=local(2026, 3, 31, 23, 30),
        ends_at=local(2026, 4, 1, 1, 0),
        sign_in_opens_minutes=45,
        sign_in_closes_minutes=15,
    )
    assert session.sign_in_opens_at == local(2026, 3, 31, 22, 45)
    assert session.sign_in_closes_at == local(2026, 4, 1, 1, 15)
    other = TrainingSessionFactory(unit=district.town_a_unit)
    assert session.sign_in_token != other.sign_in_token and len(session.sign_in_token) >= 32


def test_one_person_has_one_enrolment_and_one_attendance_per_session(district):
    session = TrainingSessionFactory(unit=district.town_a_unit)
    person = PersonFactory()
    EnrolmentFactory(session=session, person=person)
    AttendanceFactory(session=session, person=person, signed_in_at=local(2026, 3, 10, 8, 50))
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(session=session, person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFactory(session=session, person=person)
    assert Attendance.objects.count() == 1


def test_attendance_refuses_negative_hours_and_a_sign_out_before_the_sign_in(district):
    session = TrainingSessionFactory(unit=district.town_a_unit)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFactory(session=session, hours_credited=Decimal("-0.5"))
    signed_in = local(2026, 3, 10, 9, 0)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceFactory(
            session=session, signed_in_at=signed_in, signed_out_at=signed_in - timedelta(minutes=1)
        )
    assert not Attendance.objects.exists()


def test_a_grid_officer_has_one_post_on_duty_per_grid_and_ends_after_starting(district):
    person = PersonFactory()
    grid = district.village_a
    UnitPostFactory(
        person=person, unit=grid, start_date=date(2025, 1, 1), end_date=date(2025, 12, 31)
    )
    UnitPostFactory(person=person, unit=grid, start_date=date(2026, 1, 1))  # again, on duty
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitPostFactory(person=person, unit=grid)
    UnitPostFactory(person=person, unit=grid, role=UnitPost.Role.CADRE)  # another role: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitPostFactory(
            person=PersonFactory(),
            unit=grid,
            start_date=date(2026, 5, 1),
            end_date=date(2026, 4, 30),
        )
    assert UnitPost.objects.filter(person=person).count() == 3


def test_the_rows_are_scoped_to_the_organising_unit(district):
    """A new town sees its sessions, their rosters and attendance; its sibling does not."""
    session = TrainingSessionFactory(unit=district.town_a_unit)
    EnrolmentFactory(session=session)
    AttendanceFactory(session=session)
    post = UnitPostFactory(unit=district.village_a)
    for model, row in (
        (TrainingSession, session),
        (UnitPost, post),
    ):
        assert list(model.objects.for_user(district.town_a)) == [row]
        assert not model.objects.for_user(district.town_b).exists()
    for model in (Attendance, Enrolment):
        assert model.objects.for_user(district.town_a).count() == 1
        assert not model.objects.for_user(district.town_b).exists()
