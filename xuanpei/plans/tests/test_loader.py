"""The 2022 template and its loader (issue #4 §1): every task of the plan, counted against the text."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans import services
from xuanpei.plans.choices import (
    AssignmentRole,
    Comparator,
    PlanKind,
    PlanStatus,
    TaskKind,
    Timeframe,
)
from xuanpei.plans.loader import _fit, load_template
from xuanpei.plans.models import Assignment, Plan, PlanSection, Target, Task
from xuanpei.plans.template2022 import PLAN_2022
from xuanpei.plans.tests.shared_world import built_once, copies
from xuanpei.plans.unit_names import UnitIndex

PLAN_TEXT = (Path(__file__).parent / "data" / "plan2022.txt").read_text(encoding="utf-8")
PUBLICITY_NUMBERS = [f"三(一){n}" for n in range(1, 10)]
TRAINING_NUMBERS = [
    "三(二)1(1)",
    "三(二)1(2)",
    "三(二)1(3)",
    "三(二)2(1)",
    "三(二)2(2)",
    "三(二)3(3)",
    "三(二)3(4)",
    "三(二)",
]
REQUIREMENT_NUMBERS = [f"四({n})" for n in "一二三四五六"]


def _between(start: str, end: str) -> list[str]:
    lines = PLAN_TEXT.splitlines()
    return lines[lines.index(start) + 1 : lines.index(end)]


@pytest.fixture
def emergency(district):
    """The persona district plus the 应急管理局 most tasks name as their lead."""
    return add_unit(district.root, "应急管理局", UnitKind.DEPARTMENT)


@pytest.fixture(scope="class")
def _loaded_2022(django_db_setup, django_db_blocker):
    """The persona district, its 应急管理局 and the loaded 2022 plan, built once for the
    tests of `TestTheLoaded2022Plan` (see shared_world.py)."""
    from tests.personas import build_district

    with built_once(django_db_blocker):
        district = build_district()
        emergency = add_unit(district.root, "应急管理局", UnitKind.DEPARTMENT)
        yield district, emergency, load_template(2022, actor=district.district)


# ------------------------------------------------------------------ the template itself


def test_the_template_has_as_many_tasks_as_the_plans_text_numbers():
    publicity = _between("（一）应急管理宣传工作", "（二）应急管理教育培训工作")
    requirements = _between("四、相关要求", "附件:1.XX区2022年应急管理宣传计划重点任务清单")
    training = _between("（二）应急管理教育培训工作", "四、相关要求")
    numbered_training = [ln for ln in training if re.match(r"^（\d）", ln)]
    list_items = re.findall(r"[一二三四]是", training[-1])

    assert len([ln for ln in publicity if re.match(r"^\d\.", ln)]) == 9
    assert len([ln for ln in requirements if re.match(r"^（[一二三四五六]）", ln)]) == 6
    # 5 numbered trainings + items 三 and 四 of 三(二)3 (网格员, 重点时段) + the preamble's 网络教育培训
    assert len(numbered_training) == 5 and len(list_items) == 4 and "网络教育培训" in training[0]
    assert [t.number for t in PLAN_2022.tasks_of(TaskKind.PUBLICITY)] == PUBLICITY_NUMBERS
    assert [t.number for t in PLAN_2022.tasks_of(TaskKind.TRAINING)] == TRAINING_NUMBERS
    assert [t.number for t in PLAN_2022.tasks_of(TaskKind.REQUIREMENT)] == REQUIREMENT_NUMBERS


def test_every_text_of_the_template_is_the_plans_own_text():
    assert PLAN_2022.preamble in PLAN_TEXT
    for section in PLAN_2022.sections:
        assert f"{section.number}{section.heading}" in PLAN_TEXT
        assert section.body in PLAN_TEXT
    for task in PLAN_2022.tasks:
        assert task.content.rstrip("。") in PLAN_TEXT, task.number


def test_training_tasks_carry_the_names_of_the_issue_and_an_audience_and_method():
    titles = [t.title for t in PLAN_2022.tasks_of(TaskKind.TRAINING)]
    assert titles == [
        "干部专题培训",
        "行业专项培训",
        "外出学习调研",
        "三项岗位培训取证",
        "重点人员培训",
        "网格员每季度培训",
        "重点时段培训",
        "网络教育培训",
    ]
    assert all(t.audience and t.method for t in PLAN_2022.tasks_of(TaskKind.TRAINING))
    requirement_titles = [t.title for t in PLAN_2022.tasks_of(TaskKind.REQUIREMENT)]
    assert requirement_titles == [
        "组织领导与年度计划",
        "质量与效果评估",
        "经验报送",
        "新媒体载体",
        "队伍建设",
        "督导考核",
    ]


# ------------------------------------------------------------------ loading


@pytest.mark.xdist_group("plan2022_loaded")
class TestTheLoaded2022Plan:
    """Tests that read the loaded plan (or write and have their writes undone) share one
    load: each runs in a savepoint of the class's transaction, with its own copies."""

    @pytest.fixture
    def _world(self, _loaded_2022, db):
        return copies(_loaded_2022)

    @pytest.fixture
    def district(self, _world):
        return _world[0]

    @pytest.fixture
    def emergency(self, _world):
        return _world[1]

    @pytest.fixture
    def loaded(self, _world):
        return _world[2]

    def test_loading_2022_builds_the_whole_plan_for_the_district(self, district, loaded):
        plan = Plan.objects.get()
        assert (plan.kind, plan.unit, plan.year, plan.status) == (
            PlanKind.DISTRICT,
            district.root,
            2022,
            PlanStatus.DRAFT,
        )
        assert plan.title == "测试区2022年应急管理宣传教育培训工作计划"
        assert plan.preamble.startswith("为进一步加强区应急管理宣传教育培训工作")
        assert plan.created_by == district.district
        sections = list(plan.sections.values_list("number", "heading"))
        assert sections == [
            ("一、", "总体思路"),
            ("二、", "总体目标"),
            ("三、", "工作安排"),
            ("四、", "相关要求"),
        ]
        assert PlanSection.objects.get(heading="工作安排").body == ""
        assert PlanSection.objects.get(heading="相关要求").body.count("\n") == 5

    def test_loading_2022_creates_nine_publicity_eight_training_and_six_requirement_tasks(
        self, loaded
    ):
        def numbers(kind):
            return list(
                Task.objects.filter(kind=kind).order_by("order").values_list("number", flat=True)
            )

        assert numbers(TaskKind.PUBLICITY) == PUBLICITY_NUMBERS
        assert numbers(TaskKind.TRAINING) == TRAINING_NUMBERS
        assert numbers(TaskKind.REQUIREMENT) == REQUIREMENT_NUMBERS
        assert Task.objects.count() == 23
        assert list(Task.objects.values_list("order", flat=True).order_by("order")) == list(
            range(1, 24)
        )

    def test_unit_names_and_group_words_resolve_to_the_tree(self, district, emergency, loaded):
        first = Task.objects.get(number="三(一)1")
        assert list(first.lead_units.all()) == [emergency]
        assert set(first.cooperating_units.all()) == {
            district.town_a_unit,
            district.town_b_unit,
            district.dept_unit,
            district.other_dept_unit,
        }
        assert first.other_units == "区党工委宣传部"
        grid = Task.objects.get(number="三(二)3(3)")
        assert set(grid.lead_units.all()) == {district.town_a_unit, district.town_b_unit}
        assert not grid.cooperating_units.exists()
        assert Task.objects.get(number="三(二)1(3)").other_units == "区组织部"
        assert loaded.load_report.unresolved == {}

    def test_each_responsible_unit_gets_one_assignment_with_its_role(
        self, district, emergency, loaded
    ):
        first = Task.objects.get(number="三(一)1")
        roles = dict(first.assignments.values_list("unit_id", "role"))
        assert roles[emergency.pk] == AssignmentRole.LEAD
        assert roles[district.town_a_unit.pk] == AssignmentRole.COOPERATE
        assert len(roles) == 5
        expected = sum(
            t.lead_units.count() + t.cooperating_units.count() for t in Task.objects.all()
        )
        assert Assignment.objects.count() == expected == loaded.load_report.assignments
        # 镇街 and villages are not assigned: the new towns carry them.
        assert not Assignment.objects.filter(unit=district.street_a).exists()

    def test_targets_follow_the_plans_figures(self, loaded):
        rates = Target.objects.filter(comparator=Comparator.EXACTLY, unit_label="%")
        assert {t.task.number for t in rates} == {"三(一)3", "三(二)2(1)", "三(二)2(2)"}
        assert all(t.value == Decimal("100") for t in rates)
        grid = Target.objects.get(task__number="三(二)3(3)")
        assert (grid.comparator, grid.value, grid.per_period) == (Comparator.AT_LEAST, 1, True)
        month = Target.objects.get(task__number="三(一)5", name__contains="安全生产月")
        assert month.value == 1 and "6月" in month.name
        own_plan = Target.objects.get(task__number="四(一)", name__contains="年度宣传教育培训计划")
        assert (own_plan.comparator, own_plan.value, own_plan.unit_label) == ("eq", 1, "份")
        assert Target.objects.count() == loaded.load_report.targets == 25

    def test_timeframes_are_all_year_except_the_quarterly_ones(self, loaded):
        quarterly = set(
            Task.objects.filter(timeframe=Timeframe.QUARTERLY).values_list("number", flat=True)
        )
        assert quarterly == {"三(二)3(3)", "四(六)"}
        assert (
            Task.objects.exclude(timeframe__in=[Timeframe.QUARTERLY, Timeframe.ALL_YEAR]).count()
            == 0
        )
        brands = Task.objects.get(number="三(一)5")
        assert "安全生产月6月" in brands.timeframe_note
        assert "《安全生产法》宣传周12月1日—7日" in brands.timeframe_note
        grid = Task.objects.get(number="三(二)3(3)")
        assert [p.key for p in grid.periods()] == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]

    def test_a_second_load_for_the_same_year_is_refused_and_writes_nothing(self, district, loaded):
        counts = (Plan.objects.count(), Task.objects.count(), Assignment.objects.count())

        with pytest.raises(ValidationError) as exc:
            load_template(2022, actor=district.district)

        assert (
            "测试区2022年度已有区级计划《测试区2022年应急管理宣传教育培训工作计划》"
            in exc.value.messages[0]
        )
        assert (Plan.objects.count(), Task.objects.count(), Assignment.objects.count()) == counts

    # ------------------------------------------------------------------ next year

    def test_copying_to_2023_moves_dates_and_keeps_targets_and_units(
        self, district, emergency, loaded
    ):
        loaded.refresh_from_db()
        # The district dates one task before copying (a plan is edited after loading).
        Task.objects.filter(number="三(二)3(4)").update(
            timeframe=Timeframe.DATE_RANGE, start_date=date(2022, 2, 7), end_date=date(2022, 3, 31)
        )

        copy = services.copy_plan(loaded, year=2023, actor=district.district)

        assert (copy.year, copy.status, copy.copied_from) == (2023, PlanStatus.DRAFT, loaded)
        assert copy.title == "测试区2023年应急管理宣传教育培训工作计划"
        dated = copy.tasks.get(number="三(二)3(4)")
        assert (dated.start_date, dated.end_date) == (date(2023, 2, 7), date(2023, 3, 31))
        grid = copy.tasks.get(number="三(二)3(3)")
        assert [p.key for p in grid.periods()][0] == "2023Q1"

        def shape(plan):
            return {
                t.number: (
                    t.kind,
                    set(t.lead_units.all()),
                    set(t.cooperating_units.all()),
                    t.other_units,
                    [(g.name, g.comparator, g.value, g.per_period) for g in t.targets.all()],
                )
                for t in plan.tasks.all()
            }

        assert shape(copy) == shape(loaded)
        assert list(copy.sections.values_list("heading", flat=True)) == [
            "总体思路",
            "总体目标",
            "工作安排",
            "相关要求",
        ]


def test_issue_true_issues_the_plan_through_the_service(district, emergency):
    plan = load_template(2022, actor=district.district, issue=True, issued_on=date(2022, 2, 25))
    plan.refresh_from_db()
    assert (plan.status, plan.issued_on) == (PlanStatus.ISSUED, date(2022, 2, 25))
    assert Assignment.objects.filter(task__plan=plan).count() == plan.load_report.assignments


def test_a_system_load_without_a_user_can_issue_too(district, emergency):
    plan = load_template(2022, issue=True, doc_number="XX安委办发〔2022〕3号")
    plan.refresh_from_db()
    assert (plan.status, plan.doc_number, plan.created_by) == (
        PlanStatus.ISSUED,
        "XX安委办发〔2022〕3号",
        None,
    )
    assert Assignment.objects.filter(task__plan=plan).exists()


def test_a_year_without_a_template_is_refused_naming_the_available_ones(district):
    with pytest.raises(ValidationError) as exc:
        load_template(2023, actor=district.district)

    assert exc.value.messages == ["没有2023年度的计划模板；可用的模板：2022年度"]
    assert not Plan.objects.exists()


def test_a_bad_document_number_is_refused_with_the_field_named(district):
    with pytest.raises(ValidationError) as exc:
        load_template(2022, doc_number="安委办发[2022]03号")

    assert "doc_number" in exc.value.message_dict
    assert not Plan.objects.exists()


def test_a_new_town_admin_may_not_load_the_district_plan(district, emergency):
    with pytest.raises(PermissionDenied):
        load_template(2022, actor=district.town_a)

    assert not Plan.objects.exists()
    assert not Task.objects.exists()


def test_without_a_unit_tree_the_load_says_so(db):
    with pytest.raises(ValidationError) as exc:
        load_template(2022)

    assert "还没有区" in exc.value.messages[0]


def test_names_not_in_the_tree_go_to_other_units_and_the_report(district):
    # The persona district has no 应急管理局: tasks it leads keep it as a name only.
    plan = load_template(2022, actor=district.district)

    report = plan.load_report
    assert report.unresolved["三(一)1"] == ["应急管理局"]
    assert Task.objects.get(number="三(一)1").other_units == "区党工委宣传部、应急管理局"
    assert Task.objects.get(number="三(二)1(1)").other_units == "西安科技大学、应急管理局"
    # 干部专题培训 names 应急管理局 alone: it is left without any responsible unit.
    assert "三(二)1(1)" in report.unassigned
    assert not Assignment.objects.filter(task__number="三(二)1(1)").exists()
    assert Assignment.objects.filter(task__number="三(一)1").count() == 4


# ------------------------------------------------------------------ names


def test_names_resolve_with_or_without_the_district_prefix_and_by_alias(district):
    index = UnitIndex(district.root)

    assert index.resolve("教育局") == [district.dept_unit]
    assert index.resolve("区教育局") == [district.dept_unit]
    assert index.resolve("测试区教育局") == [district.dept_unit]
    assert index.resolve("住房和城乡建设局") == [district.other_dept_unit]  # tree says 住建局
    assert index.resolve("各新城") == [district.town_a_unit, district.town_b_unit]
    assert set(index.resolve("各镇街")) == {district.street_a, district.town_b_sub}
    assert index.resolve("区党工委宣传部") == []


def test_a_name_two_units_share_at_the_same_level_is_not_guessed(district):
    add_unit(district.town_a_unit, "安监站", UnitKind.TOWN)
    add_unit(district.town_b_unit, "安监站", UnitKind.TOWN)

    units, missing = UnitIndex(district.root).resolve_all(["安监站", "教育局", "教育局"])

    assert (units, missing) == ([district.dept_unit], ["安监站"])


def test_other_units_are_cut_to_the_field_with_a_closing_deng():
    names = [f"单位{n:03d}名称很长很长很长" for n in range(30)]

    text = _fit(names, 200)

    assert len(text) <= 200 and text.endswith("等")
    assert _fit(["甲", "乙"], 200) == "甲、乙"
