"""The themed-day calendar in a browser (issue #11): the district generates the year, opens
June, sets 安全生产月's theme; a 镇街 sees it on its phone.

Screenshots (XUANPEI_SCREENSHOTS): publicity-june-desktop, publicity-theme-form,
publicity-june-street-390, publicity-list-street-390, publicity-feed-street-390.
"""

import pytest
from django.utils import timezone

from tests.browser.plan_world import DESKTOP, PHONE, switch_user
from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.national import ensure_national_rules

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEME = "人人讲安全、个个会应急——<查找身边隐患>"


def test_the_district_sets_the_safety_months_theme_and_a_street_sees_it_on_a_phone(
    district, login, page, live_server, shot
):
    ensure_national_rules()
    UserFactory(username="street_a", unit=district.street_a, role=Role.UNIT_ADMIN)
    year = timezone.localdate().year
    base = live_server.url

    # The district generates this year's themed days from the list page.
    login("district")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/publicity/campaigns/")
    with page.expect_navigation():
        page.click("#generate-year")
    assert "新生成 11 项" in page.content()

    # 宣传日历 from the menu, then June.
    page.goto(f"{base}/")
    page.click("nav >> text=宣传")
    page.click("nav >> text=宣传日历")
    page.select_option("#cal-month", "6")
    page.click("text=查看")
    page.wait_for_selector("#cal-title")
    assert page.inner_text("#cal-title") == f"{year}年6月"
    assert "安全生产月" in page.inner_text("#cal-bands")
    assert "全国安全宣传咨询日" in page.inner_text("#cal-grid")
    shot("publicity-june-desktop")

    # The theme of this year's 安全生产月.
    page.click("#cal-bands >> text=安全生产月")
    page.click("#campaign-edit")
    assert page.is_disabled("#id_start_date")  # the rule's dates, not to be typed
    page.fill("#id_theme", THEME)
    shot("publicity-theme-form")
    page.click("#campaign-save")
    page.wait_for_selector("#campaign-theme")
    assert page.inner_text("#campaign-theme") == THEME
    june = Campaign.objects.get(year=year, name="安全生产月")
    assert june.theme == THEME

    # A 镇街 admin sees it on a phone: the grid is a list of the days that hold something.
    switch_user(page, login, "street_a")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/publicity/?year={year}&month=6")
    assert THEME in page.inner_text("#cal-bands")
    assert page.is_visible("#cal-grid >> text=全国安全宣传咨询日")
    assert not page.is_visible(".cal-head >> nth=0")  # weekday headers fold away
    shot("publicity-june-street-390")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.goto(f"{base}/publicity/campaigns/{june.pk}/")
    assert page.query_selector("#campaign-edit") is None
    for name, path in (("list", "/publicity/campaigns/"), ("feed", "/publicity/feed/")):
        page.goto(f"{base}{path}")
        shot(f"publicity-{name}-street-390")
        assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
