"""Grid officers and cadres from xlsx and back (issue #12 item 1), on the foundation's
import contract (docs/architecture.md, "The import and export machinery"): exit codes
0/1/2, the six counts, Excel row numbers, re-importing an export changes nothing, a blank
cell never erases, （清空） clears, one person record per 身份证号."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.training.factories import UnitPostFactory
from xuanpei.training.models import UnitPost
from xuanpei.workforce.factories import PersonFactory, PostFactory, make_id_number
from xuanpei.workforce.models import Person

# The columns the issue names, in its order.
HEADER = ["姓名", "身份证号", "所在单位/网格", "职务", "联系电话", "任职日期", "离任日期"]
ID1, ID2, ID3 = make_id_number(901), make_id_number(902), make_id_number(903)


def grid(*rows, name="grid-officers", user=None, dry_run=False):
    data = xlsx_bytes([HEADER, *rows])
    return run_import(name, data, filename="网格员.xlsx", user=user, dry_run=dry_run)


def cli(tmp_path, *args, rows=None, raw: bytes | None = None):
    path = tmp_path / "in.xlsx"
    path.write_bytes(raw if raw is not None else xlsx_bytes([HEADER, *rows]))
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import", *args, str(path), "--json", stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, json.loads(out.getvalue().strip().splitlines()[-1]), err.getvalue()


def test_new_officers_are_created_with_their_person_keyed_by_id_number(district):
    d = district
    result = grid(
        ["张网格", ID1, "甲社区", "网格长", "13912345678", "2025-01-01", ""],
        ["李网格", ID2, "东新城/甲街道", "", "", "", ""],
    )
    assert (result.rows, result.accepted, result.created) == (2, 2, 2)
    post = UnitPost.objects.get(person__id_number=ID1)
    assert (post.unit, post.role, post.title, post.phone) == (
        d.village_a,
        UnitPost.Role.GRID_OFFICER,
        "网格长",
        "13912345678",
    )
    assert post.start_date == date(2025, 1, 1) and post.end_date is None
    assert Person.objects.get(id_number=ID1).name == "张网格"


def test_an_enterprise_employee_becomes_a_grid_officer_without_a_second_person(district):
    worker = PostFactory(enterprise=district.ent_a1).person
    result = grid([worker.name, worker.id_number, "甲社区", "", "", "", ""])
    assert result.created == 1
    assert Person.objects.filter(id_number=worker.id_number).count() == 1
    assert UnitPost.objects.get().person == worker


def test_a_name_that_differs_from_the_registered_one_is_a_row_error(district):
    PersonFactory(name="王某某", id_number=ID1)
    result = grid(["王某", ID1, "甲社区", "", "", "", ""])
    assert result.rejected == 1 and not UnitPost.objects.exists()
    [error] = result.errors
    assert (error.row, error.column) == (2, "姓名")
    assert "王某某" not in error.message  # never says whose the number is


def test_row_errors_name_the_excel_row_and_column(district):
    result = grid(
        ["甲", ID1, "甲社区", "", "", "", ""],
        ["乙", "110105194912310021", "甲社区", "", "", "", ""],  # wrong check digit
        ["丙", ID3, "不存在的社区", "", "", "", ""],
        ["丁", ID2, "教育局", "", "", "", ""],  # a department is no grid
        ["戊", make_id_number(904), "甲社区", "", "12345", "", ""],
        ["己", make_id_number(905), "甲社区", "", "", "2025-05-01", "2025-04-01"],
    )
    where = {(e.row, e.column) for e in result.errors}
    assert where == {
        (3, "身份证号"),
        (4, "所在单位/网格"),
        (5, "所在单位/网格"),
        (6, "联系电话"),
        (7, "离任日期"),
    }
    assert (result.accepted, result.rejected, result.created) == (1, 5, 1)
    message = {e.row: e.message for e in result.errors}
    assert "网格" in message[5]
    assert "离任日期不能早于任职日期" in message[7]


def test_the_same_post_twice_in_one_file_is_a_duplicate(district):
    result = grid(
        ["甲", ID1, "甲社区", "", "", "", ""],
        ["甲", ID1, "甲社区", "网格长", "", "", ""],
    )
    [error] = result.errors
    assert error.row == 3 and "第 2 行" in error.message
    assert UnitPost.objects.count() == 1


def test_the_same_person_at_two_grids_is_two_posts_and_one_person(district):
    result = grid(["甲", ID1, "甲社区", "", "", "", ""], ["甲", ID1, "甲街道", "", "", "", ""])
    assert result.created == 2
    assert Person.objects.filter(id_number=ID1).count() == 1


def test_reimporting_the_same_file_changes_nothing(district):
    rows = (["甲", ID1, "甲社区", "网格长", "13912345678", "2025-01-01", ""],)
    grid(*rows)
    again = grid(*rows)
    assert (again.accepted, again.created, again.updated, again.unchanged) == (1, 0, 0, 1)


def test_a_blank_cell_keeps_the_stored_value_and_the_clear_marker_clears_it(district):
    grid(["甲", ID1, "甲社区", "网格长", "13912345678", "2025-01-01", ""])
    kept = grid(["甲", ID1, "甲社区", "", "", "", ""])
    assert kept.unchanged == 1
    post = UnitPost.objects.get()
    assert (post.title, post.phone, post.start_date) == ("网格长", "13912345678", date(2025, 1, 1))
    cleared = grid(["甲", ID1, "甲社区", "（清空）", "", "", ""])
    assert cleared.updated == 1
    post.refresh_from_db()
    assert post.title == "" and post.phone == "13912345678"
    assert [(c.field, c.old, c.new) for c in cleared.changes] == [("职务", "网格长", "")]


def test_a_leaving_date_ends_the_on_duty_post(district):
    grid(["甲", ID1, "甲社区", "", "", "2025-01-01", ""])
    result = grid(["甲", ID1, "甲社区", "", "", "", "2025-06-30"])
    assert result.updated == 1
    assert UnitPost.objects.get().end_date == date(2025, 6, 30)


def test_a_unit_imports_only_into_its_own_subtree(district):
    d = district
    result = grid(
        ["甲", ID1, "甲社区", "", "", "", ""],
        ["乙", ID2, "乙镇", "", "", "", ""],
        user=d.town_a,
    )
    assert result.created == 1
    [error] = result.errors
    assert (error.row, error.column) == (3, "所在单位/网格") and "管辖范围" in error.message
    assert not UnitPost.objects.filter(unit=d.town_b_sub).exists()


def test_a_dry_run_writes_nothing(district):
    result = grid(["甲", ID1, "甲社区", "", "", "", ""], dry_run=True)
    assert result.created == 1
    assert not UnitPost.objects.exists() and not Person.objects.filter(id_number=ID1).exists()


def test_cadres_may_serve_at_a_department_and_are_kept_apart_from_grid_officers(district):
    d = district
    result = grid(["甲", ID1, "教育局", "副局长", "", "", ""], name="cadres")
    assert result.created == 1
    assert UnitPost.objects.get().role == UnitPost.Role.CADRE
    assert UnitPost.objects.get().unit == d.dept_unit
    grid(["甲", ID1, "甲社区", "", "", "", ""])
    assert UnitPost.objects.filter(person__id_number=ID1).count() == 2


def test_cli_exit_codes_and_the_six_counts(district, tmp_path):
    code, counts, _err = cli(
        tmp_path, "grid-officers", rows=[["甲", ID1, "甲社区", "", "", "", ""]]
    )
    assert code in (0, None)
    assert counts == {
        "rows": 1,
        "accepted": 1,
        "rejected": 0,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
        "batch_id": counts["batch_id"],
    }
    code, counts, _err = cli(
        tmp_path, "grid-officers", rows=[["乙", "123", "甲社区", "", "", "", ""]]
    )
    assert code == 1 and counts["rejected"] == 1
    code, payload, _err = cli(tmp_path, "grid-officers", raw=b"not a spreadsheet")
    assert code == 2 and "error" in payload


def test_an_export_reimports_unchanged(district, tmp_path):
    d = district
    UnitPostFactory(
        person=PersonFactory(id_number=ID1), unit=d.village_a, title="网格长", phone="029-88886666",
        start_date=date(2024, 1, 1),
    )  # fmt: skip
    UnitPostFactory(
        person=PersonFactory(id_number=ID2), unit=d.street_a,
        start_date=date(2023, 1, 1), end_date=date(2023, 12, 31),
    )  # fmt: skip
    UnitPostFactory(person=PersonFactory(id_number=ID3), unit=d.dept_unit, role="cadre")
    out = tmp_path / "out.xlsx"
    call_command("export", "grid-officers", "--out", str(out), stdout=io.StringIO())
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert len(rows) == 1 + 2  # the header and the two grid officers, not the cadre
    assert ID1 in [r[1] for r in rows]
    code, counts, _err = cli(tmp_path, "grid-officers", raw=out.read_bytes())
    assert code in (0, None)
    assert (counts["rows"], counts["unchanged"], counts["created"], counts["updated"]) == (
        2, 2, 0, 0,
    )  # fmt: skip


@pytest.mark.parametrize("name", ["grid-officers", "cadres"])
def test_an_export_for_a_masked_user_hides_whole_id_numbers(district, name):
    from xuanpei.core.imports.registry import get_exporter

    d = district
    role = "grid_officer" if name == "grid-officers" else "cadre"
    UnitPostFactory(person=PersonFactory(id_number=ID1), unit=d.village_a, role=role)
    exporter = get_exporter(name)(user=d.town_a_viewer)
    buffer = io.BytesIO()
    exporter.write(exporter.queryset(), buffer)
    values = [c for r in load_workbook(buffer).active.iter_rows(values_only=True) for c in r]
    assert ID1 not in values
    assert f"{ID1[:3]}{'*' * 11}{ID1[-4:]}" in values


# The 所在单位/网格 column: whatever the tree's names, the exporter's label of a unit (its
# name when unambiguous, else its path) is read back by the importer as that unit.
NAMES = st.sampled_from(["甲", "乙", "丙", "东", "西"]).map(lambda c: f"{c}村") | st.sampled_from(
    ["甲街道", "乙镇", "东新城"]
)
TREES = st.lists(st.tuples(st.integers(0, 20), NAMES), min_size=1, max_size=8)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(tree=TREES)
def test_a_units_exported_label_reads_back_as_that_unit(db, tree):
    from django.db import transaction

    from xuanpei.orgs.choices import UnitKind
    from xuanpei.orgs.factories import add_unit
    from xuanpei.training.importers import PostUnits

    kinds = [UnitKind.NEW_TOWN, UnitKind.SUBDISTRICT, UnitKind.COMMUNITY]

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            root = add_unit(None, "性质区", UnitKind.DISTRICT)
            units = [root]
            for parent_index, name in tree:
                parent = units[parent_index % len(units)]
                if parent.depth > 3 or any(
                    u.name == name and u.path[:-4] == parent.path for u in units
                ):
                    continue  # siblings have distinct names; four levels at most
                units.append(add_unit(parent, name, kinds[parent.depth - 1]))
            index = PostUnits()
            for unit in units:
                assert index.resolve(index.label(unit)).pk == unit.pk
            raise Rollback
    except Rollback:
        pass
