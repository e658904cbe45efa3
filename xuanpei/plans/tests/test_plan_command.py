"""`xuanpei plan load-template | copy | refresh-status` (issue #4 §7): output and exit codes."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from xuanpei import cli
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans.choices import AssignmentStatus, PlanStatus, Timeframe
from xuanpei.plans.factories import PlanFactory
from xuanpei.plans.loader import load_template
from xuanpei.plans.models import Assignment, Plan, Task


@pytest.fixture
def tree(district):
    add_unit(district.root, "应急管理局", UnitKind.DEPARTMENT)
    return district


def run(*args):
    """(exit code, stdout, stderr) of `xuanpei plan ARGS` run in-process."""
    out, err = StringIO(), StringIO()
    try:
        call_command("plan", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------ load-template


def test_load_template_prints_what_it_made_and_exits_0(tree):
    code, out, err = run("load-template", "2022")

    assert (code, err) == (0, "")
    plan = Plan.objects.get()
    assert plan.status == PlanStatus.DRAFT and plan.created_by is None
    assert (
        f"已载入2022年度计划模板：《测试区2022年应急管理宣传教育培训工作计划》（草稿，编号 {plan.pk}）"
        in out
    )
    assert "章节 4 个，任务 23 项（宣传 9、培训 8、要求 6），量化目标 25 个" in out
    assert f"任务分解 {Assignment.objects.count()} 项" in out
    assert "未匹配" not in out


def test_load_template_issue_with_a_user_issues_as_that_user(tree):
    code, out, _err = run(
        "load-template",
        "2022",
        "--issue",
        "--user",
        "district",
        "--doc-number",
        "测试安委办发〔2022〕3号",
    )

    assert code == 0 and "（已印发，" in out
    plan = Plan.objects.get()
    assert (plan.status, plan.created_by, plan.doc_number) == (
        PlanStatus.ISSUED,
        tree.district,
        "测试安委办发〔2022〕3号",
    )
    assert plan.issued_on == timezone.localdate()


def test_load_template_lists_the_names_it_could_not_place(district):
    code, out, _err = run("load-template", "2022")

    assert code == 0
    assert "以下单位名称未匹配到平台中的单位，已记入任务的“其他单位”：" in out
    assert "  三(一)1：应急管理局" in out
    assert "以下任务没有责任单位，请在平台中补充：三(二)1(1)" in out


def test_a_second_load_exits_1_with_the_reason_and_changes_nothing(tree):
    run("load-template", "2022")
    tasks = Task.objects.count()

    code, out, err = run("load-template", "2022", "--issue")

    assert (code, out) == (1, "")
    assert (
        "测试区2022年度已有区级计划《测试区2022年应急管理宣传教育培训工作计划》，未重复载入模板"
        in err
    )
    assert Task.objects.count() == tasks and Plan.objects.get().status == PlanStatus.DRAFT


def test_a_year_without_template_exits_1_listing_the_templates(tree):
    code, _out, err = run("load-template", "2019")

    assert code == 1
    assert err.strip() == "没有2019年度的计划模板；可用的模板：2022年度"


def test_an_unknown_user_exits_1_and_a_new_town_admin_is_refused(tree):
    code, _out, err = run("load-template", "2022", "--user", "nobody")
    assert (code, err) == (1, "没有用户名为 nobody 的账号\n")

    code, _out, err = run("load-template", "2022", "--user", "town_a")
    assert code == 1 and "您没有权限制定测试区的年度计划" in err
    assert not Plan.objects.exists()


def test_a_bad_year_is_a_usage_error_in_chinese(tree):
    with pytest.raises(CommandError, match="年度应为四位数字，如 2022"):
        call_command("plan", "load-template", "22a")


def test_the_console_script_exits_2_on_bad_arguments_without_a_traceback(db, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["xuanpei", "plan", "refresh-status", "--on", "2026/03/31"])

    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert "日期应为 YYYY-MM-DD 格式" in err and "Traceback" not in err


# ------------------------------------------------------------------ copy


def test_copy_makes_next_years_draft_and_prints_it(tree):
    load_template(2022, actor=tree.district, issue=True)

    code, out, err = run("copy", "2022", "2023", "--user", "district")

    assert (code, err) == (0, "")
    new = Plan.objects.get(year=2023)
    assert (new.status, new.copied_from.year, new.created_by) == (
        PlanStatus.DRAFT,
        2022,
        tree.district,
    )
    assert (
        f"已将2022年度计划复制为2023年度计划：《测试区2023年应急管理宣传教育培训工作计划》（草稿，编号 {new.pk}）"
        in out
    )
    assert "章节 4 个，任务 23 项，量化目标 25 个；日期已顺延到2023年" in out
    # The text the copy cannot move is counted for review (issue #8).
    assert f"与年份相关、须复核的内容 {len(new.year_flags)} 处" in out and new.year_flags
    assert new.tasks.get(number="三(一)1").lead_units.get().name == "应急管理局"


def test_copy_without_a_user_is_a_system_copy(tree):
    load_template(2022, actor=tree.district)

    code, out, _err = run("copy", "2022", "2023")

    assert code == 0 and "已将2022年度计划复制为2023年度计划" in out
    assert Plan.objects.get(year=2023).created_by is None


def test_copy_of_a_missing_year_or_onto_an_existing_one_exits_1(tree):
    code, _out, err = run("copy", "2021", "2023", "--user", "district")
    assert code == 1 and "测试区没有2021年度的区级计划，无法复制" in err

    load_template(2022, actor=tree.district)
    PlanFactory(unit=tree.root, year=2023)
    code, _out, err = run("copy", "2022", "2023", "--user", "district")
    assert code == 1 and "2023年度的计划已存在" in err


# ------------------------------------------------------------------ refresh-status


def test_refresh_status_recomputes_every_assignment_for_the_day(tree):
    plan = load_template(2022, actor=tree.district, issue=True)
    Assignment.objects.update(status=AssignmentStatus.NOT_STARTED, status_on=None)
    quarterly = Assignment.objects.filter(task__timeframe=Timeframe.QUARTERLY).count()

    code, out, _err = run("refresh-status", "--on", "2022-04-01")

    assert code == 0
    total = Assignment.objects.filter(task__plan=plan).count()
    assert out.startswith(f"已按 2022-04-01 刷新 {total} 项任务分解的状态：")
    assert f"已逾期 {quarterly}" in out  # the first quarter ended without a report
    assert set(Assignment.objects.values_list("status_on", flat=True)) == {date(2022, 4, 1)}
    assert Assignment.objects.filter(status=AssignmentStatus.OVERDUE).count() == quarterly


def test_refresh_status_defaults_to_today_and_refuses_the_future(tree):
    load_template(2022, actor=tree.district)

    code, out, _err = run("refresh-status")
    assert code == 0 and f"已按 {timezone.localdate():%Y-%m-%d} 刷新" in out

    tomorrow = timezone.localdate() + timedelta(days=1)
    code, _out, err = run("refresh-status", "--on", f"{tomorrow:%Y-%m-%d}")
    assert code == 1 and "--on 不能晚于今天" in err
