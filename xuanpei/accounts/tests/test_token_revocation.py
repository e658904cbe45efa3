"""API tokens do not outlive a password reset, a password change or a deactivation (issue #9 item 9)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from xuanpei.accounts import services
from xuanpei.accounts.factories import TEST_PASSWORD

NEW_PASSWORD = "Neue-Passwort-2026"
API = "/api/v1/enterprises/"


def api_with_token(user):
    token = services.issue_api_token(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(API).status_code == 200
    return api


def test_an_admin_password_reset_revokes_the_users_api_token(district):
    api = api_with_token(district.town_a_viewer)
    services.reset_password(district.town_a_viewer, actor=district.town_a, password=NEW_PASSWORD)
    assert api.get(API).status_code == 401
    assert not Token.objects.filter(user=district.town_a_viewer).exists()


def test_a_reset_on_the_page_revokes_the_token_too(district, client):
    api = api_with_token(district.town_a_viewer)
    client.force_login(district.town_a)
    url = reverse("accounts:user_password", args=[district.town_a_viewer.pk])
    assert (
        client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code == 302
    )
    assert api.get(API).status_code == 401


def test_changing_my_own_password_revokes_my_api_token(district, client):
    api = api_with_token(district.town_a_viewer)
    client.force_login(district.town_a_viewer)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert api.get(API).status_code == 401
    assert not Token.objects.filter(user=district.town_a_viewer).exists()


def test_deactivation_revokes_the_token(district):
    api = api_with_token(district.town_a_viewer)
    services.set_active(district.town_a_viewer, actor=district.town_a, active=False)
    assert api.get(API).status_code == 401
    assert not Token.objects.filter(user=district.town_a_viewer).exists()


def test_a_failed_reset_keeps_the_token(district):
    api = api_with_token(district.town_a_viewer)
    with pytest.raises(ValidationError):
        services.reset_password(district.town_a_viewer, actor=district.town_a, password="short")
    assert api.get(API).status_code == 200
