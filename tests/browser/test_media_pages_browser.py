"""New-media pages in a browser (issue #11 item 5): the list and the tallies with their
ECharts chart, at 1280 px and at 390 px (no sideways scroll).

Screenshots (XUANPEI_SCREENSHOTS): media-list-desktop, media-tally-desktop,
media-list-390, media-tally-390.
"""

from datetime import date

import pytest

from tests.browser.plan_world import DESKTOP, PHONE
from xuanpei.publicity.factories_media import MediaPostFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_media_list_and_tallies_at_desktop_and_phone_width(
    district, login, page, live_server, shot
):
    d = district
    year = date.today().year
    for n, (unit, channel, month) in enumerate(
        [(d.street_a, "wechat", 1), (d.village_a, "douyin", 1), (d.town_a_unit, "portal", 2)]
    ):
        MediaPostFactory(
            unit=unit, channel=channel, published_on=date(year, month, 1 + n),
            title=f"“安全生产月”主题宣传推文第{n + 1}期：守牢安全底线", views=1000 * (n + 1),
        )  # fmt: skip
    base = live_server.url
    login("town_a")
    for size, suffix in ((DESKTOP, "desktop"), (PHONE, "390")):
        page.set_viewport_size(size)
        page.goto(f"{base}/publicity/media/")
        assert "守牢安全底线" in page.content()
        shot(f"media-list-{suffix}")
        assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
        page.goto(f"{base}/publicity/media/tally/")
        page.wait_for_selector("#media-month-chart canvas")
        assert "甲街道" in page.inner_text("#tally-unit")
        shot(f"media-tally-{suffix}")
        assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
