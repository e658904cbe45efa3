"""Enterprise import and export through the service (issue #2 point 8 and "Bad input")."""

import io

import pytest
from auditlog.models import LogEntry
from django.db import IntegrityError
from openpyxl import load_workbook

from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.core.imports import ImportFileError
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import csv_bytes, xlsx_bytes
from xuanpei.orgs.choices import RiskLevel, UnitKind
from xuanpei.orgs.factories import EnterpriseFactory, add_unit, make_uscc
from xuanpei.orgs.importers import HEADERS, EnterpriseExporter, EnterpriseImporter
from xuanpei.orgs.models import Enterprise

NEW = make_uscc(7)
NEW2 = make_uscc(8)


def row(**values):
    base = {
        "企业名称": "新建甲公司",
        "统一社会信用代码": NEW,
        "属地": "甲街道",
        "行业主管部门": "",
        "行业领域": "工矿商贸",
        "规模": "小型",
        "风险等级": "一般",
        "地址": "",
        "法定代表人": "",
        "安全负责人": "",
        "联系电话": "",
    }
    base.update(values)
    return [base[h] for h in HEADERS]


def sheet(*rows, headers=HEADERS):
    return xlsx_bytes([list(headers), *rows])


def imp(data, user, *, filename="e.xlsx", dry_run=False):
    return run_import("enterprises", data, filename=filename, user=user, dry_run=dry_run)


def messages(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def export_bytes(user):
    exporter = EnterpriseExporter(user=user)
    buffer = io.BytesIO()
    exporter.write(exporter.queryset(), buffer)
    return buffer.getvalue()


def test_a_valid_row_creates_the_enterprise_with_every_column(district):
    data = sheet(
        row(
            行业主管部门="教育局、住建局",
            风险等级="重大风险（红）",
            地址="东路1号",
            法定代表人="王五",
            安全负责人="赵六",
            联系电话="029-88888888",
        )
    )
    result = imp(data, district.town_a)
    assert result.counts() == {
        "rows": 1,
        "accepted": 1,
        "rejected": 0,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    ent = Enterprise.objects.get(uscc=NEW)
    assert (ent.name, ent.unit, ent.sector, ent.scale, ent.risk_level) == (
        "新建甲公司",
        district.street_a,
        district.sector,
        "small",
        RiskLevel.MAJOR,
    )
    assert (ent.address, ent.legal_representative, ent.safety_contact, ent.safety_phone) == (
        "东路1号",
        "王五",
        "赵六",
        "029-88888888",
    )
    assert set(ent.departments.all()) == {district.dept_unit, district.other_dept_unit}
    assert ent.created_by == district.town_a


def test_writes_are_in_the_import_batch_with_the_importing_user(district):
    """Issue #10: a bulk write is audited as one batch, with no LogEntry per object."""
    result = imp(sheet(row()), district.town_a)
    ent = Enterprise.objects.get(uscc=NEW)
    assert not LogEntry.objects.get_for_object(ent).exists()
    batch = ImportBatch.objects.get(pk=result.batch_id)
    assert batch.user == district.town_a
    assert batch.changes.get(object_id=ent.pk).action == ImportBatchRow.Action.CREATED


def test_existing_uscc_updates_and_identical_row_is_unchanged(district):
    ent = district.ent_a1
    first = imp(sheet(row(企业名称="改名公司", 统一社会信用代码=ent.uscc)), district.town_a)
    assert (first.updated, first.created) == (1, 0)
    ent.refresh_from_db()
    assert ent.name == "改名公司"
    entries = LogEntry.objects.get_for_object(ent).count()
    again = imp(sheet(row(企业名称="改名公司", 统一社会信用代码=ent.uscc)), district.town_a)
    assert (again.updated, again.unchanged) == (0, 1)
    assert LogEntry.objects.get_for_object(ent).count() == entries


def test_dry_run_writes_nothing(district):
    before = Enterprise.objects.count()
    result = imp(
        sheet(row(), row(统一社会信用代码=district.ent_a1.uscc)), district.town_a, dry_run=True
    )
    assert (result.created, result.updated) == (1, 1)
    assert Enterprise.objects.count() == before
    district.ent_a1.refresh_from_db()
    assert district.ent_a1.name == "东城甲企业"


def test_malformed_uscc_is_rejected_with_row_column_value_and_reason(district):
    bad = NEW[:-1] + ("0" if NEW[-1] != "0" else "1")
    result = imp(sheet(row(统一社会信用代码="123"), row(统一社会信用代码=bad)), district.town_a)
    assert [(e.row, e.column, e.value) for e in result.errors] == [
        (2, "统一社会信用代码", "123"),
        (3, "统一社会信用代码", bad),
    ]
    assert "18位" in result.errors[0].message
    assert "校验位" in result.errors[1].message
    assert not Enterprise.objects.filter(uscc__in=[bad]).exists()


def test_duplicate_uscc_in_the_file_names_the_first_row(district):
    result = imp(sheet(row(), row(企业名称="另一家")), district.town_a)
    assert (result.accepted, result.rejected) == (1, 1)
    assert messages(result) == [
        (3, "统一社会信用代码", "与第 2 行的统一社会信用代码重复，同一文件中不能出现两次")
    ]


def test_unknown_unit_sector_department_and_choice_are_rejected(district):
    result = imp(
        sheet(row(属地="火星街道", 行业领域="航天", 行业主管部门="教育局、宇航局", 规模="巨型")),
        district.town_a,
    )
    by_column = {e.column: e.message for e in result.errors}
    assert "未找到属地“火星街道”" in by_column["属地"]
    assert "未知的行业领域“航天”" in by_column["行业领域"]
    assert by_column["行业主管部门"] == "未找到行业主管部门：宇航局"
    assert "无法识别的规模“巨型”" in by_column["规模"]
    assert not Enterprise.objects.filter(uscc=NEW).exists()


def test_empty_required_fields_are_each_reported(district):
    result = imp(sheet(row(企业名称="", 属地="", 行业领域="")), district.town_a)
    assert messages(result) == [
        (2, "企业名称", "企业名称不能为空"),
        (2, "属地", "属地不能为空"),
        (2, "行业领域", "行业领域不能为空"),
    ]


def test_ambiguous_unit_name_names_the_candidates_and_a_path_resolves_it(district):
    add_unit(district.town_b_unit, "甲街道", UnitKind.SUBDISTRICT)
    result = imp(sheet(row()), district.district)
    assert "有重名：东新城/甲街道、西新城/甲街道" in result.errors[0].message
    result = imp(sheet(row(属地="东新城/甲街道")), district.district)
    assert result.created == 1
    assert Enterprise.objects.get(uscc=NEW).unit == district.street_a


def test_formula_cell_is_rejected_and_nothing_written(district):
    data = sheet(row(企业名称='=HYPERLINK("http://evil.example","点我")'))
    result = imp(data, district.town_a)
    assert result.errors[0].column == "企业名称"
    assert "公式" in result.errors[0].message
    assert not Enterprise.objects.filter(uscc=NEW).exists()


def test_title_rows_spaced_full_width_and_alias_headers_are_understood(district):
    headers = [" 企业 名称 ", "社会信用代码", "属地＊", "行业领域（必填）", "风险等级"]
    data = xlsx_bytes(
        [headers, ["新建甲公司", NEW.lower(), "甲街道", "工矿商贸", "低风险（蓝）"]],
        title_rows=[["2024年企业名单"], []],
    )
    result = imp(data, district.town_a)
    assert result.created == 1
    bad = xlsx_bytes([headers, ["", NEW, "甲街道", "工矿商贸", ""]], title_rows=[["标题"]])
    assert imp(bad, district.town_a).errors[0].row == 3


def test_gbk_csv_imports(district):
    data = csv_bytes([HEADERS, row()], encoding="gbk")
    result = imp(data, district.town_a, filename="企业.csv")
    assert result.created == 1
    assert Enterprise.objects.get(uscc=NEW).name == "新建甲公司"


def test_header_only_file_is_unreadable(district):
    with pytest.raises(ImportFileError) as exc:
        imp(sheet(), district.town_a)
    assert "没有数据行" in exc.value.message


def test_a_failed_commit_writes_nothing(district, monkeypatch):
    calls = []
    original = EnterpriseImporter.save_row

    def flaky(self, r):
        calls.append(r.number)
        if len(calls) == 2:
            raise IntegrityError("boom")
        original(self, r)

    monkeypatch.setattr(EnterpriseImporter, "save_row", flaky)
    before = Enterprise.objects.count()
    result = imp(sheet(row(), row(统一社会信用代码=NEW2, 企业名称="乙")), district.town_a)
    assert result.error.startswith("提交失败，所有数据均未写入")
    assert (result.created, result.updated) == (0, 0)
    assert Enterprise.objects.count() == before
    assert not LogEntry.objects.filter(object_repr="新建甲公司").exists()


def test_a_town_cannot_import_into_a_sibling_town(district):
    result = imp(sheet(row(属地="乙镇")), district.town_a)
    assert messages(result) == [(2, "属地", "属地“乙镇”不在您的管辖范围内")]
    assert not Enterprise.objects.filter(uscc=NEW).exists()


def test_updating_an_enterprise_outside_scope_is_a_row_error_that_reveals_nothing(district):
    foreign = district.ent_b1
    result = imp(sheet(row(统一社会信用代码=foreign.uscc)), district.town_a)
    assert result.rejected == 1
    message = result.errors[0].message
    assert "不在您的管辖范围内" in message
    assert foreign.name not in message and "乙镇" not in message
    foreign.refresh_from_db()
    assert foreign.name == "西城丙企业"


def test_moving_an_own_enterprise_to_a_sibling_town_is_rejected(district):
    result = imp(sheet(row(统一社会信用代码=district.ent_a1.uscc, 属地="乙镇")), district.town_a)
    assert result.errors[0].column == "属地"
    district.ent_a1.refresh_from_db()
    assert district.ent_a1.unit == district.street_a


def test_a_department_imports_enterprises_it_supervises_anywhere(district):
    ok = row(属地="乙镇", 行业主管部门="教育局")
    foreign = row(统一社会信用代码=NEW2, 属地="乙镇", 行业主管部门="住建局")
    result = imp(sheet(ok, foreign), district.department)
    assert (result.created, result.rejected) == (1, 1)
    assert result.errors[0].row == 3


def test_users_without_the_import_grant_cannot_import(district):
    from django.core.exceptions import PermissionDenied

    for user in (district.town_a_viewer, district.enterprise):
        with pytest.raises(PermissionDenied):
            imp(sheet(row()), user)


def test_new_enterprises_get_the_sectors_default_departments(district):
    district.sector.default_departments.set([district.dept_unit])
    imp(sheet(row()), district.town_a)
    assert list(Enterprise.objects.get(uscc=NEW).departments.all()) == [district.dept_unit]


def test_export_has_the_template_headers_and_only_scoped_rows(district):
    wb = load_workbook(io.BytesIO(export_bytes(district.town_a)))
    rows = list(wb.active.values)
    assert list(rows[0]) == HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["东城乙企业", "东城甲企业"]


def test_export_neutralises_formula_like_cells_and_still_round_trips(district):
    EnterpriseFactory(
        name="=HYPERLINK(1)",
        unit=district.street_a,
        sector=district.sector,
        safety_phone="+8613800000000",
        address="@home",
        legal_representative="-",
    )
    data = export_bytes(district.district)
    values = [c for r in load_workbook(io.BytesIO(data)).active.values for c in r]
    assert "'=HYPERLINK(1)" in values and "'+8613800000000" in values
    assert "'@home" in values and "'-" in values
    assert "=HYPERLINK(1)" not in values
    result = imp(data, district.district)
    assert result.ok and result.unchanged == result.rows == Enterprise.objects.count()


def test_export_then_import_changes_nothing(district):
    district.ent_a1.departments.set([district.dept_unit, district.other_dept_unit])
    add_unit(district.town_b_unit, "甲街道", UnitKind.SUBDISTRICT)  # a repeated name
    counts = LogEntry.objects.count()
    result = imp(export_bytes(district.district), district.district)
    assert result.counts() == {
        "rows": 4,
        "accepted": 4,
        "rejected": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 4,
    }
    assert LogEntry.objects.count() == counts
    town = imp(export_bytes(district.town_a), district.town_a)
    assert (town.rows, town.unchanged) == (2, 2)
