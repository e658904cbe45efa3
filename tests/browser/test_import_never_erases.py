"""Issue #8 items 1 and 10 in a real browser: a partial enterprise file is previewed with
its field changes old → new, and committing it leaves the blank fields untouched."""

import pytest
from openpyxl import Workbook

from xuanpei.orgs.choices import EnterpriseScale, RiskLevel
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([row.get(h, "") for h in HEADERS])
    workbook.save(path)
    return str(path)


def stored(pk):
    ent = Enterprise.objects.get(pk=pk)
    return (
        sorted(d.name for d in ent.departments.all()),
        ent.scale,
        ent.risk_level,
        ent.address,
        ent.legal_representative,
        ent.safety_contact,
        ent.safety_phone,
    )


def test_a_partial_file_shows_its_changes_and_keeps_the_blank_fields(
    district, login, shot, page, live_server, tmp_path
):
    ent = district.ent_a1
    ent.departments.set([district.dept_unit])
    Enterprise.objects.filter(pk=ent.pk).update(
        scale=EnterpriseScale.LARGE,
        risk_level=RiskLevel.HIGH,
        address="东路1号",
        legal_representative="王五",
        safety_contact="赵六",
        safety_phone="029-88888888",
    )
    # Only the four required cells, plus one changed field; and a bad row for the error table.
    path = save(
        tmp_path / "企业-部分.xlsx",
        [
            {
                "企业名称": ent.name,
                "统一社会信用代码": ent.uscc,
                "属地": "甲街道",
                "行业领域": "工矿商贸",
                "风险等级": "重大",
            },
            {
                "企业名称": "坏企业",
                "统一社会信用代码": make_uscc(31)[:-1] + "0",
                "属地": "甲街道",
                "行业领域": "工矿商贸",
            },
        ],
    )
    login("town_a")
    page.goto(f"{live_server.url}/orgs/enterprises/import/")
    page.set_input_files("#id_file", path)
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-changes")

    changes = " ".join(page.locator("#import-changes").inner_text().split())
    assert "风险等级 较大风险（橙） → 重大风险（红）" in changes
    assert "地址" not in changes and "联系电话" not in changes  # blank: kept, not changed
    errors = page.locator("#import-errors")
    assert errors.locator("td.import-bad").count() == 1
    assert "91" in errors.locator("td.import-bad").inner_text()
    assert "统一社会信用代码：" in errors.locator("td.import-reason").inner_text()
    assert "校验" in errors.locator("td.import-bad").get_attribute("title")
    # The confirm button sits above the lists and does not cover them.
    button = page.locator("text=确认导入 1 行").bounding_box()
    table = errors.bounding_box()
    assert button["y"] + button["height"] <= table["y"]
    shot("import-never-erases-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    # On a phone the credit code stays on one line (the table scrolls sideways instead).
    code = errors.locator("td.import-bad.import-code .import-value").first
    box = code.bounding_box()
    assert box["height"] < 30, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    shot("import-never-erases-390")

    page.click("text=确认导入 1 行")
    page.wait_for_selector(".alert-success")
    assert "更新 1 条" in page.locator(".alert-success").inner_text()
    shot("import-never-erases-committed-390")
    assert stored(ent.pk) == (
        ["教育局"],
        "large",
        "major",
        "东路1号",
        "王五",
        "赵六",
        "029-88888888",
    )
