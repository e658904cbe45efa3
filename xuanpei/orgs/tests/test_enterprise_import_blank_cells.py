"""Issue #8 item 1: an import never erases — blank cells keep, （清空） clears, changes are listed."""

import io

from openpyxl import load_workbook

from xuanpei.core.imports.report import write_error_report
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.template import write_template
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.orgs.choices import EnterpriseScale, RiskLevel
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS, EnterpriseImporter
from xuanpei.orgs.models import Enterprise

NEW = make_uscc(4242)


def imp(data, user=None, *, dry_run=False):
    return run_import("enterprises", data, filename="e.xlsx", user=user, dry_run=dry_run)


def only_keys(ent, **changed):
    """The enterprise's row with only the four required cells filled (the issue's repro)."""
    cells = {
        "企业名称": ent.name,
        "统一社会信用代码": ent.uscc,
        "属地": "甲街道",
        "行业领域": ent.sector.name,
        **changed,
    }
    return xlsx_bytes([HEADERS, [cells.get(h, "") for h in HEADERS]])


def stored(ent):
    ent = Enterprise.objects.get(pk=ent.pk)
    return {
        "departments": sorted(d.name for d in ent.departments.all()),
        "scale": ent.scale,
        "risk_level": ent.risk_level,
        "address": ent.address,
        "legal_representative": ent.legal_representative,
        "safety_contact": ent.safety_contact,
        "safety_phone": ent.safety_phone,
    }


def full(district):
    ent = district.ent_a1
    ent.departments.set([district.dept_unit, district.other_dept_unit])
    Enterprise.objects.filter(pk=ent.pk).update(
        scale=EnterpriseScale.LARGE,
        risk_level=RiskLevel.HIGH,
        address="东路1号",
        legal_representative="王五",
        safety_contact="赵六",
        safety_phone="029-88888888",
    )
    return Enterprise.objects.get(pk=ent.pk)


KEPT = {
    "departments": ["住建局", "教育局"],
    "scale": "large",
    "risk_level": "high",
    "address": "东路1号",
    "legal_representative": "王五",
    "safety_contact": "赵六",
    "safety_phone": "029-88888888",
}


def test_blank_optional_cells_of_an_existing_enterprise_keep_the_stored_values(district):
    ent = full(district)
    result = imp(only_keys(ent))
    assert (result.updated, result.unchanged, result.rejected) == (0, 1, 0)
    assert stored(ent) == KEPT


def test_a_changed_cell_updates_only_that_field_and_blank_cells_stay(district):
    ent = full(district)
    result = imp(only_keys(ent, 地址="西路9号"), district.town_a)
    assert (result.updated, result.rejected) == (1, 0)
    assert stored(ent) == {**KEPT, "address": "西路9号"}


def test_the_clear_marker_in_either_width_empties_optional_fields(district):
    ent = full(district)
    data = only_keys(
        ent, 地址="（清空）", 联系电话="(清空)", 行业主管部门="（ 清空 ）", 规模="（清空）"
    )
    result = imp(data, district.town_a)
    assert (result.updated, result.rejected) == (1, 0)
    assert stored(ent) == {
        **KEPT,
        "departments": [],
        "scale": "",
        "address": "",
        "safety_phone": "",
    }


def test_a_clear_marker_on_a_required_field_is_a_row_error(district):
    ent = full(district)
    result = imp(only_keys(ent, 行业领域="（清空）"), district.town_a)
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "行业领域", "行业领域是必填项，不能清空")
    ]
    assert stored(ent) == KEPT


def test_a_blank_cell_of_a_new_enterprise_is_just_empty(district):
    ent = full(district)
    data = xlsx_bytes([HEADERS, ["新企业", NEW, "甲街道", "", "工矿商贸", "", "", "", "", "", ""]])
    result = imp(data)
    assert (result.created, result.rejected) == (1, 0), result.errors
    assert Enterprise.objects.get(uscc=NEW).address == ""
    assert stored(ent) == KEPT


def test_the_preview_lists_each_changed_field_with_old_and_new_in_chinese(district):
    ent = full(district)
    data = only_keys(
        ent, 风险等级="重大", 行业主管部门="教育局", 地址="（清空）", 属地="东新城/甲街道"
    )
    result = imp(data, district.town_a, dry_run=True)
    changes = [(c.row, c.object, c.field, c.old, c.new) for c in result.changes]
    label = f"东城甲企业（{ent.uscc}）"
    assert sorted(changes) == sorted(
        [
            (2, label, "行业主管部门", "住建局、教育局", "教育局"),
            (2, label, "风险等级", "较大风险（橙）", "重大风险（红）"),
            (2, label, "地址", "东路1号", ""),
        ]
    )
    assert stored(ent) == KEPT  # a dry run
    assert result.to_dict()["changes"][0]["row"] == 2
    assert result.to_dict()["changes_total"] == 3


def test_a_changed_unit_is_shown_by_name(district):
    ent = full(district)
    result = imp(only_keys(ent, 属地="乙镇"), dry_run=True)
    assert [(c.field, c.old, c.new) for c in result.changes] == [("属地", "甲街道", "乙镇")]


def test_the_report_carries_the_changes_on_a_sheet_of_their_own(district):
    ent = full(district)
    result = imp(only_keys(ent, 地址="西路9号"), dry_run=True)
    buffer = io.BytesIO()
    write_error_report(result.errors, buffer, changes=result.changes)
    sheet = load_workbook(io.BytesIO(buffer.getvalue()))["变更明细"]
    assert [list(r) for r in sheet.values] == [
        ["行号", "对象", "字段", "原值", "新值"],
        [2, f"东城甲企业（{ent.uscc}）", "地址", "东路1号", "西路9号"],
    ]


def test_the_template_explains_blank_and_clear_and_offers_drop_downs(district):
    buffer = io.BytesIO()
    write_template(EnterpriseImporter(user=district.district), buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    notes = " ".join(str(c) for row in workbook["填写说明"].values for c in row if c)
    assert "（清空）" in notes and "留空" in notes
    sheet = workbook.worksheets[0]
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        lists[sheet[f"{column}1"].value] = validation.formula1
    assert {"规模", "风险等级", "行业领域"} <= set(lists)
    options = workbook["选项"]
    values = {c for row in options.values for c in row if c}
    assert {"大型", "微型", "重大风险（红）", "低风险（蓝）", "工矿商贸", "（清空）"} <= values
