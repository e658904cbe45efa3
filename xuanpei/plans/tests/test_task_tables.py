"""The plan's attachment tables as xlsx: export layout, import back, errors, pages, CLI."""

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from xuanpei.core.imports.service import run_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.core.models import Job
from xuanpei.plans.choices import Comparator, PlanStatus, TaskKind, Timeframe
from xuanpei.plans.factories import PlanFactory, ReportQuantityFactory, TargetFactory, TaskFactory
from xuanpei.plans.importers import (
    PublicityTaskExporter,
    TrainingTaskExporter,
    import_plan_workbook,
    workbook_errors,
    write_plan_workbook,
)
from xuanpei.plans.models import Assignment, Target, Task
from xuanpei.plans.tables import (
    PUBLICITY,
    TRAINING,
    TargetValue,
    TimeframeValue,
    format_targets,
    format_timeframe,
    parse_targets,
    parse_timeframe,
)

# Text formats (pure) -----------------------------------------------------------------

NOTE = st.text(
    alphabet="至少一次含节假日（）()，,：结合重点时段开展 ", min_size=1, max_size=12
).map(str.strip)
DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def timeframes(draw):
    kind = draw(st.sampled_from(Timeframe.values))
    note = draw(st.one_of(st.just(""), NOTE))
    if kind == Timeframe.DATE_RANGE:
        start = draw(DAYS)
        end = start + timedelta(days=draw(st.integers(0, 400)))
        return TimeframeValue(kind, start, end, note)
    start = draw(st.one_of(st.none(), DAYS))
    end = draw(st.one_of(st.none(), DAYS))
    if start and end and end < start:
        start, end = end, start
    return TimeframeValue(kind, start, end, note)


@given(timeframes(), st.integers(2020, 2030))
def test_a_timeframe_reads_back_as_it_was_written(value, year):
    assert parse_timeframe(format_timeframe(value), year=year) == value


NAME_CHARS = "网格员培训持证率宣传活动覆盖企业安全知识考核（）()ABCabc123 -"
UNIT_CHARS = "次人场%％个家期项"


@st.composite
def targets(draw):
    name = draw(st.text(alphabet=NAME_CHARS, min_size=1, max_size=20).map(str.strip))
    if not name:
        name = "培训"
    value = draw(st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2))
    return TargetValue(
        name=name,
        comparator=draw(st.sampled_from(Comparator.values)),
        value=value,
        unit_label=draw(st.text(alphabet=UNIT_CHARS, max_size=4)),
        per_period=draw(st.booleans()),
    )


@given(st.lists(targets(), max_size=5), st.sampled_from(Timeframe.values))
def test_targets_read_back_as_they_were_written(items, timeframe):
    assert parse_targets(format_targets(items, timeframe)) == items


def test_timeframes_are_written_as_a_person_would():
    assert format_timeframe(TimeframeValue()) == "全年"
    assert format_timeframe(TimeframeValue(Timeframe.QUARTERLY, note="至少一次")) == (
        "每季度（至少一次）"
    )
    june = TimeframeValue(Timeframe.DATE_RANGE, date(2022, 6, 1), date(2022, 6, 30))
    assert format_timeframe(june) == "2022年6月1日至6月30日"
    assert format_timeframe(TimeframeValue(Timeframe.MONTHLY)) == "每月"


@pytest.mark.parametrize(
    "text",
    [
        "2022年6月1日至6月30日",
        "2022-06-01至2022-06-30",
        "6月",
        "2022/6/1~2022/6/30",
        "6月1日至30日",
    ],
)
def test_every_spelling_of_june_is_june(text):
    assert parse_timeframe(text, year=2022) == TimeframeValue(
        Timeframe.DATE_RANGE, date(2022, 6, 1), date(2022, 6, 30)
    )


def test_loose_timeframes_are_understood():
    assert parse_timeframe("", year=2022) == TimeframeValue()
    assert parse_timeframe("每季度(至少一次)", year=2022).note == "至少一次"
    assert parse_timeframe("按月，结合重点时段开展", year=2022) == TimeframeValue(
        Timeframe.MONTHLY, note="结合重点时段开展"
    )
    assert parse_timeframe("2022年11月30日前", year=2022) == TimeframeValue(
        Timeframe.ALL_YEAR, end=date(2022, 11, 30)
    )


def test_targets_text_with_newlines_and_words():
    assert parse_targets("持证率达到100%\n培训不少于3次（每季度）") == [
        TargetValue("持证率", Comparator.EXACTLY, Decimal("100"), "%"),
        TargetValue("培训", Comparator.AT_LEAST, Decimal("3"), "次", per_period=True),
    ]


# Fixtures ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(district):
    plan = PlanFactory(unit=district.root, title="测试区2022年应急管理宣传教育培训工作计划")
    grid = TaskFactory(
        plan=plan,
        number="三(二)3",
        title="网格员业务培训",
        content="各新城每季度至少组织开展一次网格员应急管理业务能力培训。",
        kind=TaskKind.TRAINING,
        timeframe=Timeframe.QUARTERLY,
        timeframe_note="至少一次",
        audience="安全生产网格员",
        method="集中授课",
    )
    grid.lead_units.set([district.town_a_unit, district.town_b_unit])
    grid.cooperating_units.set([district.dept_unit])
    TargetFactory(
        task=grid, name="网格员培训", value=Decimal("1"), unit_label="次", per_period=True
    )
    month = TaskFactory(
        plan=plan,
        number="三(一)5",
        title="安全生产月",
        content="组织开展“安全生产月”活动，宣传“五进”，提升全民安全意识（含线上）。",
        timeframe=Timeframe.DATE_RANGE,
        start_date=date(2022, 6, 1),
        end_date=date(2022, 6, 30),
        other_units="区委宣传部",
        deliverables="活动总结",
    )
    month.lead_units.set([district.dept_unit])
    month.cooperating_units.set([district.town_a_unit])
    TargetFactory(task=month, name="宣传活动", value=Decimal("3"), unit_label="场", order=0)
    TargetFactory(
        task=month,
        name="持证率",
        comparator=Comparator.EXACTLY,
        value=Decimal("100"),
        unit_label="%",
        order=1,
    )
    law = TaskFactory(plan=plan, number="三(一)2", title="法律法规宣传", order=0)
    law.lead_units.set([district.dept_unit, district.other_dept_unit])
    return plan


def sheet_rows(content: bytes, sheet=0) -> list[list]:
    workbook = load_workbook(io.BytesIO(content))
    return [list(r) for r in workbook.worksheets[sheet].values]


def export_bytes(plan, exporter=PublicityTaskExporter, user=None) -> bytes:
    e = exporter(user=user, options={"plan": plan.pk})
    buffer = io.BytesIO()
    e.write(e.queryset(), buffer)
    return buffer.getvalue()


def edited(content: bytes, edits: dict[tuple[int, int], object], append=()) -> bytes:
    """Change cells (1-based row, column) of an exported sheet, keeping its layout."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    for (row, col), value in edits.items():
        sheet.cell(row=row, column=col, value=value)
    for values in append:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def imp(plan, data, name="plan_publicity", user=None, dry_run=False):
    return run_import(
        name, data, filename="t.xlsx", user=user, dry_run=dry_run, options={"plan": plan.pk}
    )


def state(plan):
    rows = []
    for task in plan.tasks.order_by("pk"):
        rows.append(
            (
                task.number,
                task.title,
                task.content,
                task.timeframe,
                task.start_date,
                task.end_date,
                task.timeframe_note,
                task.other_units,
                task.updated_at,
                sorted(task.lead_units.values_list("pk", flat=True)),
                sorted(task.cooperating_units.values_list("pk", flat=True)),
                list(task.targets.values_list("name", "comparator", "value", "per_period")),
            )
        )
    return rows


# Export ------------------------------------------------------------------------------


def test_the_key_task_list_has_the_attachments_title_headers_and_texts(district, plan):
    rows = sheet_rows(export_bytes(plan))
    assert rows[0][0] == "测试区2022年应急管理宣传计划重点任务清单"
    assert rows[1] == PUBLICITY.headers
    assert rows[1] == [
        "序号",
        "任务编号",
        "重点任务",
        "任务内容",
        "牵头单位",
        "配合单位",
        "完成时限",
        "工作目标",
        "工作成果",
    ]
    law, month = rows[2], rows[3]  # in plan order
    assert law[:3] == [1, "三(一)2", "法律法规宣传"]
    assert law[4] == "各行业部门"  # every department of the district: the group word
    assert month[4:8] == [
        "教育局",
        "东新城、区委宣传部",
        "2022年6月1日至6月30日",
        "宣传活动≥3场；持证率=100%",
    ]
    assert month[8] == "活动总结"


def test_the_training_schedule_has_its_columns_and_group_words(district, plan):
    rows = sheet_rows(export_bytes(plan, TrainingTaskExporter))
    assert rows[0][0] == "测试区2022年应急管理教育培训计划安排一览表"
    assert rows[1] == [
        "序号",
        "任务编号",
        "培训项目",
        "培训内容",
        "培训对象",
        "培训方式",
        "牵头单位",
        "配合单位",
        "完成时限",
        "工作目标",
    ]
    assert rows[2][1:] == [
        "三(二)3",
        "网格员业务培训",
        "各新城每季度至少组织开展一次网格员应急管理业务能力培训。",
        "安全生产网格员",
        "集中授课",
        "各新城",
        "教育局",
        "每季度（至少一次）",
        "网格员培训≥1次（每季度）",
    ]


def test_both_tables_in_one_workbook(district, plan):
    buffer = io.BytesIO()
    assert write_plan_workbook(plan, buffer) == {"publicity": 2, "training": 1}
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert workbook.sheetnames == ["宣传计划重点任务清单", "教育培训计划安排一览表"]


# Import ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "exporter,name",
    [(PublicityTaskExporter, "plan_publicity"), (TrainingTaskExporter, "plan_training")],
)
def test_importing_an_export_changes_nothing(district, plan, exporter, name):
    before = state(plan)
    result = imp(plan, export_bytes(plan, exporter), name, user=district.district)
    assert result.ok and result.updated == result.created == 0
    assert result.unchanged == plan.tasks.filter(kind=exporter.table.kind).count()
    assert state(plan) == before


def test_an_edited_file_updates_and_creates_tasks_and_their_assignments(district, plan):
    content = edited(
        export_bytes(plan),
        {(4, 6): "西新城", (4, 8): "宣传活动≥5场；持证率=100%"},
        append=[
            [None, "三(一)10", "应急科普宣传", "科普进社区，普及自救互救知识。", "各新城", "甲街道",
             "2022-05-06至2022-05-12", "科普活动≥2场（每期）", "总结"],
        ],
    )  # fmt: skip
    result = imp(plan, content, user=district.district)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    month = plan.tasks.get(number="三(一)5")
    assert list(month.cooperating_units.all()) == [district.town_b_unit]
    assert month.targets.get(name="宣传活动").value == 5
    assert month.other_units == ""  # 区委宣传部 was left out of the new cell
    assert set(Assignment.objects.filter(task=month).values_list("unit", "role")) == {
        (district.dept_unit.pk, "lead"),
        (district.town_b_unit.pk, "cooperate"),
    }
    new = plan.tasks.get(number="三(一)10")
    assert (new.kind, new.timeframe, new.start_date, new.end_date) == (
        TaskKind.PUBLICITY,
        Timeframe.DATE_RANGE,
        date(2022, 5, 6),
        date(2022, 5, 12),
    )
    assert new.order > month.order
    assert set(new.lead_units.all()) == {district.town_a_unit, district.town_b_unit}
    assert Assignment.objects.filter(task=new).count() == 3
    target = new.targets.get()
    assert (target.name, target.value, target.per_period) == ("科普活动", 2, True)


def test_a_draft_plans_tasks_get_no_assignments_until_it_is_issued(district, plan):
    plan.status = PlanStatus.DRAFT
    plan.save()
    content = edited(export_bytes(plan), {}, append=[[None, "三(一)11", "新任务", "", "东新城"]])
    assert imp(plan, content, user=district.district).created == 1
    assert not Assignment.objects.filter(task__number="三(一)11").exists()


def test_full_width_punctuation_of_free_text_survives(district, plan):
    content = edited(export_bytes(plan), {(4, 4): "宣传（线上、线下），共三场：甲；乙。"})
    imp(plan, content, user=district.district)
    assert plan.tasks.get(number="三(一)5").content == "宣传（线上、线下），共三场：甲；乙。"


def test_bad_rows_get_chinese_errors_with_row_and_column_and_nothing_is_written(district, plan):
    before = state(plan)
    content = edited(
        export_bytes(plan),
        {
            (3, 5): "教育局、不存在局",
            (4, 7): "2022年2月30日至3月5日",
            (4, 8): "宣传活动多于三场",
            (3, 3): "改了名字",
        },
    )
    result = imp(plan, content, user=district.district)
    found = {(e.row, e.column): e.message for e in result.errors}
    assert "不存在局" in found[(3, "牵头单位")] and "未找到单位" in found[(3, "牵头单位")]
    assert "日期不存在" in found[(4, "完成时限")]
    assert "无法识别" in found[(4, "工作目标")]
    assert result.error.startswith("有 2 行未通过校验")
    assert state(plan) == before


def test_rows_that_contradict_the_plan_are_rejected(district, plan):
    content = edited(
        export_bytes(plan),
        {(4, 7): "2023年6月"},
        append=[
            [None, "三(一)2", "重复", "", "东新城"],
            [None, "三(二)3", "培训任务", "", "东新城"],
            [None, "三(一)12", "无单位", "", "区委宣传部"],
            [None, "三(一)13", "两头", "", "东新城", "东新城"],
            [None, "三(一)14", "镇街", "", "乙镇、甲街道"],
        ],
    )
    result = imp(plan, content, user=district.district, dry_run=True)
    messages = {e.row: e.message for e in result.errors}
    assert "计划年度（2022年）" in messages[4]
    assert "与第 3 行的任务编号重复" in messages[5]
    assert "培训任务，不在本表中" in messages[6]
    assert "至少须有一个本平台的单位" in messages[7]
    assert "东新城已是牵头单位" in messages[8]
    assert (result.rejected, result.accepted) == (5, 2)


def test_a_town_plan_names_only_units_below_the_town(district):
    plan = PlanFactory(unit=district.town_a_unit, title="东新城2022年计划", kind="unit")
    data = xlsx_bytes([PUBLICITY.headers, [1, "1", "任务", "", "乙镇、甲街道"]])
    result = imp(plan, data, user=district.town_a)
    assert result.errors[0].message == (
        "未找到单位“乙镇”：请填写东新城或其下级单位的名称，重名时写成路径"
    )
    data = xlsx_bytes([PUBLICITY.headers, [1, "1", "任务", "", "甲街道、甲社区"]])
    assert imp(plan, data, user=district.town_a).created == 1


def test_a_user_who_cannot_manage_the_plan_cannot_import(district, plan):
    for user in (district.town_a, district.department):
        with pytest.raises(PermissionDenied):
            imp(plan, export_bytes(plan), user=user)
    with pytest.raises(PermissionDenied):
        imp(plan, export_bytes(plan), user=district.town_a_viewer)  # no import grant at all


def test_a_target_with_reported_quantities_is_not_deleted(district, plan):
    month = plan.tasks.get(number="三(一)5")
    assignment = Assignment.objects.create(task=month, unit=district.dept_unit, role="lead")
    ReportQuantityFactory(report__assignment=assignment, target=month.targets.get(name="宣传活动"))
    result = imp(plan, edited(export_bytes(plan), {(4, 8): "持证率=100%"}), user=district.district)
    assert "已有单位填报了完成量" in result.errors[0].message
    assert Target.objects.filter(task=month).count() == 2


def test_a_workbook_with_both_tables_imports_both_or_nothing(district, plan):
    buffer = io.BytesIO()
    write_plan_workbook(plan, buffer)
    results = import_plan_workbook(plan, buffer.getvalue(), user=district.district)
    assert {k: (r.ok, r.unchanged) for k, r in results.items()} == {
        "publicity": (True, 2),
        "training": (True, 1),
    }
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    workbook.worksheets[0]["C3"] = "改名的任务"
    workbook.worksheets[1]["J3"] = "培训多次"
    changed = io.BytesIO()
    workbook.save(changed)
    results = import_plan_workbook(plan, changed.getvalue(), user=district.district)
    assert results["publicity"].error == "另一张表有错误，所有数据均未写入"
    assert [(e.row, e.column) for e in workbook_errors(results)] == [
        (3, "教育培训计划安排一览表·工作目标")
    ]
    assert not plan.tasks.filter(title="改名的任务").exists()


def test_the_2022_plan_of_the_demo_district_round_trips_through_its_workbook(db, monkeypatch):
    from xuanpei.orgs import demo as orgs_demo
    from xuanpei.plans.loader import load_template

    # The plan names units, not enterprises: the demo's unit tree with 20 enterprises
    # (as test_demo_plans) instead of 2,000. The tree is built before, and independently
    # of, the enterprises.
    monkeypatch.setattr(orgs_demo, "BASE_ENTERPRISES", 20)
    orgs_demo.seed_demo()
    plan = load_template(2022, issue=True)
    buffer = io.BytesIO()
    assert write_plan_workbook(plan, buffer) == {"publicity": 9, "training": 8}
    first = sheet_rows(buffer.getvalue())[2]
    # 应急管理局 leads; the other departments and every new town cooperate.
    assert (first[4], first[5]) == ("应急管理局", "各新城、各行业部门、区党工委宣传部")
    results = import_plan_workbook(plan, buffer.getvalue())
    assert {k: (r.ok, r.unchanged) for k, r in results.items()} == {
        "publicity": (True, 9),
        "training": (True, 8),
    }


# CLI ----------------------------------------------------------------------------------


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*map(str, args), stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_cli_export_then_import_exit_codes(district, plan, tmp_path):
    out = tmp_path / "附件2.xlsx"
    code, text, _ = cli("export", "plan_training", "--plan", plan.pk, "--out", out)
    assert code == 0 and "已导出 1 行" in text
    code, text, _ = cli("import", "plan_training", out, "--plan", plan.pk, "--json")
    assert code == 0 and json.loads(text)["unchanged"] == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([TRAINING.headers, [1, "三(二)9", "x", "", "", "", "火星局"]]))
    code, text, err = cli("import", "plan_training", bad, "--plan", plan.pk)
    assert code == 1 and "未找到单位“火星局”" in err
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert cli("import", "plan_training", broken, "--plan", plan.pk)[0] == 2
    with pytest.raises(CommandError):
        cli("import", "plan_training", out)  # which plan?
    with pytest.raises(CommandError):
        cli("export", "enterprises", "--plan", plan.pk, "--out", out)
    # A refusal is one Chinese line and exit 1 (rejected), as `xuanpei plan import` answers it.
    code, _, err = cli("import", "plan_training", out, "--plan", plan.pk, "--user", "town_a")
    assert code == 1 and err.strip() == "您没有修改该计划的权限，不能导入其任务"


# Pages --------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_every_unit_below_the_district_exports_an_issued_plans_tables(client, district, plan):
    url = reverse("plans:task_export", args=[plan.pk])
    response = login(client, district.town_b).get(url + "?table=training")
    assert response.status_code == 200
    rows = sheet_rows(b"".join(response.streaming_content))
    assert rows[2][2] == "网格员业务培训"
    assert "%E6%95%99%E8%82%B2%E5%9F%B9%E8%AE%AD" in response["Content-Disposition"]  # 教育培训
    assert login(client, district.enterprise).get(url).status_code == 404
    assert login(client, district.district).get(url + "?table=nope").status_code == 404


def test_the_import_page_previews_then_commits(client, district, plan):
    url = reverse("plans:task_import", args=[plan.pk]) + "?table=publicity"
    login(client, district.district)
    page = client.get(url)
    assert page.status_code == 200 and "任务编号" in page.content.decode()
    content = edited(export_bytes(plan), {(4, 3): "安全生产月活动"})
    preview = client.post(
        url, {"file": SimpleUploadedFile("t.xlsx", content)}, HTTP_HX_REQUEST="true"
    )
    assert preview.status_code == 200 and "确认导入 2 行" in preview.content.decode()
    assert plan.tasks.filter(title="安全生产月").exists()
    job = Job.objects.latest("pk")
    committed = client.post(url, {"job": job.pk}, HTTP_HX_REQUEST="true")
    assert committed.status_code == 200
    assert plan.tasks.filter(title="安全生产月活动").exists()


def test_import_pages_refuse_who_cannot_manage_the_plan(client, district, plan):
    for name in ("plans:task_import", "plans:task_import_template"):
        url = reverse(name, args=[plan.pk])
        assert login(client, district.town_a).get(url).status_code == 404
        assert login(client, district.town_a_viewer).get(url).status_code == 403
        assert login(client, district.district).get(url).status_code == 200


def test_a_preview_of_another_plan_cannot_be_committed_here(client, district, plan):
    other = PlanFactory(unit=district.root, year=2023, title="测试区2023年计划")
    login(client, district.district)
    url = reverse("plans:task_import", args=[plan.pk]) + "?table=publicity"
    client.post(url, {"file": SimpleUploadedFile("t.xlsx", export_bytes(plan))})
    job = Job.objects.latest("pk")
    other_url = reverse("plans:task_import", args=[other.pk]) + "?table=publicity"
    assert client.post(other_url, {"job": job.pk}).status_code == 403


def test_the_template_names_the_columns(client, district, plan):
    url = reverse("plans:task_import_template", args=[plan.pk]) + "?table=training"
    response = login(client, district.district).get(url)
    rows = sheet_rows(b"".join(response.streaming_content))
    assert rows[0] == TRAINING.headers
    notes = sheet_rows(b"".join(client.get(url).streaming_content), sheet=1)
    assert any("每季度（至少一次）" in str(r[2]) for r in notes)
    assert Task.objects.count() == 3
