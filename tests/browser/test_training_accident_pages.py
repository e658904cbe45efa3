"""Accident detail (issue #12 §7) and institution detail (§8) on a phone: no sideways
scroll; the accident page names the people still missing; the institution page shows
its inspections, rectifications and the pass rate of the sessions it delivered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xuanpei.training.factories import (
    AttendanceFactory,
    EnrolmentFactory,
    InspectionFactory,
    InstitutionFactory,
    RectificationFactory,
    TrainingSessionFactory,
    local,
)
from xuanpei.training.models import TrainingSession
from xuanpei.training.services_accidents import record_accident
from xuanpei.workforce.choices import PostTypeCode
from xuanpei.workforce.factories import PostFactory, get_post_type

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0


def test_accident_detail_on_a_phone(district, login, page, live_server, shot):
    today = timezone.localdate()
    ent = district.ent_a1
    people = [
        PostFactory(person__name=name, enterprise=ent, post_type=get_post_type(code)).person
        for name, code in (
            ("王主要", PostTypeCode.PRINCIPAL),
            ("李安管", PostTypeCode.SAFETY_MANAGER),
            ("赵工人", PostTypeCode.OTHER),
            ("钱工人", PostTypeCode.OTHER),
        )
    ]
    accident = record_accident(
        enterprise=ent,
        occurred_on=today - timedelta(days=6),
        kind="机械伤害",
        severity="ordinary",
        injuries=1,
        summary="操作工在清理冲床模具时未切断电源，右手被压伤。",
        actor=district.town_a,
    )
    day = today - timedelta(days=2)
    session = TrainingSessionFactory(
        unit=district.street_a,
        enterprise=ent,
        kind=TrainingSession.Kind.ACCIDENT_UNIT,
        status=TrainingSession.Status.HELD,
        starts_at=local(day.year, day.month, day.day, 9),
    )
    for person in people[:3]:
        AttendanceFactory(session=session, person=person)

    login("town_a")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/training/accidents/{accident.pk}/")
    obligations = page.locator("#obligations")
    assert obligations.locator(".badge", has_text="已完成").count() == 2
    assert "钱工人" in obligations.inner_text()
    shot("training-accident-detail-390")
    assert no_sideways_scroll(page)


def test_institution_detail_on_a_phone(district, login, page, live_server, shot):
    institution = InstitutionFactory(
        name="东城安全生产培训学校（特种作业考试点）", kind="both", unit=district.town_a_unit
    )
    session = TrainingSessionFactory(
        unit=district.town_a_unit,
        institution=institution,
        title="低压电工作业初训班",
        kind=TrainingSession.Kind.CERTIFICATION,
        status=TrainingSession.Status.HELD,
    )
    for passed in (True, True, True, False):
        EnrolmentFactory(session=session, passed=passed)
    inspection = InspectionFactory(
        institution=institution,
        findings="抽查 2 个班次：签到表有代签，实操课时不足。",
        perfunctory=True,
        problems="签到表代签；实操课时不足",
    )
    RectificationFactory(inspection=inspection, requirement="启用人脸识别签到并补足实操课时")

    login("town_a")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/training/institutions/{institution.pk}/")
    assert "75%" in page.locator("#pass-rate").inner_text()
    assert "低压电工作业初训班" in page.locator("#sessions").inner_text()
    assert "整改中" in page.locator("#inspections").inner_text()
    shot("training-institution-detail-390")
    assert no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("#inspections a").first.click()
    shot("training-inspection-detail-390")
    assert no_sideways_scroll(page)
