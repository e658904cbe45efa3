"""Issue #11 "Done when", end to end on a phone (390 × 844), through the real pages:

a 镇街 records a 安全生产月 activity with a photo and submits it → its new town accepts
it → the campaign's coverage shows that 镇街 covered and a sibling 镇街 not → the plan
task's computed target (publicity.activities) rose by one → once the district publishes
it, the public page shows it exactly once.

Only the world is built with factories (users, units, campaign, plan task with a
computed target, one earlier accepted activity as the counter's baseline); every step
of the story is a click or a fill. Screenshots (XUANPEI_SCREENSHOTS): done-when-*-390.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from tests.browser.plan_world import PHONE, switch_user
from tests.browser.publicity_world import public_cards, publish_here
from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans import services as plan_services
from xuanpei.plans.choices import Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment
from xuanpei.publicity.dictionaries import ensure_ledger_dictionaries
from xuanpei.publicity.factories import CampaignFactory
from xuanpei.publicity.factories_ledger import ActivityFactory
from xuanpei.publicity.metrics import ACTIVITIES
from xuanpei.publicity.models_ledger import Activity, ReviewStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth - window.innerWidth"
TITLE = "安全生产月进企业宣讲"


def small_jpeg() -> bytes:
    """A real JPEG (Pillow), small, with something drawn on it."""
    img = Image.new("RGB", (480, 360), (235, 240, 245))
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 60, 440, 300), fill=(200, 40, 40))
    draw.ellipse((180, 120, 300, 240), fill=(250, 220, 60))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def story_year() -> int:
    """The latest 安全生产月 already past: an activity dated after today is not submitted."""
    today = timezone.localdate()
    return today.year if today >= date(today.year, 6, 16) else today.year - 1


def computed_total(page) -> int:
    """The assignment page's 自动统计 value (台账记录累计 N), read from its records link."""
    item = page.locator("#target-list li", has_text="自动统计")
    assert item.count() == 1
    return int(item.locator("a.fw-semibold").inner_text().strip())


def test_done_when_record_accept_cover_count_and_publish_on_a_phone(
    district, login, page, live_server, shot
):
    # ---- the world (factories) -------------------------------------------------------
    ensure_ledger_dictionaries()
    year = story_year()
    june = CampaignFactory(
        unit=district.root,
        year=year,
        name="安全生产月",
        start_date=date(year, 6, 1),
        end_date=date(year, 6, 30),
    )
    sibling = add_unit(district.town_a_unit, "乙街道", UnitKind.SUBDISTRICT)
    plan = PlanFactory(unit=district.root, year=year, title=f"测试区{year}年宣传教育计划")
    task = TaskFactory(
        plan=plan, number="三(一)5", title="安全生产月品牌活动", timeframe=Timeframe.ALL_YEAR
    )
    TargetFactory(
        task=task, name="安全生产月宣传活动", value=Decimal("4"), unit_label="次", metric=ACTIVITIES
    )
    task.lead_units.set([district.town_a_unit])
    plan_services.sync_assignments(task)
    june.tasks.add(task)  # 三(一)5's brand activity is this campaign (issue #11 item 2)
    assignment = Assignment.objects.get(task=task, unit=district.town_a_unit)
    ActivityFactory(  # an earlier accepted activity: the counter starts at 1, not 0
        unit=district.street_a,
        title="五月进学校宣讲",
        held_on=date(year, 5, 12),
        status=ReviewStatus.ACCEPTED,
        tasks=[task],
    )
    UserFactory(username="street_a", unit=district.street_a, role=Role.REPORTER)
    base = live_server.url
    page.set_viewport_size(PHONE)

    # ---- the new town reads the computed target before --------------------------------
    login("town_a")
    page.goto(f"{base}{assignment.get_absolute_url()}")
    before = computed_total(page)
    assert before == 1

    # ---- the 镇街 records the activity with a photo and submits it ----------------------
    switch_user(page, login, "street_a")
    page.goto(f"{base}/publicity/activities/")
    page.click("#activity-add")
    page.fill("#id_title", TITLE)
    page.fill("#id_held_on", f"{year}-06-16")
    page.fill("#id_place", "东城甲企业会议室")
    page.check("#id_to_enterprise")
    page.check("label:has-text('企业职工') >> xpath=preceding-sibling::input")
    page.check("label:has-text('宣讲') >> nth=0 >> xpath=preceding-sibling::input")
    page.fill("#id_participants", "60")
    page.set_input_files(
        "#id_files", {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": small_jpeg()}
    )
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar back at the top of the shot
    shot("done-when-form-street-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    page.click("#activity-save")
    page.wait_for_selector("#activity-photos img")
    assert page.inner_text("#activity-status") == "草稿"
    # The add page offers this year's campaigns and tasks (before 16 June the story's
    # June is last year's); the edit page offers those of the activity's year: tick
    # 安全生产月 and 三(一)5 there, as a user recording a past activity does.
    page.click("a.btn:has-text('修改')")
    page.wait_for_url(re.compile(r"/activities/\d+/edit/$"))
    page.check(f"input[name=campaigns][value='{june.pk}']")
    page.check(f"input[name=tasks][value='{task.pk}']")
    page.click("#activity-save")
    page.wait_for_url(re.compile(r"/activities/\d+/$"))
    page.wait_for_selector("#activity-photos img")
    assert page.evaluate(
        "Array.from(document.querySelectorAll('#activity-photos img'))"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    shot("done-when-detail-street-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    page.click("#activity-submit")
    page.click("#activity-submit-confirm")
    page.wait_for_selector("#activity-status")
    assert page.inner_text("#activity-status") == "待审核"
    activity = Activity.objects.get(title=TITLE)
    assert activity.unit == district.street_a and activity.files.count() == 1
    assert list(activity.campaigns.all()) == [june] and list(activity.tasks.all()) == [task]

    # ---- the new town accepts it from its queue ----------------------------------------
    switch_user(page, login, "town_a")
    page.goto(f"{base}/publicity/activities/review/")
    assert TITLE in page.inner_text("#activity-queue")
    shot("done-when-queue-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    page.click("#activity-queue >> text=审核")
    page.wait_for_url(re.compile(r"/activities/\d+/review/$"))
    shot("done-when-review-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    with page.expect_navigation():
        page.click("#activity-review-save")
    activity.refresh_from_db()
    assert activity.status == ReviewStatus.ACCEPTED

    # ---- the campaign's coverage: 甲街道 covered, its sibling 乙街道 not ----------------
    page.goto(f"{base}/publicity/coverage/?year={year}")
    page.click("main >> text=安全生产月")
    page.wait_for_selector(".cov-matrix")
    street_row = page.locator(".cov-matrix tbody tr", has_text="甲街道")
    sibling_row = page.locator(".cov-matrix tbody tr", has_text=sibling.name)
    assert street_row.locator("td").first.inner_text().strip() == "1"
    assert "cov-covered" in street_row.locator("td").first.get_attribute("class")
    assert "cov-none" in sibling_row.locator("td").first.get_attribute("class")
    assert sibling.name in page.inner_text(".alert-warning")
    assert "甲街道" not in page.inner_text(".alert-warning")
    shot("done-when-coverage-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0

    # ---- the plan task's computed value rose by one ------------------------------------
    page.goto(f"{base}{assignment.get_absolute_url()}")
    assert computed_total(page) == before + 1
    shot("done-when-assignment-town-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0

    # ---- the district publishes it; the public page shows it once ----------------------
    switch_user(page, login, "district")
    page.goto(f"{base}/publicity/activities/")
    page.click(f"text={TITLE}")
    publish_here(page, activity)

    cards = public_cards(page, base)
    assert cards.count() == 1
    assert page.locator(".public-activity", has_text=TITLE).count() == 1
    assert "五月进学校宣讲" not in page.inner_text("body")  # accepted, not published
    shot("done-when-public-390")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
