"""The assessment dashboards (issue #13 item 4) in a browser: the district cockpit on a
1920×1080 wall screen, a 1280 desktop and a 390 phone (no sideways scroll, its charts
drawn), and a new town's own dashboard on a phone, its points lost linking to records."""

import pytest

from xuanpei.assessment.tests.test_dashboards import build_scored_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1920, "height": 1080}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def overflow(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def drawn(page, selector) -> bool:
    """An ECharts box holds a canvas of its own size (the chart was drawn)."""
    return page.locator(f"{selector} canvas").first.evaluate("c => c.width > 0 && c.height > 0")


def test_the_cockpit_on_a_wall_a_desktop_and_a_phone(district, login, page, live_server, shot):
    build_scored_world(district)
    login("district")
    for label, size in (("1920", WALL), ("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/assessment/cockpit/?period=2026Q2")
        page.wait_for_selector("#cockpit-ranking canvas")
        shot(f"assessment-cockpit-{label}")
        assert overflow(page) <= 0, f"the cockpit scrolls sideways at {label} px"
        for chart in ("#cockpit-trend", "#cockpit-averages", "#cockpit-ranking"):
            assert drawn(page, chart), (label, chart)
        assert page.locator(".unit-tile").count() == 5
        assert (
            page.locator('[data-figure="activities"] .cockpit-figure-value')
            .inner_text()
            .startswith("3")
        )
    # A tile opens that unit's dashboard.
    page.locator(".unit-tile", has_text="西新城").click()
    page.wait_for_selector("#points-lost")
    assert "第2名/共2个同类单位" in page.inner_text("body")


def test_a_new_towns_dashboard_on_a_phone(district, login, page, live_server, shot):
    build_scored_world(district)
    login("town_a")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/assessment/mine/?period=2026Q2")
    page.wait_for_selector("#unit-lost canvas")
    shot("assessment-unit-dashboard-390")
    assert overflow(page) <= 0
    assert drawn(page, "#unit-lost") and drawn(page, "#unit-history")
    codes = page.locator("#points-lost [data-code]").evaluate_all(
        "els => els.map(e => e.dataset.code)"
    )
    assert codes == ["cert", "inspect", "plan", "media"]
    # The picker offers 东新城 and its 镇街, never 西新城.
    options = page.locator("#unit-picker option").all_inner_texts()
    assert [o.split("（")[0] for o in options] == ["东新城", "甲街道"]
    page.locator("#points-lost a", has_text="计划任务按时完成").first.click()
    page.wait_for_load_state()
    assert "/plans/inbox/" in page.url
