"""Issue #10 items 2 and 3 in a real browser: the district admin imports an enterprise file,
finds the batch under 导入批次 in the user menu, opens it and reverts it; the enterprise is
gone and the revert is a batch of its own, linked both ways."""

import pytest
from openpyxl import Workbook

from xuanpei.audit.models import ImportBatch
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1


def test_the_district_imports_finds_the_batch_and_reverts_it(
    district, login, shot, page, live_server, tmp_path
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    values = {
        "企业名称": "浏览器撤销企业",
        "统一社会信用代码": make_uscc(91),
        "属地": "甲街道",
        "行业领域": "工矿商贸",
    }
    sheet.append([values.get(h, "") for h in HEADERS])
    path = tmp_path / "浏览器导入.xlsx"
    workbook.save(path)

    login("district")
    page.goto(f"{live_server.url}/orgs/enterprises/import/")
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.click("text=确认导入 1 行")
    page.wait_for_selector(".alert-success")
    assert Enterprise.objects.filter(name="浏览器撤销企业").exists()

    # 导入批次 sits in the user menu beside 审计日志.
    page.click(".nav-user")
    page.click(".dropdown-menu >> text=导入批次")
    page.wait_for_selector("#batch-table")
    row = page.locator("#batch-table tbody tr").first
    assert "浏览器导入.xlsx" in row.inner_text()
    shot("batch-list-1280")
    row.locator("a").first.click()
    page.wait_for_selector("#batch-counts")
    assert "浏览器撤销企业" in page.locator("#change-table").inner_text()
    shot("batch-detail-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert fits_width(page)
    shot("batch-detail-390")

    page.click("#revert-button")
    page.wait_for_selector("#revert-plan")
    assert "删除本批次新增的企业 1 个" in page.locator("#revert-plan").inner_text()
    page.fill("#id_reason", "浏览器测试撤销")
    assert fits_width(page)
    shot("batch-revert-390")
    page.click("text=确认撤销")
    page.wait_for_selector("#reverts-note")
    assert "已撤销导入批次" in page.locator(".alert-success").inner_text()
    assert not Enterprise.objects.filter(name="浏览器撤销企业").exists()
    revert = ImportBatch.objects.get(kind=ImportBatch.Kind.REVERT)
    assert page.url.endswith(f"/audit/batches/{revert.pk}/")
    assert page.locator("[data-count=deleted]").inner_text() == "1"
    shot("batch-revert-done-390")

    # The revert batch links back to the batch it undid, which now says who undid it.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#reverts-note a")
    page.wait_for_selector("#reverted-note")
    assert "浏览器测试撤销" in page.locator("#reverted-note").inner_text()
    assert page.locator("#revert-button").count() == 0
    page.goto(f"{live_server.url}/audit/batches/")
    assert page.locator("#batch-table tbody tr").count() == 2
    shot("batch-list-after-revert-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert fits_width(page)
    shot("batch-list-390")
