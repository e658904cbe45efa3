"""Issue #2's user flow in a real browser: login → dashboard → search → create with a bad
USCC → import a file with a bad row → export."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def xlsx_file(tmp_path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    path = tmp_path / "企业导入.xlsx"
    wb.save(path)
    return path


def test_a_town_admin_searches_creates_imports_and_exports(district, login, shot, tmp_path):
    page = login("town_a")

    # Dashboard: the chart is drawn (ECharts renders a canvas) and the counts are the town's.
    page.wait_for_selector(".chart canvas")
    shot("01-dashboard")
    assert "西城丙企业" not in page.content()

    # Enterprise search: typing filters the table through htmx.
    # 企业 is a drop-down menu (issue #8 §3): its first entry is the list.
    page.click("nav >> text=企业")
    page.click("nav >> text=企业名录")
    page.fill("#id_q", "东城甲")
    page.wait_for_function(
        "() => !document.querySelector('#enterprise-table').innerText.includes('东城乙企业')"
    )
    assert page.locator("#enterprise-table").get_by_text("东城甲企业").count() >= 1
    shot("02-search")

    # Create with a bad USCC: the Chinese reason shows and nothing is written.
    page.goto(page.url.split("/orgs/")[0] + "/orgs/enterprises/add/")
    page.fill("#id_name", "浏览器测试企业")
    page.fill("#id_uscc", "91610100MA6TXXXX00")
    page.select_option(
        "#id_unit", label=page.locator("#id_unit option", has_text="甲街道").first.inner_text()
    )
    page.select_option("#id_sector", label="工矿商贸")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "统一社会信用代码" in page.locator("main form").inner_text()
    assert page.locator(".invalid-feedback, .errorlist, .text-danger").count() > 0
    shot("03-bad-uscc")
    assert not Enterprise.objects.filter(name="浏览器测试企业").exists()

    # Import a file with one good and one bad row: the preview lists the bad row; nothing written.
    path = xlsx_file(
        tmp_path,
        [
            [
                "导入好企业",
                make_uscc(777),
                "甲街道",
                "",
                "工矿商贸",
                "小型",
                "一般",
                "",
                "",
                "",
                "",
            ],
            ["导入坏企业", "91XX", "甲街道", "", "工矿商贸", "", "", "", "", "", ""],
        ],
    )
    page.goto(page.url.split("/orgs/")[0] + "/orgs/enterprises/import/")
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-errors")
    errors = page.locator("#import-errors").inner_text()
    assert "3" in errors and "统一社会信用代码" in errors
    shot("04-import-preview")
    assert not Enterprise.objects.filter(name__startswith="导入").exists()
    with page.expect_download() as report:
        page.click("text=下载错误报告")
    rows = list(
        load_workbook(io.BytesIO(report.value.path().read_bytes()))["错误列表"].iter_rows(
            values_only=True
        )
    )
    assert any(3 in row or "3" in row for row in rows[1:])

    # Export: the downloaded workbook has the template's columns and only the town's rows.
    page.goto(page.url.split("/orgs/")[0] + "/orgs/enterprises/?q=东城")
    with page.expect_download() as export:
        page.click("text=导出")
    wb = load_workbook(io.BytesIO(export.value.path().read_bytes()))
    values = list(wb.active.iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    assert sorted(r[0] for r in values[1:]) == ["东城乙企业", "东城甲企业"]


def test_the_enterprise_list_is_usable_on_a_phone(district, login, shot, page):
    page.set_viewport_size({"width": 390, "height": 844})
    login("town_a")
    page.goto(page.url.rstrip("/") + "/orgs/enterprises/")
    shot("05-phone-list")
    # No horizontal scrolling of the whole page on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    assert page.locator("text=东城甲企业 >> visible=true").count() >= 1
