"""Error pages are Chinese, styled, phone-sized and offer a way back (issue #8 §5).

Run with DEBUG off, as in production: Django then renders 400/403/404/500.html
(and 403_csrf.html for a failed CSRF check) instead of its debug pages.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def assert_error_page(response, status, *phrases):
    body = response.content.decode()
    assert response.status_code == status
    assert f'data-status="{status}"' in body
    assert VIEWPORT in body
    assert '<html lang="zh-hans">' in body
    assert "返回首页" in body and "返回上一页" in body
    for phrase in phrases:
        assert phrase in body
    # Nothing of Django's English defaults.
    for english in (
        "Not Found",
        "Server Error",
        "403 Forbidden",
        "Bad Request",
        "CSRF verification failed",
    ):
        assert english not in body


def test_an_unknown_address_shows_the_chinese_404_page_inside_the_layout(client, district):
    client.force_login(district.town_a)
    response = client.get("/no-such-page/")
    assert_error_page(response, 404, "页面不存在")
    assert 'id="mainnav"' in response.content.decode()  # the layout, with its menu


def test_an_object_outside_scope_is_a_chinese_404(client, district):
    client.force_login(district.town_b)
    response = client.get(reverse("orgs:enterprise_detail", args=[district.ent_a1.pk]))
    assert_error_page(response, 404, "不在您的管辖范围内")
    assert district.ent_a1.name not in response.content.decode()


def test_a_refused_action_shows_the_chinese_403_page_with_its_reason(client, district):
    client.force_login(district.town_a_viewer)
    response = client.get(reverse("orgs:enterprise_add"))
    assert_error_page(response, 403, "没有权限", "您没有执行此操作的权限")


def test_permission_denied_raised_anywhere_is_the_chinese_403_page(client, district):
    client.force_login(district.town_a)
    assert_error_page(client.get("/__forbidden__/"), 403, "您的角色不能办理此业务")


def test_a_bad_request_is_the_chinese_400_page(client, district):
    client.force_login(district.town_a)
    assert_error_page(client.get("/__bad__/"), 400, "请求有误")


def test_a_crash_shows_the_chinese_500_page_without_touching_the_database(district):
    client = Client(raise_request_exception=False)
    client.force_login(district.town_a)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/__boom__/")
    assert_error_page(response, 500, "服务器出错了")
    body = response.content.decode()
    # Standalone: no menu (whose counts need the database), no user name.
    assert 'id="mainnav"' not in body and "town_a" not in body
    # Only the middleware's session and user reads: no menu counts, no unread badge.
    assert not [q for q in queries.captured_queries if "notification" in q["sql"]]


def test_the_500_page_renders_with_no_query_at_all(rf, django_assert_num_queries):
    # What Django's handler does when the database itself is what failed.
    from django.views.defaults import server_error

    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert_error_page(response, 500, "服务器出错了")


def test_a_failed_csrf_check_is_explained_in_chinese():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert_error_page(response, 403, "页面已过期，请刷新后重试")
