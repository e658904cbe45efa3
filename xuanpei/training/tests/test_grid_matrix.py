"""The grid-officer quarter × new-town matrix (issue #12 §6) on hand-built worlds.

"Each new town holds ≥ 1 grid-officer training per quarter, and every grid officer
attends" — quarters are calendar quarters in the district's time (Asia/Shanghai):
a class that starts on 31 March at 23:30 is Q1's, one at 00:10 on 1 April is Q2's
(16:10 UTC on 31 March), and one at 23:30 on 31 December is Q4's of that year.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans.choices import PlanStatus
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.training import grid
from xuanpei.training.choices import QuarterStatus
from xuanpei.training.factories import (
    AttendanceFactory,
    TrainingSessionFactory,
    UnitPostFactory,
    local,
)
from xuanpei.training.metrics import GRID_SESSIONS
from xuanpei.training.models import TrainingSession

pytestmark = pytest.mark.django_db

MET = QuarterStatus.MET
NOT_MET = QuarterStatus.NOT_MET
IN_PROGRESS = QuarterStatus.IN_PROGRESS
NOT_STARTED = QuarterStatus.NOT_STARTED
GRID = TrainingSession.Kind.GRID_OFFICER
HELD = TrainingSession.Status.HELD


def grid_session(unit, starts_at, *attendees, status=HELD, kind=GRID, title="网格员培训"):
    session = TrainingSessionFactory(
        unit=unit,
        kind=kind,
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        title=title,
    )
    for person in attendees:
        AttendanceFactory(session=session, person=person)
    return session


def officer(unit, name, **dates):
    return UnitPostFactory(unit=unit, person__name=name, **dates).person


def statuses(m, unit):
    row = next(r for r in m.rows if r.unit.pk == unit.pk)
    return [c.status for c in row.cells]


def the_cell(m, unit, number):
    row = next(r for r in m.rows if r.unit.pk == unit.pk)
    return row.cells[number - 1]


# Quarter boundaries in local time ---------------------------------------------------------


def test_a_class_at_2330_on_31_march_is_q1_and_one_at_0010_on_1_april_is_q2(district):
    a = district.town_a_unit
    wang = officer(district.street_a, "王网格")
    grid_session(a, local(2026, 3, 31, 23, 30), wang)
    m = grid.matrix(2026, units=[a], on=date(2027, 1, 1))
    assert statuses(m, a) == [MET, NOT_MET, NOT_MET, NOT_MET]

    b = district.town_b_unit
    li = officer(district.town_b_sub, "李网格")
    grid_session(b, local(2026, 4, 1, 0, 10), li)  # 2026-03-31 16:10 UTC
    m = grid.matrix(2026, units=[b], on=date(2027, 1, 1))
    assert statuses(m, b) == [NOT_MET, MET, NOT_MET, NOT_MET]
    assert the_cell(m, b, 2).sessions[0].day == date(2026, 4, 1)


def test_the_year_end_belongs_to_q4_and_new_year_to_the_next_years_q1(district):
    a = district.town_a_unit
    zhao = officer(a, "赵网格")
    grid_session(a, local(2026, 12, 31, 23, 30), zhao)
    grid_session(a, local(2027, 1, 1, 0, 10), zhao)
    this_year = grid.matrix(2026, units=[a], on=date(2027, 1, 1))
    assert statuses(this_year, a)[3] == MET
    assert len(the_cell(this_year, a, 4).sessions) == 1
    next_year = grid.matrix(2027, units=[a], on=date(2027, 1, 1))
    assert statuses(next_year, a) == [MET, NOT_STARTED, NOT_STARTED, NOT_STARTED]


def test_on_31_march_q1_is_in_progress_and_on_1_april_it_is_not_met(district):
    a = district.town_a_unit
    officer(a, "钱网格")
    assert statuses(grid.matrix(2026, units=[a], on=date(2026, 3, 31)), a)[0] == IN_PROGRESS
    assert statuses(grid.matrix(2026, units=[a], on=date(2026, 4, 1)), a)[:2] == [
        NOT_MET,
        IN_PROGRESS,
    ]


# The matrix against hand-built worlds ------------------------------------------------------


def test_a_town_whose_officers_all_attended_is_green_and_its_sibling_stays_red(district):
    a, b = district.town_a_unit, district.town_b_unit
    zhang = officer(district.street_a, "张网格")
    chen = officer(district.village_a, "陈网格")
    officer(district.town_b_sub, "刘网格")
    # 东新城: one held class in Q1 organised by 甲街道 (below it) with both its officers.
    grid_session(district.street_a, local(2026, 2, 10, 9), zhang, chen)
    # 西新城: a draft (planned, not held) class and a held class of another kind.
    grid_session(b, local(2026, 2, 11, 9), status=TrainingSession.Status.DRAFT)
    grid_session(b, local(2026, 2, 12, 9), kind=TrainingSession.Kind.SECTOR)
    m = grid.matrix(2026, units=[a, b], on=date(2026, 5, 15))
    assert statuses(m, a) == [MET, IN_PROGRESS, NOT_STARTED, NOT_STARTED]
    assert statuses(m, b) == [NOT_MET, IN_PROGRESS, NOT_STARTED, NOT_STARTED]
    assert [o.name for o in the_cell(m, b, 1).missed] == ["刘网格"]
    assert the_cell(m, b, 1).sessions == []


def test_an_officer_who_missed_every_class_keeps_the_quarter_red_and_is_named(district):
    a = district.town_a_unit
    zhang = officer(district.street_a, "张网格")
    officer(district.village_a, "孙网格")
    grid_session(a, local(2026, 7, 8, 14), zhang)
    grid_session(a, local(2026, 8, 8, 14), zhang)
    m = grid.matrix(2026, units=[a], on=date(2026, 10, 1))
    cell = the_cell(m, a, 3)
    assert cell.status == NOT_MET
    assert [o.name for o in cell.missed] == ["孙网格"]
    assert [o.name for o in cell.attended] == ["张网格"]


def test_a_classes_attendance_at_another_town_does_not_count_for_this_one(district):
    a, b = district.town_a_unit, district.town_b_unit
    zhang = officer(district.street_a, "张网格")
    grid_session(b, local(2026, 2, 10, 9), zhang)  # 西新城's class
    m = grid.matrix(2026, units=[a, b], on=date(2026, 4, 1))
    assert statuses(m, a)[0] == NOT_MET
    assert statuses(m, b)[0] == MET  # 西新城 held one and has no officer of its own


def test_an_officer_who_left_mid_quarter_before_its_class_does_not_owe_it(district):
    a = district.town_a_unit
    zhang = officer(a, "张网格")
    officer(a, "周网格", end_date=date(2026, 2, 1))  # left before the class of 10 March
    grid_session(a, local(2026, 3, 10, 9), zhang)
    cell = the_cell(grid.matrix(2026, units=[a], on=date(2026, 4, 1)), a, 1)
    assert cell.status == MET
    assert sorted(o.name for o in cell.officers) == ["周网格", "张网格"]
    assert [o.name for o in cell.owed] == ["张网格"]


def test_an_officer_who_left_after_a_class_he_missed_keeps_the_quarter_red(district):
    a = district.town_a_unit
    zhang = officer(a, "张网格")
    officer(a, "吴网格", end_date=date(2026, 3, 20))  # in post on 10 March, absent
    grid_session(a, local(2026, 3, 10, 9), zhang)
    cell = the_cell(grid.matrix(2026, units=[a], on=date(2026, 4, 1)), a, 1)
    assert cell.status == NOT_MET
    assert [o.name for o in cell.missed] == ["吴网格"]
    # Q2: he has left; only 张 is in post, and Q2 has no class yet.
    q2 = the_cell(grid.matrix(2026, units=[a], on=date(2026, 4, 1)), a, 2)
    assert [o.name for o in q2.owed] == ["张网格"] and q2.status == IN_PROGRESS


def test_an_officer_appointed_in_q2_is_not_owed_q1(district):
    a = district.town_a_unit
    zhang = officer(a, "张网格")
    officer(a, "郑网格", start_date=date(2026, 4, 1))
    grid_session(a, local(2026, 3, 10, 9), zhang)
    m = grid.matrix(2026, units=[a], on=date(2026, 7, 1))
    assert statuses(m, a)[:2] == [MET, NOT_MET]
    assert sorted(o.name for o in the_cell(m, a, 2).missed) == sorted(["郑网格", "张网格"])
    assert [o.name for o in the_cell(m, a, 1).owed] == ["张网格"]


def test_the_plans_target_sets_the_sessions_per_quarter(district):
    a = district.town_a_unit
    zhang = officer(a, "张网格")
    grid_session(a, local(2026, 1, 10, 9), zhang)
    grid_session(a, local(2026, 4, 10, 9), zhang)
    grid_session(a, local(2026, 5, 10, 9))
    assert grid.matrix(2026, units=[a], on=date(2026, 7, 1)).min_sessions == 1
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=2026), title="网格员培训")
    target = TargetFactory(task=task, name="网格员培训", value=Decimal("2"), metric=GRID_SESSIONS)
    m = grid.matrix(2026, units=[a], on=date(2026, 7, 1))
    assert m.min_sessions == 2 and m.target == target
    assert statuses(m, a)[:2] == [NOT_MET, MET]
    # Given explicitly, the task decides; another year's plan does not.
    assert grid.matrix(2026, units=[a], on=date(2026, 7, 1), task=task).min_sessions == 2
    assert grid.matrix(2027, units=[a], on=date(2027, 7, 1)).min_sessions == 1
    # A draft plan's parameter is not in force until the plan is issued.
    draft = PlanFactory(unit=district.root, year=2027, status=PlanStatus.DRAFT)
    TargetFactory(task=TaskFactory(plan=draft), value=Decimal("3"), metric=GRID_SESSIONS)
    assert grid.matrix(2027, units=[a], on=date(2027, 7, 1)).min_sessions == 1


def test_the_matrix_costs_the_same_queries_for_two_new_towns_as_for_six(district):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            m = grid.matrix(2026, on=date(2026, 7, 1))
        return len(ctx), len(m.rows)

    for unit in (district.town_a_unit, district.town_b_unit):
        grid_session(unit, local(2026, 2, 1, 9), officer(unit, f"{unit.name}网格员"))
    two = count()
    for n in range(4):
        town = add_unit(district.root, f"新城{n}", UnitKind.NEW_TOWN)
        grid_session(town, local(2026, 2, 1, 9), officer(town, f"网格员{n}"))
    six = count()
    assert two[1] == 2 and six[1] == 6
    assert two[0] == six[0] <= 5


# Pages ---------------------------------------------------------------------------------


@pytest.fixture
def world(district):
    a, b = district.town_a_unit, district.town_b_unit
    zhang = officer(district.street_a, "张网格甲")
    chen = officer(district.village_a, "陈网格甲")
    officer(district.town_b_sub, "缺课网格员乙")
    session = grid_session(
        district.street_a, local(2026, 2, 10, 9), zhang, chen, title="东城一季度网格培训"
    )
    return a, b, session


def test_a_new_town_sees_its_own_row_and_the_district_every_row(district, world, client):
    a, b, _session = world
    url = reverse("training:grid_matrix") + "?year=2026"
    client.force_login(district.town_b)
    body = client.get(url).content.decode()
    assert "西新城" in body and "东新城" not in body
    client.force_login(district.district)
    response = client.get(url)
    body = response.content.decode()
    assert "西新城" in body and "东新城" in body
    assert reverse("training:grid_cell", args=[a.pk, 2026, 1]) in body
    rows = {r.unit.name: [c.status for c in r.cells] for r in response.context["matrix"].rows}
    assert rows["东新城"][0] == MET and rows["西新城"][0] == NOT_MET
    assert 'class="table-responsive"' in body  # the matrix scrolls in its own box


def test_the_cell_lists_the_sessions_and_names_who_missed_them(district, world, client):
    a, b, _session = world
    client.force_login(district.town_b)
    body = client.get(reverse("training:grid_cell", args=[b.pk, 2026, 1])).content.decode()
    assert "缺课网格员乙" in body and "未完成" in body
    assert "张网格甲" not in body and "东城一季度网格培训" not in body
    client.force_login(district.town_a)
    body = client.get(reverse("training:grid_cell", args=[a.pk, 2026, 1])).content.decode()
    assert "东城一季度网格培训" in body and "已完成" in body
    assert "张网格甲" in body and "陈网格甲" in body and "缺课网格员乙" not in body


def test_a_foreign_new_towns_cell_is_404_and_a_sub_units_cell_redirects(district, world, client):
    a, b, _session = world
    client.force_login(district.town_b)
    for args in ([a.pk, 2026, 1], [district.village_a.pk, 2026, 1], [a.pk]):
        response = client.get(reverse("training:grid_cell", args=args))
        assert response.status_code == 404
        assert "张网格甲" not in response.content.decode()
    client.force_login(district.town_a)
    response = client.get(reverse("training:grid_cell", args=[district.village_a.pk, 2026, 1]))
    assert response.status_code == 302
    assert response["Location"] == reverse("training:grid_cell", args=[a.pk, 2026, 1])
    assert client.get(reverse("training:grid_cell", args=[a.pk, 2026, 5])).status_code == 404
    assert client.get(reverse("training:grid_cell", args=[a.pk])).status_code == 200


def test_an_enterprise_account_is_refused_the_matrix(district, client):
    client.force_login(district.enterprise)
    assert client.get(reverse("training:grid_matrix")).status_code == 403


def test_the_matrix_page_reads_a_fixed_number_of_queries(
    district, world, client, django_assert_max_num_queries
):
    for n in range(4):
        town = add_unit(district.root, f"新城{n}", UnitKind.NEW_TOWN)
        grid_session(town, local(2026, 2, 1, 9), officer(town, f"网格员{n}"))
    client.force_login(district.district)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("training:grid_matrix") + "?year=2026")
    assert len(response.context["matrix"].rows) == 6
