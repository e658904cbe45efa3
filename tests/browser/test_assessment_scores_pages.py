"""The quarter's ranking and a unit's score on a phone (issue #13 §2): the district
publishes the quarter → 东新城 reads its rank, drills down to an indicator's records and
raises an objection. No sideways scroll at 390 px.

Screenshots (XUANPEI_SCREENSHOTS): score-list-district-390, score-list-town-390,
score-detail-town-390.
"""

from decimal import Decimal

import pytest

from tests.browser.plan_world import PHONE, switch_user
from xuanpei.assessment.factories import QuarterRunFactory, UnitScoreFactory
from xuanpei.assessment.models import AssessedKind, Objection, QuarterRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SCROLL = "document.scrollingElement.scrollWidth - window.innerWidth"


def _item(code, name, weight, score, value, detail, url):
    return {
        "code": code,
        "name": name,
        "weight": weight,
        "value": value,
        "score": score,
        "detail": detail,
        "records_url": url,
    }


def test_the_district_publishes_and_a_new_town_reads_its_rank_and_objects(
    district, login, page, live_server, shot
):
    d = district
    run = QuarterRunFactory(unit=d.root, year=2026, quarter=2)
    items = [
        _item("plan", "计划任务按时完成", "20", "18", "9/10", "10项任务按时完成9项", "/plans/"),
        _item(
            "activities",
            "宣传活动完成率",
            "20",
            "16",
            "12/15",
            "已通过审核12次，定额15次",
            "/publicity/activities/",
        ),
        _item("grid", "网格员季度培训", "10", "0", "0", "本季度未开展网格员培训", "/training/"),
    ]
    a = UnitScoreFactory(
        run=run,
        unit=d.town_a_unit,
        total=Decimal("92.50"),
        ytd_total=Decimal("90.25"),
        previous_total=Decimal("85.00"),
        rank=1,
        items=items,
    )
    UnitScoreFactory(run=run, unit=d.town_b_unit, total=Decimal("80"), previous_total=88, rank=2)
    UnitScoreFactory(
        run=run, unit=d.street_a, assessed_kind=AssessedKind.TOWN_STREET, total=70, rank=1
    )
    UnitScoreFactory(
        run=run, unit=d.dept_unit, assessed_kind=AssessedKind.DEPARTMENT, total=88, rank=1
    )
    base = live_server.url
    page.set_viewport_size(PHONE)

    login(d.district.username)
    page.goto(f"{base}/assessment/?quarter=2026Q2")
    assert page.locator("#publish-run").is_visible()
    with page.expect_navigation():
        page.click("#publish-run")
    assert "已发布" in page.inner_text("#run-status")
    assert page.evaluate(NO_SCROLL) <= 0
    shot("score-list-district-390")
    run.refresh_from_db()
    assert run.status == QuarterRun.Status.PUBLISHED

    switch_user(page, login, d.town_a.username)
    page.goto(f"{base}/assessment/?quarter=2026Q2")
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "第1名/共2个" in body and "西新城" not in body
    assert page.evaluate(NO_SCROLL) <= 0
    shot("score-list-town-390")
    page.click(f"a[href='/assessment/scores/{a.pk}/']")
    page.wait_for_selector("#score-items")
    assert page.locator("#score-items a[href='/publicity/activities/']").count() == 1
    page.fill("textarea[name=text]", "本季度已开展网格员培训，请核实。")
    page.select_option("select[name=indicator_code]", "grid")
    assert page.evaluate(NO_SCROLL) <= 0
    shot("score-detail-town-390")
    with page.expect_navigation():
        page.click("#objections button[type=submit]")
    assert Objection.objects.get().indicator_code == "grid"
    assert "待答复" in page.inner_text("#objections")
