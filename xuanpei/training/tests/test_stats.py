"""Training statistics (issue #12 item 10): the numbers against a hand-built world.

人次 = attendance rows, 人数 = distinct people, 学时 = credited hours, 班次 = held or
archived sessions (a planned one is not training delivered). A session belongs to
the year and quarter of its local start (Asia/Shanghai). Scope: a new town never
counts its sibling's sessions; a department sees its supervised enterprises.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xuanpei.orgs.factories import SectorFactory
from xuanpei.plans.choices import PlanKind, TaskKind, Timeframe
from xuanpei.plans.factories import AssignmentFactory, PlanFactory, TargetFactory, TaskFactory
from xuanpei.training import stats
from xuanpei.training.factories import AttendanceFactory, TrainingSessionFactory, local
from xuanpei.training.models import TrainingSession
from xuanpei.workforce.factories import PersonFactory

pytestmark = pytest.mark.django_db
YEAR = 2025
K = TrainingSession.Kind
HELD, ARCHIVED, DRAFT = (
    TrainingSession.Status.HELD,
    TrainingSession.Status.ARCHIVED,
    TrainingSession.Status.DRAFT,
)


def _session(unit, kind, start, hours, *, status=HELD, **kwargs):
    return TrainingSessionFactory(
        unit=unit,
        kind=kind,
        starts_at=start,
        ends_at=start + timedelta(hours=float(hours)),
        hours=Decimal(hours),
        status=status,
        **kwargs,
    )


def _attend(session, person, hours):
    return AttendanceFactory(session=session, person=person, hours_credited=Decimal(hours))


@pytest.fixture
def world(district):
    d = district
    d.hazchem = SectorFactory(name="危险化学品", code="hazchem_test", high_risk=True)
    d.supervised.sector = d.hazchem
    d.supervised.save()
    p = d.people = [PersonFactory() for _ in range(6)]
    plan = PlanFactory(unit=d.root, year=YEAR, kind=PlanKind.DISTRICT)
    d.grid_task = TaskFactory(
        plan=plan, kind=TaskKind.TRAINING, number="三(二)3(3)", timeframe=Timeframe.QUARTERLY
    )
    TargetFactory(task=d.grid_task, name="网格员培训", per_period=True)
    d.cadre_task = TaskFactory(plan=plan, kind=TaskKind.TRAINING, number="三(二)1(1)")
    d.sector_task = TaskFactory(plan=plan, kind=TaskKind.TRAINING, number="三(二)1(2)")
    d.publicity_task = TaskFactory(plan=plan, kind=TaskKind.PUBLICITY, number="三(一)1")
    # 网格员每季度培训 is the new towns' task; the cadre class is the district's own.
    AssignmentFactory(task=d.grid_task, unit=d.town_a_unit)
    AssignmentFactory(task=d.grid_task, unit=d.town_b_unit)
    # 东新城: a grid-officer class in Q1 (本级) and an enterprise's class in Q2 (甲街道).
    d.s1 = _session(d.town_a_unit, K.GRID_OFFICER, local(YEAR, 2, 10, 9), 3, task=d.grid_task)
    _attend(d.s1, p[0], "3")
    _attend(d.s1, p[1], "2")
    d.s2 = _session(d.street_a, K.SECTOR, local(YEAR, 5, 20, 9), 4, enterprise=d.ent_a1)
    _attend(d.s2, p[0], "4")
    _attend(d.s2, p[2], "4")
    # 西新城: a grid-officer class in Q3, and its supervised enterprise's class in Q3.
    d.s3 = _session(d.town_b_sub, K.GRID_OFFICER, local(YEAR, 8, 1, 9), 2, task=d.grid_task)
    _attend(d.s3, p[3], "2")
    d.s7 = _session(d.town_b_sub, K.ALL_STAFF, local(YEAR, 7, 15, 9), 2, enterprise=d.supervised)
    _attend(d.s7, p[5], "2")
    # The district's cadre class, archived, late on 31 December (local time): Q4.
    d.s4 = _session(
        d.root, K.CADRE_TOPIC, local(YEAR, 12, 31, 14), 8, status=ARCHIVED, task=d.cadre_task
    )
    _attend(d.s4, p[4], "8")
    # Not counted: a planned class (even linked to a task), and one starting 00:30 on
    # 1 January of the next year local time (still the 31st in UTC).
    planned = _session(d.town_a_unit, K.GRID_OFFICER, local(YEAR, 6, 1, 9), 2, status=DRAFT)
    planned.task = d.grid_task
    planned.save()
    _attend(planned, p[1], "2")
    next_year = _session(d.town_a_unit, K.GRID_OFFICER, local(YEAR + 1, 1, 1, 0, 30), 2)
    _attend(next_year, p[1], "2")
    return d


def _numbers(row):
    return (row.sessions, row.attendances, row.people, row.hours)


def _by_label(rows):
    return {r.label: _numbers(r) for r in rows}


def test_the_district_counts_every_held_session_of_the_year(world):
    got = stats.tables(world.district, YEAR, today=date(YEAR, 11, 20))
    # p1 attended twice: 7 人次, 6 people; hours 3+2+4+4+2+2+8.
    assert _numbers(got["totals"]) == (5, 7, 6, Decimal(25))
    kinds = _by_label(got["kind"])
    assert len(kinds) == len(K.choices)  # every kind, zeros included (the pie and the table)
    assert kinds["网格员培训"] == (2, 3, 3, Decimal(7))
    assert kinds["行业专项培训"] == (1, 2, 2, Decimal(8))
    assert kinds["干部专题培训"] == (1, 1, 1, Decimal(8))
    assert kinds["企业全员培训"] == (1, 1, 1, Decimal(2))
    assert kinds["网络培训"] == (0, 0, 0, 0)
    assert _by_label(got["unit"]) == {
        "测试区（本级）": (1, 1, 1, Decimal(8)),
        "东新城": (2, 4, 3, Decimal(13)),
        "西新城": (2, 2, 2, Decimal(4)),
        "教育局": (0, 0, 0, 0),
        "住建局": (0, 0, 0, 0),
    }
    assert _by_label(got["sector"]) == {
        "工矿商贸": (1, 2, 2, Decimal(8)),
        "危险化学品": (1, 1, 1, Decimal(2)),
    }
    assert [_numbers(r)[:2] for r in got["quarter"]] == [(1, 2), (1, 2), (2, 2), (1, 1)]


def test_a_new_town_counts_its_subtree_and_never_its_sibling(world):
    east = stats.tables(world.town_a, YEAR)
    assert _numbers(east["totals"]) == (2, 4, 3, Decimal(13))
    assert _by_label(east["unit"]) == {
        "东新城（本级）": (1, 2, 2, Decimal(5)),
        "甲街道": (1, 2, 2, Decimal(8)),
    }
    assert [r.sessions for r in east["quarter"]] == [1, 1, 0, 0]
    west = stats.tables(world.town_b, YEAR)
    assert _numbers(west["totals"]) == (2, 2, 2, Decimal(4))
    assert _by_label(west["unit"]) == {"乙镇": (2, 2, 2, Decimal(4))}  # no 本级 class
    assert "工矿商贸" not in _by_label(west["sector"])


def test_a_department_sees_its_supervised_enterprise_and_an_enterprise_itself(world):
    dept = stats.tables(world.department, YEAR)
    assert _numbers(dept["totals"]) == (1, 1, 1, Decimal(2))
    assert _by_label(dept["unit"]) == {"辖区外监管企业": (1, 1, 1, Decimal(2))}
    own = stats.tables(world.enterprise, YEAR)
    assert "unit" not in own  # no unit tree for an enterprise account
    assert _numbers(own["totals"]) == (1, 2, 2, Decimal(8))


def test_a_unit_narrows_every_table_to_its_subtree(world):
    got = stats.tables(world.district, YEAR, unit=world.town_a_unit)
    assert _numbers(got["totals"]) == (2, 4, 3, Decimal(13))
    assert f"unit={world.town_a_unit.pk}" in got["kind"][0].url


def test_the_schedule_sets_planned_against_held(world):
    rows = {
        r.task.number: r
        for r in stats.tables(world.district, YEAR, today=date(YEAR, 11, 20))["schedule"]
    }
    assert set(rows) == {"三(二)3(3)", "三(二)1(1)", "三(二)1(2)"}  # training tasks only
    grid = rows["三(二)3(3)"]
    # Q1 and Q3 held (the planned June class does not count): Q2 ended without one.
    assert (grid.sessions, grid.attendances, grid.hours) == (2, 3, Decimal(7))
    assert grid.last_day == date(YEAR, 8, 1)
    assert grid.state == stats.ScheduleState.OVERDUE and len(grid.missing) == 1
    assert "二" in grid.missing[0]
    assert grid.targets and f"task={world.grid_task.pk}" in grid.url
    cadre = rows["三(二)1(1)"]
    assert cadre.state == stats.ScheduleState.DELIVERED and cadre.last_day == date(YEAR, 12, 31)
    assert rows["三(二)1(2)"].state == stats.ScheduleState.PENDING
    # A new town is shown the tasks assigned to it, counted over its own subtree: its
    # Q1 class is there, Q2 and Q3 ended without one.
    [east] = stats.tables(world.town_a, YEAR, today=date(YEAR, 11, 20))["schedule"]
    assert east.task == world.grid_task and east.sessions == 1 and len(east.missing) == 2
    after = stats.tables(world.district, YEAR, today=date(YEAR + 1, 1, 10))["schedule"]

    assert {r.task.number: r.state for r in after}["三(二)1(2)"] == stats.ScheduleState.OVERDUE


def test_every_number_links_to_the_sessions_behind_it(world):
    got = stats.tables(world.district, YEAR)
    grid = next(r for r in got["kind"] if r.label == "网格员培训")
    assert grid.url.startswith(reverse("training:session_list"))
    assert f"year={YEAR}" in grid.url and "kind=grid_officer" in grid.url
    assert "status=done" in grid.url  # what the numbers count
    q3 = got["quarter"][2]
    assert f"date_from={YEAR}-07-01" in q3.url and f"date_to={YEAR}-09-30" in q3.url
    east = next(r for r in got["unit"] if r.label == "东新城")
    assert f"unit={world.town_a_unit.pk}" in east.url and east.drill == world.town_a_unit.pk


def test_the_page_shows_the_numbers_and_the_charts_data(world, client):
    client.force_login(world.district)
    response = client.get(reverse("training:stats"), {"year": YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-stat="attendances">7<' in body and "training-stats-data" in body
    assert "三(二)3(3)" in body and 'data-state="' in body


def test_a_sibling_new_town_and_a_foreign_unit_parameter(world, client):
    client.force_login(world.town_b)
    response = client.get(reverse("training:stats"), {"year": YEAR})
    assert 'data-stat="sessions">2<' in response.content.decode()
    assert "东新城" not in response.content.decode()
    foreign = client.get(reverse("training:stats"), {"year": YEAR, "unit": world.town_a_unit.pk})
    assert foreign.status_code == 404
    assert client.get(reverse("training:stats"), {"unit": "x"}).status_code == 404


def test_the_export_has_one_sheet_per_table(world, client):
    client.force_login(world.district)
    response = client.get(reverse("training:stats_export"), {"year": YEAR})
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    names = book.sheetnames
    assert names[0] == "合计" and len(names) == 6
    assert [
        str(stats.TABLES[n])[:31] for n in ("kind", "unit", "sector", "quarter", "schedule")
    ] == names[1:]
    total = list(book["合计"].iter_rows(values_only=True))
    assert total[1][:3] == ("合计", 5, 7)
    # The enterprise's own export: no unit sheet.
    client.force_login(world.enterprise)
    response = client.get(reverse("training:stats_export"), {"year": YEAR})
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert len(book.sheetnames) == 5


def test_the_page_answers_with_few_queries(world, client, django_assert_max_num_queries):
    client.force_login(world.district)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:stats"), {"year": YEAR}).status_code == 200


def _names(client, **params):
    response = client.get(reverse("training:stats_people"), params)
    assert response.status_code == 200
    return {r["person__name"]: (r["times"], r["hours"]) for r in response.context["object_list"]}


def test_a_number_drills_down_to_the_names_it_counts(world, client):
    client.force_login(world.district)
    got = stats.tables(world.district, YEAR)
    grid = next(r for r in got["kind"] if r.label == "网格员培训")
    assert grid.people_url.startswith(reverse("training:stats_people"))
    response = client.get(grid.people_url)
    names = {r["person__name"]: r["times"] for r in response.context["object_list"]}
    # 3 人次 by 3 people: p1 and p2 (东新城, Q1) and p4 (西新城, Q3); not the planned
    # June class's p2 nor the next year's class.
    p = world.people
    assert names == {p[0].name: 1, p[1].name: 1, p[3].name: 1}
    assert len(names) == grid.people and sum(names.values()) == grid.attendances
    # Every filter a link names narrows the same way: 东新城's subtree, 2 classes of p1.
    east = _names(client, year=YEAR, unit=world.town_a_unit.pk)
    assert east == {p[0].name: (2, Decimal(7)), p[1].name: (1, 2), p[2].name: (1, 4)}
    assert _names(client, year=YEAR, sector=world.hazchem.pk) == {p[5].name: (1, 2)}
    q3 = _names(client, year=YEAR, date_from=f"{YEAR}-07-01", date_to=f"{YEAR}-09-30")
    assert set(q3) == {p[3].name, p[5].name}
    assert set(_names(client, year=YEAR, task=world.cadre_task.pk)) == {p[4].name}
    # The ID number is masked; the whole number never reaches this page.
    body = client.get(reverse("training:stats_people"), {"year": YEAR}).content.decode()
    assert p[0].id_number not in body and p[0].id_number[-4:] in body


def test_the_names_page_refuses_bad_and_foreign_filters_in_chinese(world, client):
    client.force_login(world.town_b)
    p = world.people
    assert _names(client, year=YEAR) == {p[3].name: (1, 2), p[5].name: (1, 2)}  # 乙镇's two
    foreign = client.get(
        reverse("training:stats_people"), {"year": YEAR, "unit": world.town_a_unit.pk}
    )
    assert foreign.status_code == 200 and not foreign.context["object_list"]
    assert "单位" in foreign.content.decode() and "alert-danger" in foreign.content.decode()
    backwards = client.get(
        reverse("training:stats_people"),
        {"year": YEAR, "date_from": f"{YEAR}-09-30", "date_to": f"{YEAR}-07-01"},
    )
    assert "结束日期不能早于开始日期" in backwards.content.decode()


def test_an_enterprise_reads_its_own_numbers_without_the_plan(world, client):
    client.force_login(world.enterprise)
    response = client.get(reverse("training:stats"), {"year": YEAR})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-stat="attendances">2<' in body
    assert 'id="table-schedule"' not in body and 'id="table-unit"' not in body
