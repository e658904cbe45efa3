"""Pages fit a phone: no sideways scrolling at 390 px (issue #8 §5, §11), and a look at them.

The login page and the public certificate check are opened on phones more than
anywhere else (a worker checking a card on site); the error pages must fit too.
Screenshots at 1280 and 390 px land in $XUANPEI_SCREENSHOTS for a person to look at.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("path", ["/accounts/login/", "/check/", "/no-such-page/"])
def test_an_anonymous_page_fits_a_phone_and_the_desktop(page, live_server, shot, path, settings):
    settings.DEBUG = False  # the real 404 page, not the debug one
    name = path.strip("/").replace("/", "-") or "home"
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}{path}")
        shot(f"phone-width-{name}-{label}")
        assert overflow(page) <= 0, f"{path} scrolls sideways at {label} px"


def test_the_check_result_fits_a_phone(page, live_server, shot, district):
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/check/")
    page.fill("#id_number", "T610199199003071234")
    page.fill("#id_name", "王建国")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#check-result")
    shot("phone-width-check-result-390")
    assert overflow(page) <= 0


def test_a_logged_in_error_page_fits_a_phone(district, login, page, live_server, shot, settings):
    settings.DEBUG = False
    login("town_a")
    page.set_viewport_size(PHONE)
    response = page.goto(f"{live_server.url}/orgs/enterprises/{district.ent_b1.pk}/")
    assert response.status == 404
    assert "页面不存在" in page.content()
    shot("error-404-town-a-390")
    assert overflow(page) <= 0
    response = page.goto(f"{live_server.url}/orgs/enterprises/add/")
    assert response.status == 200


@pytest.mark.urls("tests.error_urls")
def test_the_500_and_csrf_pages_fit_a_phone(page, live_server, shot, settings, district):
    settings.DEBUG = False
    for label, size in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        response = page.goto(f"{live_server.url}/__boom__/")
        assert response.status == 500 and "服务器出错了" in page.content()
        shot(f"error-500-{label}")
        assert overflow(page) <= 0
        # A form left open while the session changed: the CSRF cookie is gone.
        page.goto(f"{live_server.url}/accounts/login/")
        page.context.clear_cookies()
        page.fill("#id_username", "town_a")
        page.fill("#id_password", "whatever-password")
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            page.click("button[type=submit]")
        assert posted.value.status == 403
        assert "页面已过期，请刷新后重试" in page.content()
        shot(f"error-csrf-{label}")
        assert overflow(page) <= 0
