"""Playwright on Debian's Chromium (platform-notes.md): the launch overrides and a login helper."""

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOT_DIR = os.environ.get("XUANPEI_SCREENSHOTS", "")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def login(page, live_server):
    """Log `username` in through the real login form; returns the page."""
    from xuanpei.accounts.factories import TEST_PASSWORD

    def _login(username, password=TEST_PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        # The form posts and the answer (home after the redirect, or the login page again
        # with its error) is a navigation: wait for its `load`, not for 500 ms of silence.
        with page.expect_navigation(wait_until="load"):
            page.click("button[type=submit]")
        return page

    return _login


@pytest.fixture
def shot(page):
    """Save a screenshot when XUANPEI_SCREENSHOTS names a folder (for a person to look at)."""

    def _shot(name):
        if SCREENSHOT_DIR:
            os.makedirs(SCREENSHOT_DIR, exist_ok=True)
            page.screenshot(path=os.path.join(SCREENSHOT_DIR, f"{name}.png"), full_page=True)

    return _shot
