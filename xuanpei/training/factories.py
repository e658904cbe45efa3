"""Factories of the training app. Pass `unit` (and `enterprise` for an enterprise's class)."""

from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from xuanpei.training.models import Attendance, Enrolment, TrainingSession, UnitPost
from xuanpei.workforce.factories import PersonFactory


def local(*args) -> datetime:
    """An aware datetime in the project's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime(*args))


class UnitPostFactory(DjangoModelFactory):
    class Meta:
        model = UnitPost

    person = factory.SubFactory(PersonFactory)
    unit = None  # pass a unit
    role = UnitPost.Role.GRID_OFFICER


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = TrainingSession

    title = factory.Sequence(lambda n: f"安全生产培训{n}")
    kind = TrainingSession.Kind.SECTOR
    unit = None  # pass a unit
    starts_at = factory.LazyFunction(lambda: local(2026, 3, 10, 9, 0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    place = "区应急管理局三楼会议室"
    hours = Decimal("3.0")


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    session = factory.SubFactory(TrainingSessionFactory)
    person = factory.SubFactory(PersonFactory)


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(TrainingSessionFactory)
    person = factory.SubFactory(PersonFactory)
    method = Attendance.Method.LIST


# --- accidents and institutions (issue #12 §7, §8) -------------------------------------


class AccidentFactory(DjangoModelFactory):
    """An accident without its obligations: `services_accidents.record_accident` makes both."""

    class Meta:
        model = "training.Accident"

    enterprise = None  # pass an enterprise
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
    kind = "机械伤害"
    severity = "ordinary"
    injuries = 1


class InstitutionFactory(DjangoModelFactory):
    class Meta:
        model = "training.Institution"

    name = factory.Sequence(lambda n: f"安全培训中心{n}")
    kind = "training"
    unit = None  # pass a unit


class InspectionFactory(DjangoModelFactory):
    class Meta:
        model = "training.Inspection"

    institution = factory.SubFactory(InstitutionFactory)
    inspected_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=1))
    findings = "台账基本齐全"


class RectificationFactory(DjangoModelFactory):
    class Meta:
        model = "training.Rectification"

    inspection = factory.SubFactory(InspectionFactory)
    requirement = "补齐学员签到记录"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
