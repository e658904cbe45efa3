"""Training sessions on a phone (issue #12 §2, §3): a new town records a grid-officer
session, enrols every grid officer of its subtree by post, ticks one present, marks the
session held — and no page scrolls sideways at 390 px.

Screenshots (XUANPEI_SCREENSHOTS): session-form-town-390, session-detail-town-390,
session-list-town-390, session-detail-town-1280.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.plan_world import PHONE
from xuanpei.training.factories import UnitPostFactory
from xuanpei.training.models import Attendance, TrainingSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SCROLL = "document.scrollingElement.scrollWidth - window.innerWidth"


def test_a_new_town_records_a_grid_officer_session_enrols_and_ticks_present(
    district, login, page, live_server, shot
):
    officers = [
        UnitPostFactory(unit=district.street_a, person__name="网格员甲").person,
        UnitPostFactory(unit=district.village_a, person__name="网格员乙").person,
    ]
    UnitPostFactory(unit=district.town_b_sub, person__name="西城网格员")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    base = live_server.url
    page.set_viewport_size(PHONE)
    login("town_a")

    page.goto(f"{base}/training/sessions/")
    page.click("#session-add")
    page.fill("#id_title", "东新城网格员季度培训")
    page.select_option("#id_kind", "grid_officer")
    page.fill("#id_starts_at", f"{day}T09:00")
    page.fill("#id_ends_at", f"{day}T08:00")  # before the start: refused in Chinese
    page.fill("#id_hours", "3")
    page.fill("#id_place", "东新城便民服务中心")
    with page.expect_navigation():
        page.click("#session-save")
    assert "结束时间必须晚于开始时间" in page.inner_text("#session-form")
    page.fill("#id_ends_at", f"{day}T12:00")
    shot("session-form-town-390")
    assert page.evaluate(NO_SCROLL) <= 0
    with page.expect_navigation():
        page.click("#session-save")
    assert page.inner_text("#session-status") == "计划中"

    # Every grid officer of 东新城 by post (the bulk form is open while the roster is empty).
    page.select_option("#id_role", "grid_officer")
    with page.expect_navigation():
        page.click("#enrol-bulk-submit")
    session = TrainingSession.objects.get(title="东新城网格员季度培训")
    assert set(session.roster.values_list("person", flat=True)) == {p.pk for p in officers}

    # The organiser ticks one officer present, then marks the session held.
    page.check(f"#present-{officers[0].pk}")
    with page.expect_navigation():
        page.click("#present-submit")
    assert Attendance.objects.get(session=session).person == officers[0]
    with page.expect_navigation():
        page.click("#session-mark-held")
    assert page.inner_text("#session-status") == "已举办"
    shot("session-detail-town-390")
    assert page.evaluate(NO_SCROLL) <= 0

    page.goto(f"{base}/training/sessions/")
    assert "东新城网格员季度培训" in page.inner_text("#session-table")
    shot("session-list-town-390")
    assert page.evaluate(NO_SCROLL) <= 0

    # The same detail on a desktop.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/training/sessions/{session.pk}/")
    shot("session-detail-town-1280")
    assert page.evaluate(NO_SCROLL) <= 0
