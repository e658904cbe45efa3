"""Issue #9 item 6: a state change happens once however many requests race for it.

Each test fires the same request from several threads on PostgreSQL (`tests.racing`)
and asserts exactly one row, event and inbox message. Before the fix, two submits of
one report both succeeded and each wrote its event and notification.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.racing import THREADS, needs_postgresql, race
from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.notifications.models import Notification
from xuanpei.plans import services
from xuanpei.plans.choices import AdjustmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Adjustment, Assignment, ProgressReport, ReportEvent

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql]


@pytest.fixture
def assignment(district):
    """东新城's share of a district task: one 全年 period, five brand activities."""
    year = timezone.localdate().year
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=year),
        number="三(一)5",
        title="品牌宣传活动",
        timeframe=Timeframe.ALL_YEAR,
    )
    TargetFactory(task=task, name="品牌活动", value=Decimal("5"), unit_label="次")
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    return Assignment.objects.get(task=task, unit=district.town_a_unit)


def period(assignment) -> str:
    return assignment.task.periods()[0].key


@pytest.fixture
def draft(district, assignment):
    return services.save_report(
        assignment, actor=district.town_a, period_key=period(assignment), summary="开展活动"
    )


@pytest.fixture
def submitted(district, draft):
    return services.submit_report(draft, actor=district.town_a)


def page_clients(user, n=THREADS) -> list[Client]:
    clients = []
    for _i in range(n):
        c = Client()
        c.force_login(user)
        clients.append(c)
    return clients


def api_clients(user, n=THREADS) -> list[APIClient]:
    clients = []
    for _i in range(n):
        c = APIClient()
        c.force_authenticate(user)
        clients.append(c)
    return clients


def submit_events(report) -> int:
    return ReportEvent.objects.filter(report=report, action=ReportEvent.Action.SUBMIT).count()


def report_messages(report) -> int:
    keys = [f"plans:report:{pk}" for pk in report.events.values_list("pk", flat=True)]
    return Notification.objects.filter(key__in=keys).count()


def test_four_clicks_on_submit_through_the_page_submit_the_report_once(district, draft):
    clients = page_clients(district.town_a)
    url = reverse("plans:report_submit", args=[draft.pk])

    responses = race(lambda i: clients[i].post(url))

    assert [r.status_code for r in responses] == [302] * THREADS
    draft.refresh_from_db()
    assert draft.status == ReportStatus.SUBMITTED
    assert submit_events(draft) == 1
    assert report_messages(draft) == 1
    pages = [clients[i].get(r.url).content.decode() for i, r in enumerate(responses)]
    assert sum("该报告已提交，请勿重复提交" in page for page in pages) == THREADS - 1


def test_four_submits_through_the_api_submit_once_and_the_rest_are_refused_in_chinese(
    district, draft
):
    clients = api_clients(district.town_a)
    url = reverse("api:progressreport-submit", args=[draft.pk])

    responses = race(lambda i: clients[i].post(url))

    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [400] * (THREADS - 1)
    for r in responses:
        if r.status_code == 400:
            assert "该报告已提交，请勿重复提交" in str(r.json())
    assert submit_events(draft) == 1
    assert report_messages(draft) == 1


def test_two_reviewers_accepting_at_once_review_the_report_once(district, submitted):
    second = UserFactory(username="district2", unit=district.root, role=Role.DISTRICT_ADMIN)
    clients = api_clients(district.district, 2) + api_clients(second, 2)
    url = reverse("api:progressreport-review", args=[submitted.pk])

    responses = race(lambda i: clients[i].post(url, {"accept": i % 2 == 0, "comment": "补充"}))

    assert sorted(r.status_code for r in responses) == [200] + [400] * (THREADS - 1)
    reviews = ReportEvent.objects.filter(
        report=submitted, action__in=[ReportEvent.Action.ACCEPT, ReportEvent.Action.RETURN]
    )
    assert reviews.count() == 1
    submitted.refresh_from_db()
    assert (
        submitted.status
        == {"accept": ReportStatus.ACCEPTED, "return": ReportStatus.RETURNED}[reviews.get().action]
    )
    assert report_messages(submitted) == 2  # the submit's and the one review's


def test_a_retried_api_post_with_one_idempotency_key_creates_one_report(district, assignment):
    clients = api_clients(district.town_a)
    body = {"assignment": assignment.pk, "period_key": period(assignment), "summary": "开展活动"}

    responses = race(
        lambda i: clients[i].post(
            reverse("api:progressreport-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
        )
    )

    assert sorted(r.status_code for r in responses) == [200] * (THREADS - 1) + [201]
    assert ProgressReport.objects.filter(assignment=assignment).count() == 1
    assert {r.json()["id"] for r in responses} == {ProgressReport.objects.get().pk}


def test_a_double_click_on_the_new_report_form_creates_and_submits_one_report(district, assignment):
    clients = page_clients(district.town_a)
    url = reverse("plans:report_add", args=[assignment.pk])
    target = assignment.task.targets.get()
    form = {
        "period_key": period(assignment),
        "summary": "开展品牌活动",
        f"target_{target.pk}": "2",
        "request_key": "form-1",
        "submit": "1",
    }

    responses = race(lambda i: clients[i].post(url, form))

    assert [r.status_code for r in responses] == [302] * THREADS
    report = ProgressReport.objects.get(assignment=assignment)
    assert report.status == ReportStatus.SUBMITTED
    assert report.quantities.get().value == Decimal("2")
    assert submit_events(report) == 1
    assert report_messages(report) == 1


def test_two_break_downs_of_one_assignment_to_one_street_make_one_sub_assignment(
    district, assignment
):
    clients = api_clients(district.town_a)
    body = {"parent": assignment.pk, "unit": district.street_a.pk}

    responses = race(lambda i: clients[i].post(reverse("api:assignment-list"), body, format="json"))

    assert sorted(r.status_code for r in responses) == [201] + [400] * (THREADS - 1)
    for r in responses:
        if r.status_code == 400:
            assert "甲街道已承担此任务" in str(r.json())
    assert Assignment.objects.filter(task=assignment.task, unit=district.street_a).count() == 1
    assert Notification.objects.filter(unit=district.street_a).count() == 1


@pytest.fixture
def pending(district, assignment):
    return services.request_adjustment(
        assignment,
        actor=district.town_a,
        period_key=period(assignment),
        requested_due=timezone.localdate().replace(month=12, day=31) + timedelta(days=30),
        reason="场地改造",
    )


def test_two_decisions_on_one_adjustment_decide_it_once(district, pending):
    clients = page_clients(district.district)
    url = reverse("plans:adjustment_decide", args=[pending.pk])

    responses = race(
        lambda i: clients[i].post(
            url, {"decision": "grant" if i % 2 else "refuse", "comment": "议"}
        )
    )

    assert all(r.status_code in (200, 302) for r in responses)
    pending.refresh_from_db()
    assert pending.status in (AdjustmentStatus.GRANTED, AdjustmentStatus.REFUSED)
    assert Notification.objects.filter(key=f"plans:adjustment:{pending.pk}:decision").count() == 1
    assert sum(r.status_code == 302 for r in responses) == 1


def test_two_requests_for_one_period_leave_one_pending_adjustment(district, assignment):
    clients = page_clients(district.town_a)
    url = reverse("plans:adjustment_add", args=[assignment.pk])
    due = timezone.localdate().replace(month=12, day=31) + timedelta(days=30)
    form = {"period_key": period(assignment), "requested_due": due.isoformat(), "reason": "改造"}

    responses = race(lambda i: clients[i].post(url, form))

    assert sum(r.status_code == 302 for r in responses) == 1
    for r in responses:
        if r.status_code != 302:
            assert r.status_code == 200 and "该填报期已有待审批的延期申请" in r.content.decode()
    assert Adjustment.objects.filter(assignment=assignment).count() == 1


def test_two_reopens_of_one_period_reopen_it_once(district, submitted):
    services.review_report(submitted, actor=district.district, accept=True)
    clients = api_clients(district.district)
    url = reverse("api:assignment-reopen", args=[submitted.assignment_id])
    body = {"period_key": submitted.period_key, "reason": "还需报送两次活动"}

    responses = race(lambda i: clients[i].post(url, body, format="json"))

    assert sorted(r.status_code for r in responses) == [200] + [400] * (THREADS - 1)
    assert ReportEvent.objects.filter(action=ReportEvent.Action.REOPEN).count() == 1


def test_two_exception_acceptances_record_one_and_send_one_message(district, submitted):
    target = submitted.assignment.task.targets.get()
    submitted.quantities.create(target=target, value=Decimal("2"))  # 2 of the 5 activities
    services.review_report(submitted, actor=district.district, accept=True)
    clients = api_clients(district.district)
    url = reverse("api:assignment-exception", args=[submitted.assignment_id])

    responses = race(lambda i: clients[i].post(url, {"reason": f"场地受限{i}"}, format="json"))

    assert sorted(r.status_code for r in responses) == [200] + [400] * (THREADS - 1)
    assert Notification.objects.filter(key__startswith="plans:exception:").count() == 1
    assignment = Assignment.objects.get(pk=submitted.assignment_id)
    assert assignment.exception_reason in {f"场地受限{i}" for i in range(THREADS)}
