"""Manual entries and the indicator library on a phone (issue #13 §1): the district
corrects a 督查 entry — the confirmation lists old → new before anything is saved —
deletes another, and starts next year's library as a copy of this year's; a new town
sees its entries without the district's links. No sideways scroll at 390 px.

Screenshots (XUANPEI_SCREENSHOTS): entry-confirm-390, indicator-copy-390.
"""

import re
from decimal import Decimal

import pytest

from tests.browser.plan_world import PHONE, switch_user
from xuanpei.assessment import indicators as library
from xuanpei.assessment.factories import ManualEntryFactory
from xuanpei.assessment.models import IndicatorSet, ManualEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SCROLL = "document.scrollingElement.scrollWidth - window.innerWidth"
OLD_REASON = "季度督查中宣传活动组织有力"
NEW_REASON = "季度督查中“五进”宣传活动组织有力、台账规范"


def test_the_district_corrects_deletes_and_copies_a_new_town_only_reads(
    district, login, page, live_server, shot
):
    d = district
    indicator_set = library.ensure_default_set(2026, unit=d.root)
    bonus = indicator_set.indicators.get(code="inspection_bonus")
    kept = ManualEntryFactory(
        indicator=bonus, unit=d.town_a_unit, quarter=2, points=Decimal("1"), reason=OLD_REASON
    )
    gone = ManualEntryFactory(
        indicator=bonus, unit=d.town_a_unit, quarter=2, points=Decimal("2"), reason="录错的一条"
    )
    base = live_server.url

    login(d.district.username)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/assessment/entries/")
    with page.expect_navigation():
        page.click(f"a.entry-edit[href$='/{kept.pk}/edit/']")
    page.fill("#id_reason", NEW_REASON)
    page.fill("#id_points", "1.5")
    with page.expect_navigation():
        page.locator("form button[type=submit]").last.click()
    rows = page.locator("#entry-changes tbody tr")
    assert rows.count() == 2  # 分值 and 事由, nothing else
    table = page.inner_text("#entry-changes")
    assert OLD_REASON in table and NEW_REASON in table and "分值\t1\t1.5" in table
    kept.refresh_from_db()
    assert kept.reason == OLD_REASON  # nothing saved before the confirmation
    assert page.evaluate(NO_SCROLL) <= 0
    shot("entry-confirm-390")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_url(re.compile(r"/assessment/entries/$"))
    kept.refresh_from_db()
    assert (kept.reason, kept.points) == (NEW_REASON, Decimal("1.50"))

    with page.expect_navigation():
        page.click(f"a.entry-delete[href$='/{gone.pk}/delete/']")
    assert "录错的一条" in page.inner_text("main")
    with page.expect_navigation():
        page.click("button.btn-danger")
    assert not ManualEntry.objects.filter(pk=gone.pk).exists()
    assert ManualEntry.objects.filter(pk=kept.pk).exists()

    page.goto(f"{base}/assessment/indicators/")
    with page.expect_navigation():
        page.click("button.indicator-set-copy")
    copied = IndicatorSet.objects.get(unit=d.root, year=2027)
    assert copied.indicators.count() == indicator_set.indicators.count()
    assert "2027" in page.inner_text("main")
    assert page.locator("button.indicator-set-copy").count() <= 1  # 2026 → 2027 is done
    assert page.evaluate(NO_SCROLL) <= 0
    shot("indicator-copy-390")

    switch_user(page, login, d.town_a.username)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/assessment/entries/")
    assert NEW_REASON[:10] in page.inner_text("main")
    assert page.locator("a.entry-edit, a.entry-delete").count() == 0
