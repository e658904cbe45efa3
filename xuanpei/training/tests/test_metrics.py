"""Training into the plan's computed targets (issue #12 item 9): "网格员培训 ≥ 1 次/季度",
"培训人次 ≥ N" are counted from held sessions and their attendance — the one mechanism of
`plans.metrics` — per quarter by the class's local start date (31 Mar 23:30 is Q1,
1 Apr 00:10 is Q2), over the unit's subtree."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from xuanpei.plans import metrics as plan_metrics
from xuanpei.plans import services
from xuanpei.plans.choices import AssignmentStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment
from xuanpei.plans.status_bulk import read_assignments
from xuanpei.training import metrics as training_metrics
from xuanpei.training.factories import AttendanceFactory, TrainingSessionFactory, local
from xuanpei.training.metrics import ATTENDANCES, GRID_SESSIONS, SESSIONS
from xuanpei.training.models import TrainingSession

pytestmark = pytest.mark.django_db

HELD = TrainingSession.Status.HELD
ARCHIVED = TrainingSession.Status.ARCHIVED
DRAFT = TrainingSession.Status.DRAFT
GRID = TrainingSession.Kind.GRID_OFFICER


def session(unit, starts_at, *, task=None, status=HELD, kind=TrainingSession.Kind.SECTOR, people=0):
    s = TrainingSessionFactory(
        unit=unit,
        task=task,
        status=status,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
    )
    for _ in range(people):
        AttendanceFactory(session=s)
    return s


@pytest.fixture
def task(district):
    plan = PlanFactory(unit=district.root, year=2026)
    task = TaskFactory(
        plan=plan, number="三(二)3", title="网格员培训", timeframe=Timeframe.QUARTERLY
    )
    task.lead_units.set([district.town_a_unit, district.town_b_unit])
    return task


def sync(task):
    services.sync_assignments(task)
    return {a.unit_id: a for a in Assignment.objects.filter(task=task).select_related("task__plan")}


def by_period(assignment, target, on=date(2026, 6, 1)):
    reading = read_assignments([assignment], on)[assignment.pk]
    return next(r for r in reading.progress if r.target.pk == target.pk).by_period


def test_sessions_and_attendances_count_per_quarter_by_local_start_over_the_subtree(district, task):
    sessions = TargetFactory(task=task, name="培训期数", per_period=True, metric=SESSIONS)
    people = TargetFactory(task=task, name="培训人次", per_period=True, metric=ATTENDANCES)
    a, b = district.town_a_unit, district.town_b_unit
    other_task = TaskFactory(plan=task.plan, number="三(二)4")
    session(a, local(2026, 3, 31, 23, 30), task=task, people=3)  # Q1
    session(district.street_a, local(2026, 4, 1, 0, 10), task=task, people=2)  # Q2
    session(district.village_a, local(2026, 9, 30, 23, 59), task=task, status=ARCHIVED, people=1)
    session(a, local(2026, 10, 1, 0, 0), task=task, people=4)  # Q4
    # Not counted: a draft, another task, no task, another town, another year.
    session(a, local(2026, 2, 1, 9), task=task, status=DRAFT, people=5)
    session(a, local(2026, 2, 1, 9), task=other_task, people=5)
    session(a, local(2026, 2, 1, 9), people=5)
    session(b, local(2026, 2, 1, 9), task=task, people=1)
    session(a, local(2027, 1, 1, 0, 10), task=task, people=5)
    rows = sync(task)
    assert by_period(rows[a.pk], sessions) == {
        "2026Q1": 1, "2026Q2": 1, "2026Q3": 1, "2026Q4": 1,
    }  # fmt: skip
    assert by_period(rows[a.pk], people) == {
        "2026Q1": 3, "2026Q2": 2, "2026Q3": 1, "2026Q4": 4,
    }  # fmt: skip
    assert by_period(rows[b.pk], sessions) == {
        "2026Q1": 1, "2026Q2": 0, "2026Q3": 0, "2026Q4": 0,
    }  # fmt: skip


def test_grid_sessions_count_held_grid_officer_classes_whatever_task_they_name(district, task):
    target = TargetFactory(
        task=task, name="网格员培训", value=Decimal("1"), per_period=True, metric=GRID_SESSIONS
    )
    a = district.town_a_unit
    session(district.street_a, local(2026, 3, 31, 23, 30), kind=GRID)
    session(a, local(2026, 4, 1, 0, 10), kind=GRID, task=task)
    session(a, local(2026, 4, 2, 9), kind=GRID, status=DRAFT)  # planned: not counted
    session(a, local(2026, 4, 3, 9), task=task)  # another kind: not counted
    session(district.town_b_unit, local(2026, 5, 1, 9), kind=GRID)
    rows = sync(task)
    assert by_period(rows[a.pk], target) == {
        "2026Q1": 1, "2026Q2": 1, "2026Q3": 0, "2026Q4": 0,
    }  # fmt: skip
    url = plan_metrics.period_values(rows[a.pk], [target])[0]["periods"][1]["url"]
    # The session list filtered the same way (query names agreed with its FilterSet).
    assert url.startswith(reverse("training:session_list") + "?")
    assert f"unit={a.pk}" in url and "kind=grid_officer" in url
    assert "date_from=2026-04-01" in url and "date_to=2026-06-30" in url
    assert "status=done" in url


def test_the_assignment_page_shows_the_computed_value(district, task, client):
    TargetFactory(task=task, name="培训人次", value=Decimal("10"), metric=ATTENDANCES)
    session(district.street_a, local(2026, 3, 31, 23, 30), task=task, people=4)
    session(district.village_a, local(2026, 11, 2, 9), task=task, people=3)
    a = sync(task)[district.town_a_unit.pk]
    client.force_login(district.town_a)
    response = client.get(reverse("plans:assignment_detail", args=[a.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    targets = body[body.index('id="target-list"') :]
    targets = targets[: targets.index("</ul>")]
    assert "自动统计" in targets and ">7<" in targets.replace(" ", "")


def test_a_session_held_or_an_attendance_added_refreshes_the_cached_status(
    district, django_capture_on_commit_callbacks
):
    plan = PlanFactory(unit=district.root, year=2024)
    task = TaskFactory(plan=plan, number="三(二)5", timeframe=Timeframe.ALL_YEAR)
    task.lead_units.set([district.town_a_unit])
    TargetFactory(task=task, name="培训人次", value=Decimal("2"), metric=ATTENDANCES)
    a = sync(task)[district.town_a_unit.pk]
    services.save_report(a, actor=district.town_a, period_key="2024", summary="已培训")
    report = a.reports.get()
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=True)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OVERDUE  # the year is over, the target short

    with django_capture_on_commit_callbacks(execute=True):
        s = session(district.street_a, local(2024, 12, 31, 23, 30), task=task, status=DRAFT)
        AttendanceFactory(session=s)
        AttendanceFactory(session=s)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OVERDUE  # a planned class counts for nothing
    with django_capture_on_commit_callbacks(execute=True):
        s.status = HELD
        s.save()
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ACCEPTED
    with django_capture_on_commit_callbacks(execute=True):
        s.attendances.first().delete()
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OVERDUE
    # Moved to another task: the old task's status moves back too.
    with django_capture_on_commit_callbacks(execute=True):
        AttendanceFactory(session=s)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ACCEPTED
    with django_capture_on_commit_callbacks(execute=True):
        s.task = TaskFactory(plan=plan, number="三(二)6")
        s.save()
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OVERDUE


def test_a_sign_in_refreshes_statuses_only_where_attendance_is_counted(
    district, task, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    TargetFactory(task=task, name="培训期数", metric=SESSIONS)
    sync(task)
    s = session(district.street_a, local(2026, 3, 2, 9), task=task)
    unlinked = session(district.street_a, local(2026, 3, 2, 9))
    training_metrics._flush()  # what the sessions' saves queued (the test never commits)

    def flush_queries(attendance_session):
        with django_capture_on_commit_callbacks() as callbacks:
            AttendanceFactory(session=attendance_session)
        with CaptureQueriesContext(connection) as ctx:
            for callback in callbacks:
                callback()
        return len(ctx)

    assert flush_queries(unlinked) == 0  # the session is at hand: nothing to look up
    assert flush_queries(s) == 2  # its task counts sessions, not attendance: no refresh
    TargetFactory(task=task, name="培训人次", metric=ATTENDANCES)
    assert flush_queries(s) > 2  # now it does: the statuses are refreshed
