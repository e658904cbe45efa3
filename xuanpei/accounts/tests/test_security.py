"""Security baseline (issue #2 point 10): lock-out, idle sessions, passwords, headers, deploy check."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from xuanpei.accounts.factories import TEST_PASSWORD

LOGIN = "accounts:login"


def attempt(client, username, password):
    return client.post(reverse(LOGIN), {"username": username, "password": password})


def test_the_sixth_attempt_is_locked_even_with_the_right_password(district, client):
    for _ in range(4):
        response = attempt(client, "town_a", "wrong-password")
        assert response.status_code == 200  # the form again, with an error
    # The fifth failure reaches the limit and already answers with the lock-out page.
    assert attempt(client, "town_a", "wrong-password").status_code == 429
    response = attempt(client, "town_a", TEST_PASSWORD)
    assert response.status_code == 429
    assert "登录失败次数过多，该账号在本设备上已锁定15分钟" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_below_the_limit_do_not_lock_and_success_resets_the_count(district, client):
    for _ in range(4):
        attempt(client, "town_a", "wrong-password")
    assert attempt(client, "town_a", TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        attempt(client, "town_a", "wrong-password")
    assert attempt(client, "town_a", TEST_PASSWORD).status_code == 302


def test_a_lock_out_concerns_the_account_not_the_whole_office_address(district, client):
    for _ in range(5):
        attempt(client, "town_a", "wrong-password")
    assert attempt(client, "town_b", TEST_PASSWORD).status_code == 302


def test_the_lock_lasts_fifteen_minutes(district):
    from datetime import timedelta

    from axes.helpers import get_cool_off

    assert settings.AXES_FAILURE_LIMIT == 5
    assert get_cool_off() == timedelta(minutes=15)


def test_a_manager_password_reset_lifts_the_lock(district, client):
    from xuanpei.accounts.services import reset_password

    for _ in range(5):
        attempt(client, "town_a_viewer", "wrong-password")
    reset_password(district.town_a_viewer, actor=district.town_a, password="Brand-New-Pass-9")
    assert attempt(client, "town_a_viewer", "Brand-New-Pass-9").status_code == 302


def test_a_wrong_password_is_answered_in_chinese(district, client):
    html = attempt(client, "town_a", "wrong-password").content.decode()
    assert "请输入一个正确的" in html or "用户名和密码" in html


def test_sessions_expire_after_thirty_idle_minutes(district, client):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    assert settings.SESSION_COOKIE_AGE == 30 * 60
    attempt(client, "town_a", TEST_PASSWORD)
    assert client.get(reverse("core:home")).status_code == 200
    assert client.session.get_expiry_age() == 30 * 60
    session = Session.objects.get(session_key=client.session.session_key)
    # Every request pushes the expiry 30 minutes ahead: an idle timeout.
    assert timezone.now() + timedelta(minutes=29) < session.expire_date
    assert session.expire_date <= timezone.now() + timedelta(minutes=30)
    session.expire_date = timezone.now() - timedelta(seconds=1)  # 30 idle minutes later
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and reverse(LOGIN) in response["Location"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abcdefghijkl", "密码须至少包含小写字母、大写字母、数字、符号中的三类"),
        ("Ab1-xyz", "密码太短，至少需要 10 个字符"),
        ("12345678901", "密码只包含数字。"),
        ("qwertyuiop-!", "密码须至少包含小写字母、大写字母、数字、符号中的三类"),
    ],
)
def test_password_rules_speak_chinese(password, message):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    assert message in exc.value.messages


def test_a_complex_password_passes():
    validate_password("Xuanpei-Secure-2026")


def test_forms_are_csrf_protected(district):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse(LOGIN), {"username": "town_a", "password": TEST_PASSWORD})
    assert response.status_code == 403


def test_pages_carry_the_security_headers(district, client):
    response = client.get(reverse(LOGIN))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_deploy_check_is_clean_under_production_settings(tmp_path):
    root = Path(settings.BASE_DIR)
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "example.gov.cn",
        # Several server processes share the rate-limit count (not connected by the check).
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "XUANPEI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "xuanpei.settings",
    }
    # A fresh, unmigrated database: the check must not need one. The test
    # runner's own switch (conftest) is no part of a deployment.
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    # The production path collects the static files first (issue #9 §13: the deploy
    # check refuses a missing manifest, tested in core/tests/test_deploy_checks.py).
    collected = subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "?: (" not in output, output


def test_a_session_is_renewed_at_most_once_a_minute_not_written_on_every_click(district, client):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from xuanpei.core.middleware import RENEWED_KEY

    attempt(client, "town_a", TEST_PASSWORD)
    client.get(reverse("core:home"))
    key = client.session.session_key
    earlier = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(session_key=key).update(expire_date=earlier)

    client.get(reverse("core:home"))  # seconds after the last renewal: not written
    assert Session.objects.get(session_key=key).expire_date == earlier

    session = client.session
    session[RENEWED_KEY] -= 61  # the last renewal was a minute ago
    session.save()
    Session.objects.filter(session_key=key).update(expire_date=earlier)
    client.get(reverse("core:home"))
    assert Session.objects.get(session_key=key).expire_date > timezone.now() + timedelta(minutes=29)
