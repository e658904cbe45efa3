"""The coverage matrix and the roll-ups in a browser (issue #11 items 4 and 7), at 1280 and
390 px: cells coloured, the matrix scrolls sideways on a phone, the charts are drawn.

Screenshots (XUANPEI_SCREENSHOTS): publicity-coverage-1280, publicity-coverage-390,
publicity-rollup-1280, publicity-rollup-390.
"""

from datetime import date

import pytest
from django.utils import timezone

from tests.browser.plan_world import DESKTOP, PHONE
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.models_ledger import Activity, ReviewStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_district_reads_coverage_and_rollups_on_desktop_and_phone(
    district, login, page, live_server, shot
):
    year = timezone.localdate().year
    month = CampaignFactory(
        unit=district.root, year=year, name="安全生产月", start_date=date(year, 6, 1),
        end_date=date(year, 6, 30),
    )  # fmt: skip
    for i, (unit, day, flags) in enumerate(
        [
            (district.street_a, date(year, 6, 3), {"to_school": True}),
            (district.street_a, date(year, 6, 9), {"to_school": True, "to_family": True}),
            (district.town_a_unit, date(year, 6, 15), {"to_enterprise": True}),
            (district.town_a_unit, date(year, 3, 15), {"to_community": True}),
        ]
    ):
        a = Activity.objects.create(
            title=f"宣传活动{i}", unit=unit, held_on=day, place="文化广场",
            participants=50 + i, status=ReviewStatus.ACCEPTED, **flags,
        )  # fmt: skip
        if day.month == 6:
            a.campaigns.add(month)
    base = live_server.url
    login("district")

    # The matrix from the menu: 宣传 → 覆盖情况 → 安全生产月.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/")
    page.click("nav >> text=宣传")
    page.click("nav >> text=覆盖情况")
    page.click("text=安全生产月")
    page.wait_for_selector(".cov-matrix")
    east = page.locator(".cov-matrix tbody tr", has_text="东新城")
    assert east.locator("td").first.inner_text() == "3"
    assert "cov-covered" in east.locator("td").first.get_attribute("class")
    west = page.locator(".cov-matrix tbody tr", has_text="西新城")
    assert "cov-none" in west.locator("td").first.get_attribute("class")
    assert "1 个单位未开展本主题活动：西新城" in page.inner_text(".alert-warning")
    shot("publicity-coverage-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector(".cov-matrix")
    scroll = page.locator(".cov-scroll")
    assert scroll.evaluate("el => el.scrollWidth > el.clientWidth")  # sideways, not squeezed
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot("publicity-coverage-390")

    # A cell opens the records behind it.
    href = east.locator("td a").first.get_attribute("href")
    assert f"campaign={month.pk}" in href and f"unit={district.town_a_unit.pk}" in href

    # The roll-ups: charts drawn (a canvas each), numbers link to records.
    page.set_viewport_size(DESKTOP)
    page.goto(f"{base}/publicity/rollup/?year={year}")
    page.wait_for_selector("#chart-month canvas")
    assert page.locator("#chart-unit canvas").count() == 1
    assert page.locator("#chart-five_in canvas").count() == 1
    shot("publicity-rollup-1280")
    page.set_viewport_size(PHONE)
    page.reload()
    page.wait_for_selector("#chart-month canvas")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot("publicity-rollup-390")
