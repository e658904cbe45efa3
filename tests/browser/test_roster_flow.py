"""Issue #3's user flow in a real browser: import a roster with errors → read the report →
fix the file → import again → the compliance dashboard changes."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from xuanpei.core.validators import id_check_char
from xuanpei.workforce.models import Certificate, Person
from xuanpei.workforce.roster.plan import HEADERS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def id_number(body17: str) -> str:
    return body17 + id_check_char(body17)


def roster_row(enterprise, name, idn, *, item="1.2"):
    issued = datetime.date.today() - datetime.timedelta(days=200)
    values = {
        "企业统一社会信用代码": enterprise.uscc,
        "企业名称": enterprise.name,
        "姓名": name,
        "身份证号": idn,
        "手机号": "13900001111",
        "岗位": "特种作业人员",
        "证书类型": "特种作业操作证",
        "作业类别": item.split(".")[0],
        "操作项目": item,
        "证书编号": "T" + idn,
        "初领日期": issued.isoformat(),
        "发证日期": issued.isoformat(),
        "有效期至": "",
        "应复审日期": "",
        "实际复审日期": "",
        "发证机关": "测试市应急管理局",
    }
    return [values[h] for h in HEADERS]


def save_roster(path, rows):
    wb = Workbook()
    wb.active.append(HEADERS)
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return str(path)


def test_a_town_imports_a_roster_fixes_it_and_sees_the_rate_change(
    district, workforce_dictionaries, login, shot, tmp_path, live_server
):
    page = login("town_a")
    page.goto(f"{live_server.url}/workforce/compliance/")
    before = page.locator("#kpi-rate").inner_text()
    assert "100" not in before

    good = id_number("61019919900307123")
    bad = "610199199003071240"  # wrong check digit
    first = save_roster(
        tmp_path / "花名册.xlsx",
        [
            roster_row(district.ent_a1, "王建国", good),
            roster_row(district.ent_a1, "李卫东", bad),
        ],
    )
    page.goto(f"{live_server.url}/workforce/roster/import/")
    page.set_input_files("#id_file", first)
    page.click("main form button[type=submit]")
    page.wait_for_selector("#import-errors")
    errors = page.locator("#import-errors").inner_text()
    assert "身份证号" in errors and "3" in errors
    shot("11-roster-preview-errors")
    assert not Person.objects.filter(name__in=["王建国", "李卫东"]).exists()

    with page.expect_download() as report:
        page.click("text=下载错误报告")
    rows = list(
        load_workbook(io.BytesIO(report.value.path().read_bytes())).active.iter_rows(
            values_only=True
        )
    )
    assert any("校验" in str(cell) for row in rows[1:] for cell in row)

    # The person fixes the ID number and uploads again; this time the commit lands.
    fixed = save_roster(
        tmp_path / "花名册-已改.xlsx",
        [
            roster_row(district.ent_a1, "王建国", good),
            roster_row(district.ent_a1, "李卫东", id_number("61019919900307124")),
        ],
    )
    page.goto(f"{live_server.url}/workforce/roster/import/")
    page.set_input_files("#id_file", fixed)
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=确认导入")
    assert page.locator("#import-errors").count() == 0
    page.click("text=确认导入")
    page.wait_for_selector(".alert-success")
    shot("12-roster-committed")
    assert Certificate.objects.filter(enterprise=district.ent_a1, is_current=True).count() == 2

    page.goto(f"{live_server.url}/workforce/compliance/")
    page.wait_for_selector(".chart canvas")
    assert page.locator("#kpi-rate").inner_text().startswith("100")
    shot("13-compliance-after")
