"""`xuanpei plan export YEAR` / `xuanpei plan import YEAR FILE` (issue #4 §7): the plan's two
attachment tables in one workbook, out and back in, with the exit codes of `xuanpei import`."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans.loader import load_template
from xuanpei.plans.models import Task
from xuanpei.plans.tables import PUBLICITY, TRAINING
from xuanpei.plans.tests.shared_world import built_once, copies

# One worker runs the module (`make test` uses --dist loadgroup): the plan is loaded once.
pytestmark = pytest.mark.xdist_group("plan_command_io")


@pytest.fixture(scope="module")
def _issued_2022(django_db_setup, django_db_blocker):
    """The persona district with its 应急管理局 and the issued 2022 plan, loaded once for
    the module; each test runs in a savepoint inside (see shared_world.py)."""
    from tests.personas import build_district

    with built_once(django_db_blocker):
        district = build_district()
        add_unit(district.root, "应急管理局", UnitKind.DEPARTMENT)
        yield district, load_template(2022, actor=district.district, issue=True)


@pytest.fixture
def _world(_issued_2022, db):
    return copies(_issued_2022)


@pytest.fixture
def district(_world):
    return _world[0]


@pytest.fixture
def plan(_world):
    return _world[1]


def run(*args):
    """(exit code, stdout, stderr) of `xuanpei plan ARGS` run in-process."""
    out, err = StringIO(), StringIO()
    try:
        call_command("plan", *map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def exported(plan, tmp_path):
    path = tmp_path / "2022年计划.xlsx"
    code, out, err = run("export", "2022", "--out", path)
    assert (code, err) == (0, ""), err
    return path


def edit(path, target, changes):
    """Save a copy of the workbook with {(sheet, row, header): value} changed."""
    workbook = load_workbook(path)
    for (sheet_no, row, header), value in changes.items():
        sheet = workbook.worksheets[sheet_no]
        column = [c.value for c in sheet[2]].index(header) + 1
        sheet.cell(row=row, column=column, value=value)
    workbook.save(target)
    return target


def titles():
    return dict(Task.objects.values_list("number", "title"))


# ------------------------------------------------------------------ export


def test_export_writes_both_attachment_tables_as_two_sheets(plan, exported):
    workbook = load_workbook(exported)

    assert [s.title for s in workbook.worksheets] == [PUBLICITY.label, TRAINING.label]
    publicity, training = workbook.worksheets
    assert publicity["A1"].value.endswith(PUBLICITY.label)
    assert [c.value for c in publicity[2]] == PUBLICITY.headers
    assert [c.value for c in training[2]] == TRAINING.headers
    assert (publicity.max_row - 2, training.max_row - 2) == (9, 8)


def test_export_prints_what_it_wrote(plan, tmp_path):
    path = tmp_path / "out.xlsx"

    code, out, _err = run("export", "2022", "--out", path, "--user", "town_a")

    assert code == 0  # the issued plan is readable below the district
    assert out.strip() == (
        f"已将2022年度计划《{plan.title}》导出到 {path}："
        "宣传计划重点任务清单 9 项，教育培训计划安排一览表 8 项"
    )


def test_export_of_an_unknown_year_or_to_an_unwritable_path_fails_in_chinese(plan, tmp_path):
    code, out, err = run("export", "2019", "--out", tmp_path / "x.xlsx")
    assert (code, out) == (1, "")
    assert err.strip() == "测试区没有2019年度的区级计划，无法导出"

    code, _out, err = run("export", "2022", "--out", tmp_path / "no" / "such" / "x.xlsx")
    assert code == 2 and err.startswith("无法写入文件") and "Traceback" not in err


# ------------------------------------------------------------------ import


def test_importing_the_export_changes_nothing_and_exits_0(plan, exported):
    before = titles()

    code, out, err = run("import", "2022", exported, "--user", "district")

    assert (code, err) == (0, "")
    assert "导入完成：共 17 行，通过 17，拒绝 0；新增 0，更新 0，未变 17" in out
    assert "  宣传计划重点任务清单：共 9 行，通过 9，拒绝 0；新增 0，更新 0，未变 9" in out
    assert "  教育培训计划安排一览表：共 8 行，通过 8，拒绝 0；新增 0，更新 0，未变 8" in out
    assert titles() == before


def test_json_gives_the_summed_counts_and_each_sheets(plan, exported):
    code, out, _err = run("import", "2022", exported, "--json")

    assert code == 0
    assert json.loads(out) == {
        "rows": 17,
        "accepted": 17,
        "rejected": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 17,
        "dry_run": False,
        "sheets": {
            "publicity": {
                "rows": 9,
                "accepted": 9,
                "rejected": 0,
                "created": 0,
                "updated": 0,
                "unchanged": 9,
                "dry_run": False,
            },
            "training": {
                "rows": 8,
                "accepted": 8,
                "rejected": 0,
                "created": 0,
                "updated": 0,
                "unchanged": 8,
                "dry_run": False,
            },
        },
    }


def test_an_edited_title_is_updated(plan, exported, tmp_path):
    changed = edit(exported, tmp_path / "changed.xlsx", {(1, 3, "培训项目"): "改名的培训"})

    code, out, _err = run("import", "2022", changed)

    assert code == 0 and "新增 0，更新 1，未变 16" in out
    first = Task.objects.filter(plan=plan, kind=TRAINING.kind).order_by("order").first()
    assert first.title == "改名的培训"


def test_a_bad_row_exits_1_with_a_chinese_report_and_writes_nothing(plan, exported, tmp_path):
    before = titles()
    bad = edit(
        exported,
        tmp_path / "bad.xlsx",
        {(0, 3, "重点任务"): "改名的任务", (1, 4, "牵头单位"): "火星局"},
    )
    report = tmp_path / "errors.xlsx"

    code, out, err = run("import", "2022", bad, "--report", report)

    assert code == 1
    assert "第4行 教育培训计划安排一览表·牵头单位：未找到单位“火星局”" in err
    assert "另一张表有错误，所有数据均未写入" in err
    assert f"错误报告：{report}" in out
    rows = list(load_workbook(report).active.iter_rows(values_only=True))
    assert rows[0] == ("行号", "列", "内容", "错误原因")
    assert rows[1][:3] == (4, "教育培训计划安排一览表·牵头单位", "火星局")
    assert rows[1][3].startswith("未找到单位“火星局”：请填写本平台单位的名称")
    assert titles() == before


def test_a_bad_row_with_json_reports_the_rejection_and_the_failed_commit(plan, exported, tmp_path):
    bad = edit(exported, tmp_path / "bad.xlsx", {(0, 3, "牵头单位"): "火星局"})

    code, out, _err = run("import", "2022", bad, "--json")

    payload = json.loads(out)
    assert code == 1
    assert (payload["rows"], payload["rejected"], payload["unchanged"]) == (17, 1, 0)
    assert payload["sheets"]["publicity"]["error"].startswith("有 1 行未通过校验")
    assert payload["sheets"]["training"]["error"] == "另一张表有错误，所有数据均未写入"
    assert payload["error"] == (
        "有 1 行未通过校验，按“全部或全不导入”的要求，所有数据均未写入；"
        "另一张表有错误，所有数据均未写入"
    )


def test_dry_run_reports_the_change_but_writes_nothing(plan, exported, tmp_path):
    before = titles()
    changed = edit(exported, tmp_path / "changed.xlsx", {(0, 3, "重点任务"): "改名的任务"})

    code, out, _err = run("import", "2022", changed, "--dry-run")

    assert code == 0
    assert "检查完成：共 17 行，通过 17，拒绝 0；新增 0，更新 1，未变 16（试运行，未写入）" in out
    assert titles() == before


def test_an_unreadable_file_exits_2(plan, tmp_path):
    code, out, err = run("import", "2022", tmp_path / "missing.xlsx")
    assert (code, out) == (2, "")
    assert err.startswith(f"无法打开文件 {tmp_path / 'missing.xlsx'}：")

    junk = tmp_path / "junk.xlsx"
    junk.write_text("不是 Excel")
    code, out, err = run("import", "2022", junk, "--json")
    assert code == 2 and "Traceback" not in err
    assert json.loads(out) == {
        "error": "文件内容不是有效的 Excel 文件，请用 Excel 另存为 .xlsx 后重试"
    }


def test_an_unknown_year_exits_1(plan, exported):
    code, out, err = run("import", "2019", exported)

    assert (code, out) == (1, "")
    assert err.strip() == "测试区没有2019年度的区级计划，无法导入"


def test_a_town_admin_may_export_but_not_import(plan, district, exported, tmp_path):
    changed = edit(exported, tmp_path / "changed.xlsx", {(0, 3, "重点任务"): "改名的任务"})
    before = titles()

    code, out, err = run("import", "2022", changed, "--user", "town_a")

    assert (code, out) == (1, "")
    assert err.strip() == f"您没有修改《{plan.title}》的权限，不能导入其任务"
    assert titles() == before

    code, _out, err = run("import", "2022", changed, "--user", "nobody")
    assert (code, err) == (1, "没有用户名为 nobody 的账号\n")


def test_a_plan_without_training_tasks_comes_back_unchanged(plan, tmp_path):
    plan.tasks.filter(kind="training").delete()
    path = tmp_path / "只有宣传.xlsx"
    assert run("export", "2022", "--out", path)[0] == 0

    code, out, err = run("import", "2022", path)

    assert (code, err) == (0, "")
    assert "未变 9" in out and plan.tasks.count() == 15  # 9 publicity + 6 requirements


def test_refresh_status_also_sends_the_days_reminders(plan):
    code, out, err = run("refresh-status", "--on", "2022-03-27")
    assert code == 0 and "到期提醒：7日内到期" in out
