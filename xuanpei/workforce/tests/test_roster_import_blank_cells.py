"""Issue #8 item 1 for the roster: blank cells keep what is stored, （清空） clears, and an
update lists its changes old → new (the set-based SQL path, SQLite and PostgreSQL)."""

from datetime import date

import pytest

from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.workforce.models import Certificate, Person
from xuanpei.workforce.roster.plan import HEADERS
from xuanpei.workforce.tests.roster_data import roster_row

pytestmark = pytest.mark.django_db

STORED = {
    "手机号": "13912345678",
    "初领日期": "2010-03-04",
    "实际复审日期": "2022-01-05",
    "有效期至": "2025-01-01",
    "应复审日期": "2025-01-01",
    "发证机关": "测试市应急管理局",
}
BLANK = {k: "" for k in STORED}


def imp(*rows, user=None, dry_run=False):
    data = xlsx_bytes([HEADERS, *rows])
    return run_import("roster", data, filename="r.xlsx", user=user, dry_run=dry_run)


def certificate():
    cert = Certificate.objects.get(is_current=True)
    return (
        cert.issuing_authority,
        cert.first_issue_date,
        cert.valid_until,
        cert.review_due_date,
        cert.last_review_date,
        cert.kind_id,
        Certificate.objects.count(),
    )


@pytest.fixture
def stored(district):
    uscc = district.ent_a1.uscc
    result = imp(roster_row(uscc, 1, **STORED))
    assert result.ok, result.errors
    return certificate()


def test_blank_optional_cells_keep_the_stored_person_and_certificate(district, stored):
    result = imp(roster_row(district.ent_a1.uscc, 1, **{**BLANK, "证书类型": ""}))
    assert (result.rejected, result.updated, result.unchanged) == (0, 0, 1), result.errors
    assert certificate() == stored
    assert stored[:5] == (
        "测试市应急管理局",
        date(2010, 3, 4),
        date(2025, 1, 1),
        date(2025, 1, 1),
        date(2022, 1, 5),
    )
    assert Person.objects.get().phone == "13912345678"


def test_a_changed_cell_updates_only_that_field(district, stored):
    result = imp(roster_row(district.ent_a1.uscc, 1, **{**BLANK, "发证机关": "另一应急管理局"}))
    assert (result.rejected, result.updated) == (0, 1), result.errors
    assert certificate() == ("另一应急管理局", *stored[1:])


def test_the_clear_marker_empties_phone_authority_and_review_date(district, stored):
    row = roster_row(
        district.ent_a1.uscc,
        1,
        **{**BLANK, "手机号": "（清空）", "发证机关": "(清空)", "实际复审日期": "（清空）"},
    )
    result = imp(row)
    assert (result.rejected, result.updated) == (0, 1), result.errors
    cert = Certificate.objects.get(is_current=True)
    assert (cert.issuing_authority, cert.last_review_date) == ("", None)
    assert cert.first_issue_date == date(2010, 3, 4)  # blank: kept
    assert Person.objects.get().phone == ""


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("姓名", "姓名是必填项，不能清空"),
        ("岗位", "岗位是必填项，不能清空"),
        ("有效期至", "有效期至不能清空：留空即保持原值（新证书按规定推算）"),
    ],
)
def test_a_clear_marker_where_a_value_is_needed_is_a_row_error(district, stored, header, message):
    result = imp(roster_row(district.ent_a1.uscc, 1, **{header: "（清空）"}))
    assert [(e.row, e.column, e.message) for e in result.errors] == [(2, header, message)]
    assert certificate() == stored


def test_the_preview_lists_person_and_certificate_changes_old_to_new(district, stored):
    row = roster_row(
        district.ent_a1.uscc,
        1,
        **{**BLANK, "发证机关": "另一应急管理局", "姓名": "新名字", "实际复审日期": "（清空）"},
    )
    result = imp(row, dry_run=True)
    number = Certificate.objects.get().number
    assert sorted((c.row, c.object, c.field, c.old, c.new) for c in result.changes) == sorted(
        [
            (2, f"新名字（{number}）", "姓名", "人员0000001", "新名字"),
            (2, f"新名字（{number}）", "发证机关", "测试市应急管理局", "另一应急管理局"),
            (2, f"新名字（{number}）", "实际复审日期", "2022-01-05", ""),
            # Without the review, the next one is due 3 years after the issue (2019-01-02).
            (2, f"新名字（{number}）", "应复审日期", "2025-01-01", "2022-01-02"),
        ]
    )
    assert certificate() == stored  # a dry run


def test_the_roster_template_offers_post_kind_and_catalogue_drop_downs(district):
    import io

    from openpyxl import load_workbook

    from xuanpei.core.imports.template import write_template
    from xuanpei.workforce.importers import RosterImporter

    buffer = io.BytesIO()
    write_template(RosterImporter(user=district.district), buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = workbook.worksheets[0]
    validated = set()
    for validation in sheet.data_validations.dataValidation:
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        validated.add(sheet[f"{column}1"].value)
    assert {"岗位", "证书类型", "作业类别", "操作项目"} <= validated
    options = {c for row in workbook["选项"].values for c in row if c}
    assert {"特种作业人员", "特种作业操作证", "1 电工作业", "1.1 高压电工作业"} <= options
    # None of these may be cleared (they say what the post and certificate are).
    assert "（清空）" not in options
