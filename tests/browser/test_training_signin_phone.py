"""The trainee's QR sign-in on a phone (issue #12 §3): the form, the success page and a
refusal at 390 px, no sideways scrolling; the organiser's QR page at 390 and 1280 px.
Screenshots land in $XUANPEI_SCREENSHOTS for a person to look at."""

from datetime import timedelta

import pytest
from django.utils import timezone

from xuanpei.training.factories import EnrolmentFactory, TrainingSessionFactory
from xuanpei.workforce.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def confirm(page, name, tail):
    page.fill("#id_name", name)
    page.fill("#id_id_tail", tail)
    with page.expect_navigation(wait_until="load"):
        page.click("#signin-form button[type=submit]")


@pytest.fixture
def session(district):
    now = timezone.now()
    session = TrainingSessionFactory(
        unit=district.town_a_unit,
        title="东新城网格员第四季度安全生产培训（燃气、消防、有限空间）",
        place="东新城便民服务中心二楼多功能厅",
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=2),
        hours=2,
        created_by=district.town_a,
    )
    person = PersonFactory(name="王建国", id_number="11010519491231002X")
    EnrolmentFactory(session=session, person=person)
    return session


def test_a_trainee_signs_in_on_a_phone(page, live_server, shot, session):
    page.set_viewport_size(PHONE)
    link = f"{live_server.url}/t/{session.sign_in_token}/"
    page.goto(link)
    assert "东新城网格员第四季度安全生产培训" in page.inner_text("#session-title")
    shot("training-signin-form-390")
    assert overflow(page) <= 0

    # A tail that does not match: refused, in Chinese, nothing recorded.
    confirm(page, "王建国", "0021")
    refusal = page.inner_text("#signin-refusal")
    assert "签到未成功" in refusal and "身份证号后4位为“0021”的人员" in refusal
    shot("training-signin-refused-390")
    assert overflow(page) <= 0

    confirm(page, "王建国", "002x")
    assert page.inner_text("#signin-headline") == "签到成功"
    shot("training-signin-done-390")
    assert overflow(page) <= 0

    # Again from the same phone: one attendance, "您已签到（time）".
    page.goto(link)
    confirm(page, "王建国", "002X")
    assert page.inner_text("#signin-headline").startswith("您已签到（")
    shot("training-signin-again-390")
    assert session.attendances.count() == 1


def test_a_replaced_link_says_so_on_a_phone(page, live_server, shot, session):
    page.set_viewport_size(PHONE)
    response = page.goto(f"{live_server.url}/t/a-replaced-token/")
    assert response.status == 404
    assert page.inner_text("#signin-invalid") == "签到链接已失效"
    shot("training-signin-invalid-390")
    assert overflow(page) <= 0


def test_the_organisers_qr_page_fits_and_prints(login, page, live_server, shot, session):
    login("town_a")
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/training/sessions/{session.pk}/qr/")
        assert page.locator("svg.qr-code").count() == 2
        shot(f"training-session-qr-{label}")
        assert overflow(page) <= 0
