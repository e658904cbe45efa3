"""Plans API: scoped plans, tasks, assignments; reports written, submitted and reviewed."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from xuanpei.plans.choices import AssignmentStatus, PlanKind, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment, ProgressReport, ReportEvent
from xuanpei.plans.services import sync_assignments

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world(district):
    plan = PlanFactory(unit=district.root, title="测试区2022年应急管理宣传教育培训工作计划")
    task = TaskFactory(
        plan=plan,
        number="三(二)3",
        title="网格员业务培训",
        timeframe=Timeframe.QUARTERLY,
        timeframe_note="至少一次",
    )
    task.lead_units.set([district.street_a, district.town_b_sub])
    target = TargetFactory(task=task, name="网格员培训", value=Decimal("1"), per_period=True)
    sync_assignments(task)
    own_plan = PlanFactory(unit=district.town_b_unit, kind=PlanKind.UNIT, title="西新城自己的计划")
    return {
        "plan": plan,
        "task": task,
        "target": target,
        "mine": Assignment.objects.get(task=task, unit=district.street_a),
        "theirs": Assignment.objects.get(task=task, unit=district.town_b_sub),
        "own_plan": own_plan,
    }


def as_user(api, user):
    api.force_authenticate(user)
    return api


def ids(response):
    return {row["id"] for row in response.json()["results"]}


def test_plans_are_read_below_their_issuer_only(api, district, world):
    response = as_user(api, district.town_a).get(reverse("api:plan-list"))
    assert ids(response) == {world["plan"].pk}
    response = as_user(api, district.town_b).get(reverse("api:plan-list"))
    assert ids(response) == {world["plan"].pk, world["own_plan"].pk}
    detail = api.get(reverse("api:plan-detail", args=[world["plan"].pk])).json()
    assert (detail["status"], detail["unit"]["name"]) == ("issued", "测试区")
    as_user(api, district.town_a)
    assert api.get(reverse("api:plan-detail", args=[world["own_plan"].pk])).status_code == 404


def test_a_task_carries_its_targets_units_and_periods(api, district, world):
    url = reverse("api:task-detail", args=[world["task"].pk])
    data = as_user(api, district.town_a).get(url).json()
    assert data["timeframe_text"] == "每季度（至少一次）"
    assert {(u["id"], u["name"]) for u in data["lead_units"]} == {
        (district.street_a.pk, "甲街道"),
        (district.town_b_sub.pk, "乙镇"),
    }
    assert data["targets"][0]["text"] == "网格员培训≥1次（每季度）"
    assert [p["key"] for p in data["periods"]] == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]


def test_the_task_list_costs_a_fixed_number_of_queries(
    api, district, world, django_assert_max_num_queries
):
    for n in range(10):
        task = TaskFactory(plan=world["plan"], number=f"三(一){n + 20}")
        task.lead_units.set([district.street_a])
        TargetFactory(task=task, value=Decimal("2"))
    as_user(api, district.district)
    with django_assert_max_num_queries(10):
        assert len(api.get(reverse("api:task-list")).json()["results"]) == 11


def test_a_sibling_town_gets_404_on_another_towns_assignment(api, district, world):
    url = reverse("api:assignment-detail", args=[world["mine"].pk])
    assert as_user(api, district.town_b).get(url).status_code == 404
    data = as_user(api, district.town_a).get(url).json()
    assert (data["unit"]["name"], data["task"]["title"]) == ("甲街道", "网格员业务培训")
    assert data["status"] in AssignmentStatus.values and "next_due" in data
    assert ids(api.get(reverse("api:assignment-list"))) == {world["mine"].pk}
    assert ids(api.get(reverse("api:assignment-list"), {"plan": world["plan"].pk})) == {
        world["mine"].pk
    }


def test_enterprise_users_see_nothing_of_the_plans(api, district, world):
    as_user(api, district.enterprise)
    for name in ("plan-list", "task-list", "assignment-list", "progressreport-list"):
        response = api.get(reverse(f"api:{name}"))
        assert response.status_code == 200 and response.json()["results"] == [], name
    payload = {"assignment": world["mine"].pk, "period_key": "2022Q1", "summary": "x"}
    response = api.post(reverse("api:progressreport-list"), payload, format="json")
    assert response.status_code == 400 and not ProgressReport.objects.exists()


def report_payload(world, **extra):
    return {
        "assignment": world["mine"].pk,
        "period_key": "2022Q1",
        "summary": "组织网格员培训一次",
        "quantities": [{"target": world["target"].pk, "value": "1"}],
        **extra,
    }


def test_a_unit_writes_submits_and_the_district_reviews_a_report(api, district, world):
    as_user(api, district.town_a)
    created = api.post(reverse("api:progressreport-list"), report_payload(world), format="json")
    assert created.status_code == 201, created.json()
    report = ProgressReport.objects.get()
    assert (report.status, report.created_by) == (ReportStatus.DRAFT, district.town_a)
    assert created.json()["quantities"] == [
        {"target": world["target"].pk, "target_name": "网格员培训", "value": "1.00"}
    ]
    detail = reverse("api:progressreport-detail", args=[report.pk])
    assert api.patch(detail, {"summary": "培训两次"}, format="json").status_code == 200
    report.refresh_from_db()
    assert report.summary == "培训两次" and report.quantities.get().value == 1

    submit = reverse("api:progressreport-submit", args=[report.pk])
    response = api.post(submit)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert api.patch(detail, {"summary": "再改"}, format="json").status_code == 400
    review = reverse("api:progressreport-review", args=[report.pk])
    assert api.post(review, {"accept": True}, format="json").status_code == 403  # not the issuer

    as_user(api, district.district)
    response = api.post(review, {"accept": False}, format="json")
    assert response.status_code == 400 and "退回时须填写退回意见" in response.content.decode()
    response = api.post(review, {"accept": False, "comment": "请补充照片"}, format="json")
    assert response.json()["status"] == "returned"
    assert response.json()["events"][-1]["comment"] == "请补充照片"

    as_user(api, district.town_a)
    assert api.post(submit).json()["status"] == "submitted"
    as_user(api, district.district)
    assert api.post(review, {"accept": True}, format="json").json()["status"] == "accepted"
    assert list(ReportEvent.objects.values_list("action", flat=True)) == [
        "submit",
        "return",
        "submit",
        "accept",
    ]
    world["mine"].refresh_from_db()
    assert world["mine"].status != AssignmentStatus.NOT_STARTED


def test_report_input_is_checked_with_chinese_reasons(api, district, world):
    as_user(api, district.town_a)
    url = reverse("api:progressreport-list")
    response = api.post(url, report_payload(world, period_key="2022-13"), format="json")
    assert response.status_code == 400 and "该任务没有这个填报期" in response.content.decode()
    other = TargetFactory(task=TaskFactory(plan=world["plan"]), value=Decimal("1"))
    payload = report_payload(world, quantities=[{"target": other.pk, "value": "1"}])
    response = api.post(url, payload, format="json")
    assert response.status_code == 400 and "指标不属于该任务" in response.content.decode()
    response = api.post(url, report_payload(world, assignment=world["theirs"].pk), format="json")
    assert response.status_code == 400
    assert not ProgressReport.objects.exists()


def test_a_sibling_cannot_touch_a_report_and_a_viewer_cannot_write(api, district, world):
    as_user(api, district.town_a)
    api.post(reverse("api:progressreport-list"), report_payload(world), format="json")
    report = ProgressReport.objects.get()
    as_user(api, district.town_b)
    for method, name in (("get", "detail"), ("patch", "detail"), ("post", "submit")):
        url = reverse(f"api:progressreport-{name}", args=[report.pk])
        assert getattr(api, method)(url, {}, format="json").status_code == 404
    as_user(api, district.town_a_viewer)
    response = api.post(reverse("api:progressreport-list"), report_payload(world), format="json")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_the_report_list_costs_a_fixed_number_of_queries(
    api, district, world, django_assert_max_num_queries
):
    as_user(api, district.town_a)
    for key in ("2022Q1", "2022Q2", "2022Q3"):
        payload = report_payload(world, period_key=key)
        assert (
            api.post(reverse("api:progressreport-list"), payload, format="json").status_code == 201
        )
    as_user(api, district.district)
    with django_assert_max_num_queries(12):
        assert len(api.get(reverse("api:progressreport-list")).json()["results"]) == 3


def test_the_schema_documents_the_report_actions(api, district):
    as_user(api, district.district)
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()
    assert "/api/v1/reports/{id}/review/" in schema["paths"]
    assert "/api/v1/plan-tasks/{id}/" in schema["paths"]


def test_assignments_filter_by_due_date(api, district, world):
    # Two different next due dates, so the filter has something to keep and to drop.
    Assignment.objects.filter(pk=world["mine"].pk).update(next_due=date(2022, 3, 31))
    Assignment.objects.filter(pk=world["theirs"].pk).update(next_due=date(2022, 6, 30))
    as_user(api, district.district)
    url = reverse("api:assignment-list")
    assert ids(api.get(url, {"due_before": "2022-01-01"})) == set()
    assert ids(api.get(url, {"due_before": "2022-04-01"})) == {world["mine"].pk}
    # "不晚于": the due date itself is included.
    assert ids(api.get(url, {"due_before": "2022-06-30"})) == {
        world["mine"].pk,
        world["theirs"].pk,
    }
    assert api.get(url, {"due_before": "2022-13-01"}).status_code == 400
