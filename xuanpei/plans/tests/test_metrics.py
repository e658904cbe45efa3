"""Computed plan targets (issue #11 item 6): a target counted from records, not typed.

"五进活动 ≥ 1 次/季度" counts the unit's (and its sub-units') accepted activities
linked to the task, held in the period — pinned to hand-counted records across the
Q1/Q2 boundary (03-31 in Q1, 04-01 in Q2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans import metrics, services
from xuanpei.plans.choices import AssignmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import (
    PlanFactory,
    ProgressReportFactory,
    ReportQuantityFactory,
    TargetFactory,
    TaskFactory,
)
from xuanpei.plans.models import Assignment, ReportQuantity
from xuanpei.plans.status_bulk import read_assignments
from xuanpei.publicity.factories_ledger import ActivityFactory
from xuanpei.publicity.metrics import ACTIVITIES, MEDIA_POSTS
from xuanpei.publicity.models_ledger import ReviewStatus

pytestmark = pytest.mark.django_db
ACCEPTED = ReviewStatus.ACCEPTED


@pytest.fixture
def task(district):
    plan = PlanFactory(unit=district.root, year=2024)
    task = TaskFactory(plan=plan, number="三(一)2", title="五进活动", timeframe=Timeframe.QUARTERLY)
    task.lead_units.set([district.town_a_unit, district.town_b_unit])
    return task


@pytest.fixture
def computed(task):
    return TargetFactory(
        task=task, name="五进活动", value=Decimal("1"), per_period=True, metric=ACTIVITIES
    )


def sync(task):
    services.sync_assignments(task)
    return {a.unit_id: a for a in Assignment.objects.filter(task=task).select_related("task__plan")}


def progress(assignment, target):
    reading = read_assignments([assignment], date(2024, 6, 1))[assignment.pk]
    return next(row for row in reading.progress if row.target.pk == target.pk)


def test_a_computed_target_counts_accepted_linked_activities_of_the_subtree_per_quarter(
    district, task, computed
):
    other_task = TaskFactory(plan=task.plan, number="三(一)3")
    a, b = district.town_a_unit, district.town_b_unit
    ActivityFactory(unit=a, held_on=date(2024, 3, 31), status=ACCEPTED, tasks=[task])
    ActivityFactory(unit=district.street_a, held_on=date(2024, 4, 1), status=ACCEPTED, tasks=[task])
    ActivityFactory(
        unit=district.village_a, held_on=date(2024, 4, 1), status=ACCEPTED, tasks=[task]
    )
    ActivityFactory(unit=a, held_on=date(2024, 6, 30), status=ACCEPTED, tasks=[task, other_task])
    # Not counted: not accepted, another task, no task, another unit, another year.
    ActivityFactory(unit=a, held_on=date(2024, 3, 31), status=ReviewStatus.SUBMITTED, tasks=[task])
    ActivityFactory(unit=a, held_on=date(2024, 3, 31), status=ACCEPTED, tasks=[other_task])
    ActivityFactory(unit=a, held_on=date(2024, 3, 31), status=ACCEPTED)
    ActivityFactory(unit=b, held_on=date(2024, 7, 1), status=ACCEPTED, tasks=[task])
    ActivityFactory(unit=a, held_on=date(2025, 1, 1), status=ACCEPTED, tasks=[task])
    rows = sync(task)

    row = progress(rows[a.pk], computed)
    assert row.by_period == {"2024Q1": 1, "2024Q2": 3, "2024Q3": 0, "2024Q4": 0}
    assert row.total == 4 and row.periods_met == 2 and not row.met
    assert progress(rows[b.pk], computed).by_period == {
        "2024Q1": 0, "2024Q2": 0, "2024Q3": 1, "2024Q4": 0,
    }  # fmt: skip


def test_typed_targets_keep_their_reports_and_a_typed_value_for_a_computed_one_is_ignored(
    district, task, computed
):
    typed = TargetFactory(task=task, name="发放资料", value=Decimal("100"), unit_label="份")
    a = sync(task)[district.town_a_unit.pk]
    report = ProgressReportFactory(assignment=a, period_key="2024Q1", status=ReportStatus.ACCEPTED)
    ReportQuantityFactory(report=report, target=typed, value=Decimal("120"))
    ReportQuantityFactory(report=report, target=computed, value=Decimal("99"))  # stale, typed

    assert progress(a, typed).by_period == {"2024Q1": Decimal("120")}
    assert progress(a, typed).met
    assert progress(a, computed).total == 0


def test_the_status_turns_accepted_when_the_activities_meet_the_target(
    district, django_capture_on_commit_callbacks
):
    plan = PlanFactory(unit=district.root, year=2024)
    task = TaskFactory(plan=plan, number="三(一)5", timeframe=Timeframe.ALL_YEAR)
    task.lead_units.set([district.town_a_unit])
    TargetFactory(task=task, name="品牌活动", value=Decimal("2"), metric=ACTIVITIES)
    a = sync(task)[district.town_a_unit.pk]
    report = services.save_report(a, actor=district.town_a, period_key="2024", summary="已开展")
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=True)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OVERDUE  # the year is over, the target short

    with django_capture_on_commit_callbacks(execute=True):
        for day in (date(2024, 1, 1), date(2024, 12, 31)):
            act = ActivityFactory(
                unit=district.street_a, held_on=day, status=ReviewStatus.SUBMITTED, tasks=[task]
            )
    a.refresh_from_db()
    assert a.status == AssignmentStatus.OVERDUE  # submitted activities count for nothing
    with django_capture_on_commit_callbacks(execute=True):
        for act in task.activities.all():
            act.status = ACCEPTED
            act.save()
    a.refresh_from_db()  # the records' signals refreshed the cached status
    assert a.status == AssignmentStatus.ACCEPTED
    assert metrics.refresh_for(act.unit, [task.pk]) == 1


def test_the_report_form_shows_the_value_read_only_and_form_and_api_refuse_a_typed_one(
    district, task, computed, client
):
    a = sync(task)[district.town_a_unit.pk]
    act = ActivityFactory(
        unit=district.street_a, held_on=date(2024, 2, 2), status=ACCEPTED, tasks=[task]
    )
    client.force_login(district.town_a)
    add = reverse("plans:report_add", args=[a.pk])
    body = client.get(add).content.decode()
    assert 'id="computed-targets"' in body
    assert f'name="target_{computed.pk}"' not in body
    # The link to the records behind Q1's value (the ledger's list, filtered).
    assert f"task={task.pk}" in body and "start=2024-01-01" in body
    assert "end=2024-03-31" in body and "status=accepted" in body
    [link] = metrics.period_values(a, [computed])[0]["periods"][:1]
    assert act.title in client.get(link["url"]).content.decode()

    data = {"period_key": "2024Q1", "summary": "开展五进活动", f"target_{computed.pk}": "50"}
    response = client.post(add, data)
    assert response.status_code == 302
    assert not ReportQuantity.objects.filter(target=computed).exists()

    api = APIClient()
    api.force_authenticate(district.town_a)
    payload = {
        "assignment": a.pk,
        "period_key": "2024Q1",
        "summary": "开展五进活动",
        "quantities": [{"target": computed.pk, "value": "50"}],
    }
    response = api.post(reverse("api:progressreport-list"), payload, format="json")
    assert response.status_code == 400
    assert "五进活动" in str(response.json()["quantities"])
    assert a.reports.count() == 1  # the form's; nothing half-written by the API


def test_media_posts_count_by_published_day_and_link_to_their_list(district, task, client):
    from xuanpei.publicity.factories_media import MediaPostFactory

    target = TargetFactory(task=task, name="新媒体发布", per_period=True, metric=MEDIA_POSTS)
    a = sync(task)[district.town_a_unit.pk]
    for unit, day in (
        (district.street_a, date(2024, 3, 31)),
        (district.town_a_unit, date(2024, 4, 1)),
    ):
        MediaPostFactory(unit=unit, published_on=day).tasks.set([task])
    unlinked = MediaPostFactory(unit=district.town_a_unit, published_on=date(2024, 4, 1))
    assert progress(a, target).by_period == {"2024Q1": 1, "2024Q2": 1, "2024Q3": 0, "2024Q4": 0}
    q2 = metrics.period_values(a, [target])[0]["periods"][1]["url"]
    client.force_login(district.town_a)
    body = client.get(q2).content.decode()
    assert a.task.media_posts.get(published_on=date(2024, 4, 1)).title in body
    assert unlinked.title not in body


def test_the_dashboard_with_computed_targets_runs_the_same_queries_for_more_units(district, client):
    plan = PlanFactory(unit=district.root, year=2024)
    tasks = [
        TaskFactory(plan=plan, number=f"三(一){n}", timeframe=Timeframe.QUARTERLY) for n in range(2)
    ]
    for t in tasks:
        TargetFactory(task=t, name="五进活动", per_period=True, metric=ACTIVITIES)
        t.lead_units.set([district.town_a_unit])
        services.sync_assignments(t)
    client.force_login(district.district)
    url = reverse("plans:plan_dashboard", args=[plan.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request after logging in renews the session (writes it); later ones do not
    before = count()
    for i in range(6):
        town = add_unit(district.root, f"第{i}新城", UnitKind.NEW_TOWN)
        ActivityFactory(unit=town, held_on=date(2024, 5, 1), status=ACCEPTED, tasks=tasks)
        for t in tasks:
            t.lead_units.add(town)
            services.sync_assignments(t)
    assert count() == before
    assert client.get(reverse("plans:plan_matrix", args=[plan.pk])).status_code == 200


def test_the_district_picks_the_metric_of_a_target_in_the_task_editor(district, client):
    from xuanpei.plans.tests.plan_pages_data import district_plan
    from xuanpei.plans.tests.test_task_pages import task_post

    plan = district_plan(district)
    client.force_login(district.district)
    body = client.get(reverse("plans:task_add", args=[plan.pk])).content.decode()
    assert f'value="{ACTIVITIES}"' in body and "宣传活动次数（已通过审核）" in body
    data = task_post(lead=[district.town_a_unit], targets=[("五进活动", "ge", "4", "次", True)])
    data["targets-0-metric"] = ACTIVITIES
    assert client.post(reverse("plans:task_add", args=[plan.pk]), data).status_code == 302
    assert plan.tasks.get(number="三(一)9").targets.get().metric == ACTIVITIES
    data = task_post(lead=[district.town_a_unit], targets=[("覆盖率", "eq", "100", "%", False)])
    data.update({"targets-0-metric": ACTIVITIES, "number": "三(一)10"})
    body = client.post(reverse("plans:task_add", args=[plan.pk]), data).content.decode()
    assert "单位不能是 %" in body
