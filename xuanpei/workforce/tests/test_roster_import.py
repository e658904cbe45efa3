"""Roster import (issue #3 point 5): rows, bad input, upserts, versions, audit and scope.

Runs on SQLite and, with DATABASE_URL pointing at PostgreSQL, on the COPY path.
"""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.core.imports import ImportFileError
from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import csv_bytes, xlsx_bytes
from xuanpei.workforce.factories import make_id_number
from xuanpei.workforce.models import Certificate, ComplianceSnapshot, Person, Post
from xuanpei.workforce.roster.plan import HEADERS
from xuanpei.workforce.tests.roster_data import roster_row, uncertified_row

COUNT_KEYS = ("rows", "accepted", "rejected", "created", "updated", "unchanged")


def counts(result):
    return tuple(result.counts()[k] for k in COUNT_KEYS)


def sheet(*rows, headers=HEADERS, title_rows=None):
    return xlsx_bytes([list(headers), *rows], title_rows=title_rows)


def imp(data, user=None, *, filename="r.xlsx", **kwargs):
    return run_import("roster", data, filename=filename, user=user, **kwargs)


def errors(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def state():
    """Everything an import may write, as comparable values."""
    return (
        sorted(Person.objects.values_list("id_number", "name", "phone")),
        sorted(
            Post.objects.values_list(
                "person__id_number", "enterprise_id", "post_type_id", "operation_item_id"
            )
        ),
        sorted(
            Certificate.objects.values_list(
                "number",
                "is_current",
                "issue_date",
                "valid_until",
                "review_due_date",
                "last_review_date",
                "origin",
            )
        ),
        LogEntry.objects.count(),
    )


@pytest.fixture
def ent(district):
    return district.ent_a1


def test_a_valid_row_creates_person_post_and_certificate_with_derived_dates(district, ent):
    result = imp(sheet(roster_row(ent.uscc, 1)), district.district)
    assert counts(result) == (1, 1, 0, 1, 0, 0), errors(result)
    person = Person.objects.get(id_number=make_id_number(1))
    assert (person.name, person.phone, person.gender) == ("人员0000001", "13900000001", "female")
    post = Post.objects.get(person=person)
    assert (post.enterprise, post.post_type_id, post.operation_item.code) == (
        ent,
        "special_operation",
        "1.1",
    )
    cert = Certificate.objects.get(holder=person)
    assert cert.number == "T" + person.id_number
    assert (cert.kind_id, cert.operation_item_id, cert.enterprise) == (
        "special_operation",
        post.operation_item_id,
        ent,
    )
    # 6 years valid, review 3 years after issue (rules.py).
    assert cert.issue_date == date(2019, 1, 2)
    assert cert.valid_until == date(2025, 1, 2)
    assert cert.review_due_date == date(2022, 1, 2)
    assert (cert.is_current, cert.origin, cert.effective_from) == (True, "issued", cert.issue_date)


def test_the_bulk_path_is_audited_as_one_batch_without_log_entries(district, ent):
    """Issue #10: one ImportBatch with a change row per object, no LogEntry per object."""
    result = imp(sheet(roster_row(ent.uscc, 1)), district.district, remote_addr="10.1.2.3")
    batch = ImportBatch.objects.get()
    assert result.batch_id == batch.pk
    assert (batch.importer, batch.user, batch.remote_addr) == (
        "roster",
        district.district,
        "10.1.2.3",
    )
    assert (batch.rows, batch.accepted, batch.created) == (1, 1, 1)
    person, post, cert = Person.objects.get(), Post.objects.get(), Certificate.objects.get()
    rows = {(r.content_type.model_class(), r.object_id): r for r in batch.changes.all()}
    assert set(rows) == {(Person, person.pk), (Post, post.pk), (Certificate, cert.pk)}
    assert {(r.row_number, r.action) for r in rows.values()} == {(2, ImportBatchRow.Action.CREATED)}
    assert rows[Person, person.pk].object_repr == person.name
    assert rows[Certificate, cert.pk].object_repr == cert.number
    assert not LogEntry.objects.filter(
        content_type__in=ContentType.objects.get_for_models(Person, Post, Certificate).values()
    ).exists()


def test_reimporting_the_same_file_changes_nothing(district, ent):
    data = sheet(*(roster_row(ent.uscc, n) for n in range(1, 6)))
    assert counts(imp(data, district.district)) == (5, 5, 0, 5, 0, 0)
    before = state()
    again = imp(data, district.district)
    assert counts(again) == (5, 5, 0, 0, 0, 5)
    assert state() == before


def test_dry_run_writes_nothing(district, ent):
    before = state()
    result = imp(sheet(roster_row(ent.uscc, 1)), district.district, dry_run=True)
    assert counts(result) == (1, 1, 0, 1, 0, 0)
    assert result.outcomes[0][:2] == (2, "created")
    assert state() == before


def test_commit_lands_valid_rows_and_reports_bad_ones(district, ent):
    bad = roster_row(ent.uscc, 2, 身份证号=make_id_number(2)[:-1] + "0")
    result = imp(sheet(roster_row(ent.uscc, 1), bad), district.district)
    assert counts(result)[:4] == (2, 1, 1, 1)
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert "校验位" in result.errors[0].message
    assert Person.objects.count() == 1


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(district, ent):
    before = state()
    bad = roster_row(ent.uscc, 2, 岗位="宇航员")
    result = imp(sheet(roster_row(ent.uscc, 1), bad), district.district, all_or_nothing=True)
    assert result.error and "均未写入" in result.error
    assert (result.rejected, result.created) == (1, 0)
    assert state() == before


def test_a_later_review_date_adds_a_review_version(district, ent):
    imp(sheet(roster_row(ent.uscc, 1)), district.district)
    old = Certificate.objects.get()
    result = imp(sheet(roster_row(ent.uscc, 1, 实际复审日期="2021年12月1日")), district.district)
    assert counts(result) == (1, 1, 0, 0, 1, 0), errors(result)
    new = Certificate.objects.get(is_current=True)
    old.refresh_from_db()
    assert (old.is_current, old.superseded_on) == (False, date(2021, 12, 1))
    assert (new.previous, new.origin, new.effective_from) == (old, "reviewed", date(2021, 12, 1))
    assert new.last_review_date == date(2021, 12, 1)
    assert new.review_due_date == date(2025, 1, 2) or new.review_due_date is None
    # The same file again: unchanged.
    again = imp(sheet(roster_row(ent.uscc, 1, 实际复审日期="2021-12-01")), district.district)
    assert counts(again) == (1, 1, 0, 0, 0, 1)


def test_a_later_issue_date_adds_a_renewal_and_other_changes_update_in_place(district, ent):
    imp(sheet(roster_row(ent.uscc, 1)), district.district)
    result = imp(sheet(roster_row(ent.uscc, 1, 发证机关="另一应急管理局")), district.district)
    assert counts(result) == (1, 1, 0, 0, 1, 0)
    assert Certificate.objects.get().issuing_authority == "另一应急管理局"
    result = imp(
        sheet(roster_row(ent.uscc, 1, 发证日期="2024-05-06", 发证机关="另一应急管理局")),
        district.district,
    )
    assert counts(result) == (1, 1, 0, 0, 1, 0)
    current = Certificate.objects.get(is_current=True)
    assert (current.origin, current.issue_date, current.valid_until) == (
        "renewed",
        date(2024, 5, 6),
        date(2030, 5, 6),
    )
    assert Certificate.objects.filter(is_current=False).count() == 1


# Bad input (issue #3 "every bad-input case") ------------------------------------------


def one_error(ent, user, **values):
    result = imp(sheet(roster_row(ent.uscc, 1), roster_row(ent.uscc, 2, **values)), user)
    assert (result.rows, result.accepted, result.rejected) == (2, 1, 1), errors(result)
    assert {e.row for e in result.errors} == {3}
    return result.errors


@pytest.mark.parametrize(
    ("values", "column", "fragment"),
    [
        ({"身份证号": make_id_number(2)[:-1] + "0"}, "身份证号", "校验位"),
        ({"身份证号": "610199600101001"}, "身份证号", "15位"),
        ({"岗位": "宇航员"}, "岗位", "无法识别的岗位"),
        ({"操作项目": "99.9"}, "操作项目", "没有操作项目"),
        ({"作业类别": "2", "操作项目": "1.1"}, "操作项目", "不属于作业类别"),
        ({"操作项目": "", "作业类别": ""}, "操作项目", "须填写操作项目"),
        ({"发证日期": "2022-13-45"}, "发证日期", "不存在"),
        ({"发证日期": "去年春天"}, "发证日期", "无法识别的日期"),
        ({"有效期至": "2018-01-01"}, "有效期至", "早于发证日期"),
        ({"证书类型": "驾驶证"}, "证书类型", "无法识别的证书类型"),
        ({"证书类型": "安全生产知识和管理能力考核合格证"}, "证书类型", "与岗位不符"),
        ({"证书编号": ""}, "证书编号", "缺少证书编号"),
        ({"姓名": ""}, "姓名", "不能为空"),
        ({"企业统一社会信用代码": "91610000000000000X"}, "企业统一社会信用代码", ""),
        ({"手机号": "139****0002"}, "手机号", "脱敏"),
        ({"姓名": '=HYPERLINK("http://x","a")'}, "姓名", "公式"),
    ],
)
def test_each_bad_cell_rejects_its_row_naming_row_column_and_reason(
    district, ent, values, column, fragment
):
    found = one_error(ent, district.district, **values)
    assert [e.column for e in found] == [column], found
    assert fragment in found[0].message


def test_a_certificate_number_breaking_the_kinds_rule_is_not_rejected(district, ent):
    # "T" + ID is the convention; a different number is an integrity flag, not a refusal.
    result = imp(sheet(roster_row(ent.uscc, 1, 证书编号="TX12345")), district.district)
    assert counts(result) == (1, 1, 0, 1, 0, 0), errors(result)


def test_one_certificate_number_for_two_people_in_the_file_rejects_the_second(district, ent):
    number = "T" + make_id_number(1)
    result = imp(
        sheet(roster_row(ent.uscc, 1), roster_row(ent.uscc, 2, 证书编号=number)),
        district.district,
    )
    assert errors(result) == [(3, "证书编号", "与第 2 行的证书编号相同，但身份证号不同")]
    assert Certificate.objects.count() == 1


def test_a_number_registered_to_someone_else_is_rejected_without_saying_whose(district, ent):
    imp(sheet(roster_row(ent.uscc, 1)), district.district)
    result = imp(
        sheet(roster_row(ent.uscc, 2, 证书编号="T" + make_id_number(1))), district.district
    )
    assert errors(result) == [(2, "证书编号", "该证书编号已登记在其他人员名下，请核对证书编号")]


def test_the_same_person_with_two_names_or_the_same_post_twice_is_rejected(district, ent):
    result = imp(
        sheet(
            roster_row(ent.uscc, 1),
            uncertified_row(ent.uscc, 1, 姓名="别名"),
            uncertified_row(ent.uscc, 1),
        ),
        district.district,
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "姓名"), (4, "岗位")]
    assert "第 2 行" in result.errors[1].message


def test_a_formula_cell_is_rejected(district, ent):
    row = roster_row(ent.uscc, 2)
    row[HEADERS.index("发证机关")] = '=HYPERLINK("http://evil","x")'
    result = imp(sheet(roster_row(ent.uscc, 1), row), district.district)
    assert [(e.row, e.column) for e in result.errors] == [(3, "发证机关")]
    assert "公式" in result.errors[0].message


def test_title_rows_full_width_stray_spaces_lowercase_x_and_header_variants(district, ent):
    idn = make_id_number(7)
    assert idn.endswith("X") or True
    full = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in idn.lower())
    headers = list(HEADERS)
    headers[HEADERS.index("身份证号")] = "证件号码"
    headers[HEADERS.index("证书编号")] = "证号"
    headers[HEADERS.index("有效期至")] = "有效期"
    row = roster_row(
        " " + ent.uscc.lower() + " ",
        7,
        身份证号=full,
        姓名=" 王 五 ",
        发证日期="2020年3月5日",
        初领日期="2020.3.5",
        有效期至="2026/3/5",
        证书编号="ｔ" + idn.lower(),
    )
    result = imp(
        sheet(row, headers=headers, title_rows=[["2024年持证人员名册"], []]), district.district
    )
    assert counts(result) == (1, 1, 0, 1, 0, 0), errors(result)
    cert = Certificate.objects.get()
    assert (cert.holder.id_number, cert.holder.name, cert.number) == (idn, "王五", "T" + idn)
    assert (cert.issue_date, cert.first_issue_date, cert.valid_until) == (
        date(2020, 3, 5),
        date(2020, 3, 5),
        date(2026, 3, 5),
    )


def test_excel_date_serials_are_read_as_dates(district, ent):
    result = imp(sheet(roster_row(ent.uscc, 1, 发证日期=44625, 初领日期=44625)), district.district)
    assert counts(result)[:3] == (1, 1, 0), errors(result)
    assert Certificate.objects.get().issue_date == date(2022, 3, 5)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_in_gbk_or_utf8_imports(district, ent, encoding):
    data = csv_bytes([HEADERS, roster_row(ent.uscc, 1)], encoding=encoding)
    result = imp(data, district.district, filename="r.csv")
    assert counts(result) == (1, 1, 0, 1, 0, 0), errors(result)


def test_a_row_without_certificate_columns_is_an_uncertified_post(district, ent):
    headers = ["姓名", "身份证号", "岗位", "企业统一社会信用代码"]
    result = imp(
        xlsx_bytes([headers, ["张三", make_id_number(3), "主要负责人", ent.uscc]]),
        district.district,
    )
    assert counts(result) == (1, 1, 0, 1, 0, 0), errors(result)
    post = Post.objects.get()
    assert (post.post_type_id, Certificate.objects.count()) == ("principal", 0)


def test_a_file_without_data_rows_is_a_file_error(district):
    with pytest.raises(ImportFileError):
        imp(sheet(), district.district)


# Scope ----------------------------------------------------------------------------------


def test_an_enterprise_user_imports_only_its_own_roster(district):
    own, other = district.ent_a1, district.ent_a2
    result = imp(
        sheet(roster_row("", 1), roster_row(own.uscc, 2), roster_row(other.uscc, 3)),
        district.enterprise,
    )
    assert (result.accepted, result.rejected) == (2, 1)
    assert errors(result) == [
        (4, "企业统一社会信用代码", "该企业不在您的管辖范围内，不能导入其人员")
    ]
    assert set(Post.objects.values_list("enterprise", flat=True)) == {own.pk}


def test_a_unit_user_imports_only_enterprises_in_its_territory(district):
    result = imp(
        sheet(roster_row(district.ent_a2.uscc, 1), roster_row(district.ent_b1.uscc, 2)),
        district.town_a,
    )
    assert [(e.row, e.column) for e in result.errors] == [(3, "企业统一社会信用代码")]
    assert Post.objects.get().enterprise == district.ent_a2


def test_a_certificate_registered_outside_the_users_scope_cannot_be_changed(district):
    imp(sheet(roster_row(district.ent_b1.uscc, 1)), district.district)
    result = imp(sheet(roster_row(district.ent_a1.uscc, 1, 发证机关="改")), district.town_a)
    assert [(e.column, e.message) for e in result.errors] == [
        ("证书编号", "该证书已由您管辖范围以外的企业登记，不能导入或修改")
    ]


def test_the_enterprise_option_makes_every_row_that_enterprises(district):
    ent = district.ent_a2
    result = imp(
        sheet(roster_row("", 1), roster_row(ent.uscc, 2), roster_row(district.ent_a1.uscc, 3)),
        district.town_a,
        options={"enterprise": ent.uscc},
    )
    assert [(e.row, e.column) for e in result.errors] == [(4, "企业统一社会信用代码")]
    assert set(Post.objects.values_list("enterprise", flat=True)) == {ent.pk}


def test_the_enterprise_option_outside_the_scope_is_a_file_error(district):
    with pytest.raises(ImportFileError):
        imp(sheet(roster_row("", 1)), district.town_a, options={"enterprise": district.ent_b1.uscc})


def test_a_read_only_user_may_not_import(district):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        imp(sheet(roster_row(district.ent_a1.uscc, 1)), district.town_a_viewer)


def test_a_commit_refreshes_todays_compliance_snapshot_of_touched_enterprises(district, ent):
    # Today already has snapshots (the daily job ran): the import must bring ent's up to date.
    # Without one, refresh_snapshots leaves the day to the first reader (compliance.py).
    ComplianceSnapshot.objects.create(enterprise=ent, on=date.today(), required=0, compliant=0)
    imp(
        sheet(
            roster_row(
                ent.uscc,
                1,
                发证日期=date.today().replace(year=date.today().year - 1).isoformat(),
                初领日期="",
            )
        ),
        district.district,
    )
    snapshot = ComplianceSnapshot.objects.get(enterprise=ent, on=date.today())
    assert (snapshot.required, snapshot.compliant) == (1, 1)
