"""Scope registry entries of the training sessions' pages and API (issue #12 §2, §3);
merged into tests/scope_registry.py at import.

The foreign session is 东新城's own draft (held yesterday, so every action is possible);
its roster row, attendance and photo hang on it, each marked by a unique name.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from tests.scope_registry import Foreign

SESSION_TITLE = "东城标记培训班"


def _town_a_session(d):
    from django.utils import timezone

    from xuanpei.training.factories import TrainingSessionFactory
    from xuanpei.training.models import TrainingSession

    found = TrainingSession.objects.filter(title=SESSION_TITLE).first()
    if found:
        return found
    starts = timezone.make_aware(datetime.combine(date.today() - timedelta(days=1), time(9)))
    return TrainingSessionFactory(
        unit=d.town_a_unit,
        title=SESSION_TITLE,
        place="东城标记培训地点",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        created_by=d.town_a,
    )


def _foreign_session(d) -> Foreign:
    return Foreign(_town_a_session(d), (SESSION_TITLE,))


def _foreign_enrolment(d) -> Foreign:
    from xuanpei.training.factories import EnrolmentFactory

    enrolment = EnrolmentFactory(session=_town_a_session(d), person__name="东城标记学员")
    return Foreign(enrolment, ("东城标记学员",))


def _foreign_attendance(d) -> Foreign:
    from xuanpei.training.factories import AttendanceFactory, EnrolmentFactory

    attendance = AttendanceFactory(session=_town_a_session(d), person__name="东城标记签到人")
    EnrolmentFactory(session=attendance.session, person=attendance.person)
    return Foreign(attendance, ("东城标记签到人",))


def _foreign_session_file(d) -> Foreign:
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from xuanpei.training.models import SessionFile

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (30, 30, 200)).save(out, "JPEG")
    item = SessionFile(
        session=_town_a_session(d), name="东城标记培训照片.jpg", kind="image", size=1
    )
    item.file.save("marker-training.jpg", ContentFile(out.getvalue()), save=False)
    item.thumbnail.save("marker-training-thumb.jpg", ContentFile(out.getvalue()), save=False)
    item.save()
    return Foreign(item, ("东城标记培训照片",))


FOREIGN_OBJECTS = {
    "training.TrainingSession": _foreign_session,
    "training.Enrolment": _foreign_enrolment,
    "training.Attendance": _foreign_attendance,
    "training.SessionFile": _foreign_session_file,
}

OWNER_NO_MARKER: dict[str, str] = {
    "training:session_add": "新增表单，不列出已有培训班次",
}

_STARTS = f"{date.today().isoformat()}T09:00"
_ENDS = f"{date.today().isoformat()}T12:00"
_SESSION_DATA = {
    "title": "范围新增培训班",
    "kind": "sector",
    "starts_at": _STARTS,
    "ends_at": _ENDS,
    "hours": "3",
    "place": "范围新增培训地点",
    "sign_in_opens_minutes": 30,
    "sign_in_closes_minutes": 30,
}
ADD_FORM_DATA: dict[str, dict] = {
    "training:session_add": dict(_SESSION_DATA),
    "api:trainingsession-list": {
        **_SESSION_DATA,
        "starts_at": _STARTS + ":00+08:00",
        "ends_at": _ENDS + ":00+08:00",
    },
}
