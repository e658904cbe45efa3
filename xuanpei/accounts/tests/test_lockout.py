"""Lock-out without locking out the victim (issue #9 item 5).

Five wrong passwords lock the account for the client that typed them (username +
address), not for its owner elsewhere; failures of one username from many
addresses meet a growing delay answered at once ("请 N 秒后再试", no password
check, no sleeping worker); an admin lifts a lock; and brute force from one client
stays measurable: of 50 guesses only the first five reach the password check.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from xuanpei.accounts import lockout
from xuanpei.accounts.factories import TEST_PASSWORD
from xuanpei.accounts.models import User

LOGIN = "accounts:login"
ATTACKER = "203.0.113.7"  # TEST-NET-3 (RFC 5737)
OWNER = "198.51.100.20"  # TEST-NET-2


def attempt(client, username, password, address=ATTACKER, **extra):
    return client.post(
        reverse(LOGIN), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


@pytest.fixture
def password_checks(monkeypatch):
    """Count the calls that reach the password hash check (a spy: the real check still runs)."""
    calls = []
    real = User.check_password

    def counting(self, raw_password):
        calls.append(self.username)
        return real(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    return calls


def test_a_lock_by_an_attacker_does_not_lock_the_owner_out(district, client):
    for _ in range(5):
        attempt(client, "town_a", "wrong-password")
    assert attempt(client, "town_a", TEST_PASSWORD).status_code == 429
    # The owner, at their own desk, still gets in.
    response = attempt(client, "town_a", TEST_PASSWORD, address=OWNER)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == district.town_a.pk


def test_fifty_guesses_from_one_client_reach_the_password_check_five_times(
    district, client, password_checks
):
    statuses = [attempt(client, "town_a", f"guess-{n:02d}").status_code for n in range(50)]
    assert len(password_checks) == 5
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    assert attempt(client, "town_a", TEST_PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_from_many_addresses_meet_a_growing_delay_answered_at_once(
    district, client, password_checks
):
    # Ten failures in all (LOGIN_DELAY_AFTER_FAILURES), one from each of ten addresses.
    for n in range(10):
        assert attempt(client, "town_a", "wrong", address=f"192.0.2.{n + 1}").status_code == 200
    assert len(password_checks) == 10
    # A sixth address: refused at once with the wait, the password is not even checked.
    response = attempt(client, "town_a", TEST_PASSWORD, address="192.0.2.99")
    assert response.status_code == 429
    assert "请 1 秒后再试" in response.content.decode()
    assert len(password_checks) == 10
    assert lockout.ladder_wait("town_a", "192.0.2.99") == 1
    # Each further failure doubles the wait, up to the cap.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=2))
    assert attempt(client, "town_a", "wrong", address="192.0.2.50").status_code == 200
    assert lockout.ladder_wait("town_a", "192.0.2.51") == 2
    AccessAttempt.objects.update(failures_since_start=100)
    assert 0 < lockout.ladder_wait("town_a", "192.0.2.51") <= 60


def test_the_delay_does_not_stand_in_the_owners_way_on_a_known_client(district, client):
    assert attempt(client, "town_a", TEST_PASSWORD, address=OWNER).status_code == 302
    client.logout()
    for n in range(10):
        attempt(client, "town_a", "wrong", address=f"192.0.2.{n + 1}")
    assert attempt(client, "town_a", TEST_PASSWORD, address="192.0.2.99").status_code == 429
    assert attempt(client, "town_a", TEST_PASSWORD, address=OWNER).status_code == 302


def test_the_delay_ends_when_its_time_has_passed(district, client):
    for n in range(10):
        attempt(client, "town_a", "wrong", address=f"192.0.2.{n + 1}")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=2))
    assert attempt(client, "town_a", TEST_PASSWORD, address="192.0.2.99").status_code == 302


def test_a_district_admin_unlocks_an_account_on_its_page(district, client):
    for _ in range(5):
        attempt(client, "town_a_viewer", "wrong-password")
    client.force_login(district.district)
    page = client.get(reverse("accounts:user_detail", args=[district.town_a_viewer.pk]))
    assert "解除登录锁定" in page.content.decode()
    response = client.post(reverse("accounts:user_unlock", args=[district.town_a_viewer.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="town_a_viewer").exists()
    client.logout()
    assert attempt(client, "town_a_viewer", TEST_PASSWORD).status_code == 302


def test_an_unlock_is_out_of_reach_for_a_user_outside_the_admins_scope(district, client):
    for _ in range(5):
        attempt(client, "town_b", "wrong-password")
    client.force_login(district.town_a)
    assert (
        client.post(reverse("accounts:user_unlock", args=[district.town_b.pk])).status_code == 404
    )
    assert AccessAttempt.objects.filter(username="town_b").exists()


def test_the_unlock_command_lifts_a_lock(district, client, capsys):
    for _ in range(5):
        attempt(client, "town_a_viewer", "wrong-password")
    call_command("unlock", "town_a_viewer")
    assert "已解除" in capsys.readouterr().out
    assert attempt(client, "town_a_viewer", TEST_PASSWORD).status_code == 302


def test_the_client_address_behind_a_trusted_proxy_is_the_forwarded_one(settings, rf):
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.20, 10.0.0.1")
    settings.XUANPEI_TRUSTED_PROXIES = 0
    assert lockout.client_ip(request) == "10.0.0.1"  # no proxy trusted: the header is ignored
    settings.XUANPEI_TRUSTED_PROXIES = 1
    # One trusted proxy (nginx) appended what it saw; anything further left is the client's word.
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.20")
    assert lockout.client_ip(request) == "198.51.100.20"
    request = rf.post("/", REMOTE_ADDR="10.0.0.1")
    assert lockout.client_ip(request) == "10.0.0.1"
