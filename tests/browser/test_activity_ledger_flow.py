"""The activity ledger on a phone (issue #11 §3, §8): a 镇街 records a 安全生产月 activity with
a photo and submits it → its new town accepts it → the district publishes it → the public
page shows it once.

Screenshots (XUANPEI_SCREENSHOTS): activity-form-street-390, activity-detail-street-390,
activity-queue-town-390, activity-public-390.
"""

import io
import re
from datetime import date

import pytest
from django.utils import timezone
from PIL import Image

from tests.browser.plan_world import PHONE, switch_user
from tests.browser.publicity_world import public_cards, publish_here
from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.publicity.dictionaries import ensure_ledger_dictionaries
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.models_ledger import Activity, ReviewStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SCROLL = "document.scrollingElement.scrollWidth - window.innerWidth"


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 140, 90)).save(out, "JPEG", quality=70)
    return out.getvalue()


def test_a_street_records_submits_the_town_accepts_and_the_district_publishes(
    district, login, page, live_server, shot
):
    ensure_ledger_dictionaries()
    year = timezone.localdate().year
    june = CampaignFactory(
        unit=district.root,
        year=year,
        name="安全生产月",
        start_date=date(year, 6, 1),
        end_date=date(year, 6, 30),
    )
    UserFactory(username="street_a", unit=district.street_a, role=Role.REPORTER)
    base = live_server.url
    page.set_viewport_size(PHONE)

    # The 镇街 records the activity with a photo.
    login("street_a")
    page.goto(f"{base}/publicity/activities/")
    page.click("#activity-add")
    page.fill("#id_title", "安全生产月进企业宣讲")
    page.fill("#id_held_on", f"{year}-06-16")
    page.fill("#id_place", "东城甲企业会议室")
    page.check("#id_to_enterprise")
    page.check(f"input[name=campaigns][value='{june.pk}']")
    page.check("label:has-text('企业职工') >> xpath=preceding-sibling::input")
    page.check("label:has-text('宣讲') >> nth=0 >> xpath=preceding-sibling::input")
    page.fill("#id_participants", "60")
    page.fill("#id_materials-0-kind", "宣传册")
    page.fill("#id_materials-0-count", "120")
    page.set_input_files(
        "#id_files", {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    shot("activity-form-street-390")
    assert page.evaluate(NO_SCROLL) <= 0
    page.click("#activity-save")
    page.wait_for_selector("#activity-photos img")
    assert page.inner_text("#activity-status") == "草稿"
    shot("activity-detail-street-390")
    page.click("#activity-submit")
    page.click("#activity-submit-confirm")
    page.wait_for_selector("#activity-status")
    assert page.inner_text("#activity-status") == "待审核"
    activity = Activity.objects.get(title="安全生产月进企业宣讲")
    assert activity.unit == district.street_a and activity.files.count() == 1

    # Its new town finds it in 待审核活动 and accepts it.
    switch_user(page, login, "town_a")
    page.goto(f"{base}/publicity/activities/review/")
    shot("activity-queue-town-390")
    assert page.evaluate(NO_SCROLL) <= 0
    page.click("#activity-queue >> text=审核")
    page.wait_for_url(re.compile(r"/activities/\d+/review/$"))
    with page.expect_navigation():
        page.click("#activity-review-save")
    activity.refresh_from_db()
    assert activity.status == ReviewStatus.ACCEPTED

    # The district publishes it.
    switch_user(page, login, "district")
    page.goto(f"{base}{activity.get_absolute_url()}")
    publish_here(page, activity)

    # Anyone sees it on the public page, once, with its photo.
    cards = public_cards(page, base)
    assert cards.count() == 1 and "安全生产月进企业宣讲" in cards.inner_text()
    shot("activity-public-390")
    assert page.evaluate(NO_SCROLL) <= 0
