"""The smallest browser flow: the login page renders in Chinese and logs a user in."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_and_sees_the_navigation(district, login, shot):
    page = login("town_a")
    shot("home-town-a")
    assert page.locator("nav").get_by_text("宣培通").is_visible()
    assert "东新城" in page.content()


def test_a_wrong_password_shows_a_chinese_error(district, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "town_a")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的" in page.content() or "不正确" in page.content()
    assert page.url.endswith("/accounts/login/")
