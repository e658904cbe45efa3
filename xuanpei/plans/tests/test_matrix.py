"""The task matrix, the plan dashboard and their computations (matrix.py)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans import matrix, services
from xuanpei.plans.choices import AssignmentRole, AssignmentStatus, TaskKind
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.plans.models import Assignment
from xuanpei.plans.tests.plan_pages_data import accept, assignment, district_plan, submit

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"plans:{name}", args=args)


def chart_data(body: str, script_id: str):
    found = re.search(rf'<script id="{script_id}" type="application/json">(.*?)</script>', body)
    return json.loads(found.group(1))


# The matrix --------------------------------------------------------------------------


def test_matrix_columns_are_new_towns_then_streets_then_departments(district):
    plan = district_plan(district)
    m = matrix.build_matrix(plan, district.district)
    names = [c["unit"].name for c in m["units"]]
    assert names == ["东新城", "西新城", "甲街道", "教育局"]
    assert [c["start"] for c in m["units"]] == [True, False, True, True]
    assert [k["label"] for k in m["kinds"]] == ["宣传", "培训", "要求"]
    publicity = m["kinds"][0]["rows"][0]
    statuses = [c.status["code"] if c else None for c in publicity.cells]
    assert statuses == ["overdue", "overdue", None, "overdue"]  # 2022 is past
    assert publicity.cells[3].lead is False  # 教育局 cooperates
    assert m["total"] == 8


def test_matrix_cells_follow_the_assignment_status(district):
    plan = district_plan(district)
    a = assignment(plan, "三(一)1", district.town_a_unit)
    accept(a, reporter=district.town_a, reviewer=district.district)
    b = assignment(plan, "四(一)", district.dept_unit)
    submit(b, reporter=district.department)
    m = matrix.build_matrix(plan, district.district)
    cells = {c.pk: c for k in m["kinds"] for r in k["rows"] for c in r.cells if c}
    assert cells[a.pk].status["code"] == AssignmentStatus.ACCEPTED
    assert cells[a.pk].status["label"] == "已验收" and cells[a.pk].status["icon"] == "check-lg"
    assert cells[a.pk].url == url("assignment_detail", a.pk)
    # A 2022 range ended long ago: a submitted but unaccepted report is still overdue.
    assert cells[b.pk].status["code"] == AssignmentStatus.OVERDUE


def test_a_new_town_sees_only_its_own_columns_and_rows(district, client):
    plan = district_plan(district)
    client.force_login(district.town_a)
    response = client.get(url("plan_matrix", plan.pk))
    body = response.content.decode()
    assert response.status_code == 200
    heads = body.split("<tbody>")[0]
    assert "东新城" in heads and "甲街道" in heads
    assert "西新城" not in heads and "教育局" not in heads
    links = body.count('class="cell"')
    assert links == Assignment.objects.for_user(district.town_a).count() == 4


def test_the_matrix_page_has_a_legend_with_icons_and_words(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    body = client.get(url("plan_matrix", plan.pk)).content.decode()
    for label in ("未开始", "进行中", "已提交", "已退回", "已验收", "已逾期"):
        assert label in body
    assert "bi-exclamation-triangle-fill" in body and "task-col" in body
    body = client.get(url("plan_matrix", plan.pk) + "?group=department").content.decode()
    assert "教育局" in body.split("<tbody>")[0] and "东新城" not in body.split("<tbody>")[0]


def test_an_outsider_gets_404_for_a_towns_own_plan(district, client):
    own = PlanFactory(unit=district.town_a_unit, kind="unit", year=2022)
    client.force_login(district.town_b)
    for name in ("plan_matrix", "plan_dashboard", "plan_calendar"):
        assert client.get(url(name, own.pk)).status_code == 404


@pytest.fixture
def big_plan(district):
    """~25 tasks × ~45 units: 4 more new towns with 5 streets each and 15 more departments."""
    units = [district.town_a_unit, district.town_b_unit, district.street_a, district.town_b_sub]
    units += [district.dept_unit, district.other_dept_unit]
    for i in range(4):
        town = add_unit(district.root, f"第{i}新城", UnitKind.NEW_TOWN)
        units.append(town)
        units += [add_unit(town, f"第{i}新城{j}街道", UnitKind.SUBDISTRICT) for j in range(5)]
    units += [add_unit(district.root, f"部门{k}", UnitKind.DEPARTMENT) for k in range(15)]
    plan = PlanFactory(unit=district.root, year=2022)
    kinds = list(TaskKind.values)
    tasks = [
        TaskFactory(plan=plan, number=f"任务{n}", kind=kinds[n % 3], order=n) for n in range(25)
    ]
    statuses = list(AssignmentStatus.values)
    Assignment.objects.bulk_create(
        Assignment(
            task=t,
            unit=u,
            role=AssignmentRole.LEAD,
            status=statuses[(i + j) % len(statuses)],
            next_due=date(2022, 12, 31),
        )
        for i, t in enumerate(tasks)
        for j, u in enumerate(units)
    )
    assert len(units) == 45
    return plan


def test_the_matrix_of_25_tasks_and_45_units_runs_a_fixed_number_of_queries(
    big_plan, district, client, django_assert_max_num_queries
):
    client.force_login(district.district)
    # Session, user, unit; plan, can_change/can_delete, tasks, assignments, units, breadcrumb.
    with django_assert_max_num_queries(14):
        response = client.get(url("plan_matrix", big_plan.pk))
    assert response.status_code == 200
    assert response.content.decode().count('class="cell"') == 25 * 45


def test_the_dashboard_of_a_big_plan_runs_a_fixed_number_of_queries(
    big_plan, district, client, django_assert_max_num_queries
):
    client.force_login(district.district)
    # +3 (issue #8): targets and accepted quantities for the status rules, the 待审核 count.
    with django_assert_max_num_queries(23):
        response = client.get(url("plan_dashboard", big_plan.pk))
    assert response.status_code == 200


# The dashboard -------------------------------------------------------------------------


def test_the_dashboard_counts_by_unit_and_kind_and_lists_overdue_periods(district, client):
    plan = district_plan(district)
    a = assignment(plan, "三(一)1", district.town_a_unit)
    accept(a, reporter=district.town_a, reviewer=district.district)
    grid = assignment(plan, "三(二)3", district.town_b_unit)
    adjustment = services.request_adjustment(
        grid,
        actor=district.town_b,
        period_key="2022Q1",
        requested_due=date(2022, 4, 15),
        reason="疫情防控推迟",
    )
    services.decide_adjustment(adjustment, actor=district.district, grant=True)
    today = date.today()
    board = matrix.build_dashboard(plan, district.district, today)
    assert board["total"] == 8 and board["accepted"] == 1 and board["overdue"] == 7
    assert board["adjustments"]["granted"] == 1
    assert board["adjustments"]["by_unit"] == [("西新城", 1)]
    units = board["by_unit"]["chart"]["labels"]
    assert units == ["东新城", "西新城", "甲街道", "教育局"]
    accepted_series = next(s for s in board["by_unit"]["chart"]["series"] if s["name"] == "已验收")
    assert accepted_series["data"] == [1, 0, 0, 0]
    assert [r["label"] for r in board["by_kind"]["rows"]] == ["宣传", "培训", "要求"]
    # Overdue periods: the all-year task (3 units − 1 accepted) + 4 quarters × 3 units
    # + the range × 2 units.
    rows = matrix.overdue_rows(plan, district.district, today)
    assert len(rows) == 2 + 12 + 2
    q1_b = next(r for r in rows if r["unit"].name == "西新城" and r["period"].key == "2022Q1")
    assert q1_b["adjusted"] and q1_b["due"] == date(2022, 4, 15)
    assert q1_b["days_late"] == (today - date(2022, 4, 15)).days
    assert rows[0]["days_late"] >= rows[-1]["days_late"]
    # The dashboard folds them into one line per assignment.
    lines = board["overdue_rows"]
    assert len(lines) == 2 + 3 + 2
    grid_b = next(r for r in lines if r["unit"].name == "西新城" and r["task"].number == "三(二)3")
    assert [p.key for p in grid_b["periods"]] == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    assert grid_b["adjusted"] and grid_b["due"] == date(2022, 4, 15)


def test_the_dashboard_page_renders_chart_data_and_the_overdue_list(district, client):
    plan = district_plan(district)
    client.force_login(district.district)
    body = client.get(url("plan_dashboard", plan.pk)).content.decode()
    assert 'id="unit-chart-data"' in body and 'id="kind-chart-data"' in body
    assert "vendor/echarts/echarts.min.js" in body and "plans/plan_dashboard.js" in body
    data = chart_data(body, "unit-chart-data")
    assert data["labels"] == ["东新城", "西新城", "甲街道", "教育局"]
    assert sum(sum(s["data"]) for s in data["series"]) == 8
    assert "逾期清单" in body and "网格员每季度培训" in body
    assert 'id="kpi-overdue">8<' in body


def test_a_town_sees_its_own_dashboard(district, client):
    plan = district_plan(district)
    client.force_login(district.town_b)
    body = client.get(url("plan_dashboard", plan.pk)).content.decode()
    assert 'id="kpi-total">2<' in body
    data = chart_data(body, "unit-chart-data")
    assert data["labels"] == ["西新城"]
    assert "东新城" not in body.split("逾期清单")[1]


def test_a_period_that_ended_yesterday_is_overdue_before_the_nightly_refresh(district):
    today = date.today()
    plan = district_plan(district, today.year)
    task = plan.tasks.get(number="四(一)")
    task.start_date, task.end_date = today - timedelta(days=10), today - timedelta(days=1)
    task.save()
    Assignment.objects.filter(task=task).update(
        status=AssignmentStatus.NOT_STARTED, next_due=today - timedelta(days=1)
    )
    rows = matrix.overdue_rows(plan, district.district, today)
    late = [r for r in rows if r["task"].pk == task.pk]
    assert len(late) == 2 and all(r["days_late"] == 1 for r in late)


def test_unit_sort_key_and_status_style():
    class U:
        def __init__(self, kind, path):
            self.kind, self.path = kind, path

    units = [
        U("department", "00010001"),
        U("subdistrict", "000100020001"),
        U("new_town", "00010002"),
    ]
    assert [u.kind for u in sorted(units, key=matrix.unit_sort_key)] == [
        "new_town",
        "subdistrict",
        "department",
    ]
    assert matrix.status_style("nonsense")["code"] == AssignmentStatus.NOT_STARTED
    colours = {s["colour"] for s in matrix.legend()}
    icons = {s["icon"] for s in matrix.legend()}
    assert len(colours) == len(icons) == 6  # each status: its own colour AND its own icon
