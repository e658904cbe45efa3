"""The API description needs a login unless API_SCHEMA_PUBLIC (issue #9 item 13)."""

from django.urls import reverse
from rest_framework.test import APIClient

from xuanpei.accounts import services


def test_an_anonymous_visitor_gets_no_schema_and_is_sent_to_login_from_the_docs(db, client):
    assert client.get(reverse("api-schema"), {"format": "json"}).status_code in (401, 403)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_logged_in_user_and_a_token_read_the_schema(district, client):
    client.force_login(district.town_a_viewer)
    assert client.get(reverse("api-schema"), {"format": "json"}).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {services.issue_api_token(district.enterprise).key}")
    assert "paths" in api.get(reverse("api-schema"), {"format": "json"}).json()


def test_the_setting_publishes_the_schema(db, client, settings):
    settings.API_SCHEMA_PUBLIC = True
    assert client.get(reverse("api-schema"), {"format": "json"}).status_code == 200
    assert client.get(reverse("api-docs")).status_code == 200
