"""Lock-out in the browser (issue #9 item 5): the locked page, the wait message, the unlock button."""

import re
import time

import pytest
from axes.models import AccessAttempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_locked_user_is_unlocked_by_the_district_admin_and_gets_back_in(
    district, page, live_server, login, shot
):
    for _ in range(5):
        login("town_a_viewer", "wrong-password")
    shot("lockout-locked")
    assert "该账号在本设备上已锁定15分钟" in page.content()
    login("district")
    page.goto(f"{live_server.url}/accounts/users/{district.town_a_viewer.pk}/")
    shot("lockout-user-page")
    with page.expect_navigation():
        page.get_by_role("button", name="解除登录锁定").click()
    assert "已解除" in page.content()
    assert not AccessAttempt.objects.filter(username="town_a_viewer").exists()
    page.get_by_role("button", name="解除登录锁定").wait_for(state="detached")
    page.context.clear_cookies()
    login("town_a_viewer")
    assert "/accounts/login/" not in page.url


def test_a_spread_out_guess_is_told_how_long_to_wait(district, page, login, shot):
    # Sixteen failures from other addresses (as axes writes them): a wait of 2^6 s, capped
    # at 60, long enough not to pass while the browser logs in. The page counts down from
    # the last failure, so it may show less by the seconds this test itself took (a busy
    # machine, a second test worker).
    started = time.monotonic()
    for n in range(16):
        AccessAttempt.objects.create(
            username="town_a",
            ip_address=f"192.0.2.{n + 1}",
            user_agent="probe",
            get_data="",
            post_data="",
            http_accept="",
            path_info="/accounts/login/",
            failures_since_start=1,
        )
    login("town_a")
    shot("lockout-wait")
    wait = re.search(r"该账号登录失败次数过多，请 (\d+) 秒后再试", page.content())
    elapsed = time.monotonic() - started
    assert wait and max(1, 60 - elapsed) <= int(wait.group(1)) <= 60
    assert "/accounts/login/" in page.url
