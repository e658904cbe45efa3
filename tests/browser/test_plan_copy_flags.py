"""Issue #8 item 11 in a real browser: the district copies the 2022 plan for a new year,
the copy lists its year-bound text (〔2022〕3号, 二十大, 疫情防控), 印发 is refused with
what is left named, and after review the plan is issued. Desktop and phone shots."""

import pytest

from tests.browser.plan_world import both_sizes
from xuanpei.plans.choices import PlanStatus
from xuanpei.plans.loader import load_template
from xuanpei.plans.models import Plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_copied_plan_shows_its_year_bound_text_and_is_issued_after_review(
    district, login, shot, live_server
):
    plan = load_template(2022, actor=district.district, issue=True)
    page = login("district")
    page.goto(f"{live_server.url}{plan.get_absolute_url()}")
    page.click("text=复制为下一年度计划")
    page.fill("#id_year", "2023")
    both_sizes(page, shot, "85-plan-copy-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#year-flags")
    flags = page.inner_text("#year-flags")
    assert "XX咸应急发〔2022〕3号" in flags and "二十大" in flags and "疫情防控" in flags
    both_sizes(page, shot, "86-plan-copy-flags")

    page.once("dialog", lambda d: d.accept())
    page.click("#plan-actions >> text=印发")
    page.wait_for_selector(".alert-danger")
    assert "未复核" in page.inner_text(".alert-danger")
    copy = Plan.objects.get(year=2023)
    assert copy.status == PlanStatus.DRAFT

    page.once("dialog", lambda d: d.accept())
    page.click("#year-flags >> text=全部确认保留")
    page.wait_for_selector("#year-flags", state="detached")
    page.once("dialog", lambda d: d.accept())
    page.click("#plan-actions >> text=印发")
    page.wait_for_selector(".alert-success")
    copy.refresh_from_db()
    assert copy.status == PlanStatus.ISSUED
