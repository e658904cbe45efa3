"""Issue #13's done-when for the bulletin: the district generates the Q2 bulletin, edits
下一步工作要求, issues it → a new-town user sees it in its inbox and downloads it.

The Q2 is the last ended one (this year's after June, else last year's); its scores are
factory-built rows (the run as scoring leaves it). Screenshots (XUANPEI_SCREENSHOTS):
bulletin-draft-390, bulletin-edit-390, bulletin-issued-1280, bulletin-inbox-town-390,
bulletin-detail-town-390.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.plan_world import DESKTOP, PHONE, switch_user
from xuanpei.assessment.factories import QuarterRunFactory, UnitScoreFactory
from xuanpei.assessment.models import AssessedKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth - window.innerWidth"
NEXT_STEPS = "东新城于下季度首月内完成网格员补训，持证率须达到100%。"
BULLETIN_PAGE = re.compile(r"/assessment/bulletins/\d+/$")
# A background job (scoring, charts, the document) on a loaded 2-core CI machine: Playwright's
# 30 s ran out once (CI rehearsal of 2026-12-03); the whole flow took 14 s in the run before.
JOB_MS = 120_000


def wait_for_the_job_to_forward(page) -> None:
    """The job page polls every second and forwards to the bulletin when the job is done;
    a job that failed stays on its page, whose text is the failure's message."""
    try:
        page.wait_for_url(BULLETIN_PAGE, timeout=JOB_MS)
    except PlaywrightTimeoutError:
        text = page.inner_text("main")
        raise AssertionError(f"the job did not forward ({page.url}): {text}") from None


def test_district_issues_the_q2_bulletin_and_a_new_town_downloads_it(
    page, login, live_server, district, shot
):
    today = timezone.localdate()
    year = today.year if today.month > 6 else today.year - 1
    run = QuarterRunFactory(unit=district.root, year=year, quarter=2)
    cert = {
        "code": "cert",
        "name": "三项岗位持证率",
        "weight": 10,
        "value": 0.8,
        "score": 8,
        "detail": "持证率80%",
        "records_url": "",
    }
    UnitScoreFactory(run=run, unit=district.town_a_unit, total=Decimal("91"), rank=1, items=[cert])
    UnitScoreFactory(
        run=run,
        unit=district.dept_unit,
        assessed_kind=AssessedKind.DEPARTMENT,
        total=Decimal("95"),
        rank=1,
    )
    base = live_server.url

    login(district.district.username)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/assessment/bulletins/")
    with page.expect_navigation():
        page.click("#bulletin-add")
    page.fill("#id_year", str(year))
    page.select_option("#id_quarter", "2")
    with page.expect_navigation():
        page.click("#bulletin-generate")
    # A background job: its page polls, then forwards to the draft.
    wait_for_the_job_to_forward(page)
    assert "第二季度全区应急管理宣传教育培训工作情况的通报" in page.inner_text("#bulletin-title")
    preview = page.inner_text("#bulletin-preview")
    assert "三项岗位持证率未达标（1个单位）：东新城" in preview
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    shot("bulletin-draft-390")

    with page.expect_navigation():
        page.click("#bulletin-edit")
    page.fill("#id_next_steps", NEXT_STEPS)
    shot("bulletin-edit-390")
    with page.expect_navigation():
        page.click("#bulletin-save")
    assert NEXT_STEPS in page.inner_text("#bulletin-preview")

    with page.expect_navigation():
        page.click("#bulletin-issue")
    code = page.input_value("#id_doc_code")
    assert f"〔{today.year}〕1号" in code
    with page.expect_navigation():
        page.click("#bulletin-issue-confirm")
    wait_for_the_job_to_forward(page)
    assert page.inner_text("#bulletin-status").strip() == "已印发"
    page.set_viewport_size(DESKTOP)
    shot("bulletin-issued-1280")

    switch_user(page, login, district.town_a.username)
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/notifications/")
    item = page.locator(".list-group-item", has_text="季度通报已印发")
    assert item.count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    shot("bulletin-inbox-town-390")
    with page.expect_navigation():
        item.get_by_role("button", name="查看").click()
    assert code in page.inner_text("body")
    assert NEXT_STEPS in page.inner_text("#bulletin-preview")
    assert page.evaluate(NO_SIDEWAYS_SCROLL) <= 0
    shot("bulletin-detail-town-390")
    with page.expect_download() as got:
        page.click("#bulletin-docx")
    download = got.value
    assert download.suggested_filename.endswith(".docx")
    texts = [p.text for p in Document(download.path()).paragraphs]
    assert NEXT_STEPS in texts and code in texts
