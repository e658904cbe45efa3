"""Deadline adjustments (延期申请): asked by the unit, decided by the issuer; a granted one
moves the period's due date, so an overdue assignment stops being overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from xuanpei.plans import services
from xuanpei.plans.choices import AdjustmentStatus, AssignmentStatus, Timeframe
from xuanpei.plans.factories import AssignmentFactory, PlanFactory, TaskFactory
from xuanpei.plans.models import Adjustment

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(district):
    """Last year's all-year task of 东新城, never reported: overdue today."""
    year = timezone.localdate().year - 1
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=year), title="安全生产月活动")
    assignment = AssignmentFactory(task=task, unit=district.town_a_unit)
    services.refresh_status(assignment)
    assert assignment.status == AssignmentStatus.OVERDUE
    return assignment


def ask(client, user, assignment, *, due, reason="汛期抢险，活动推迟"):
    client.force_login(user)
    return client.post(
        reverse("plans:adjustment_add", args=[assignment.pk]),
        {"period_key": assignment.task.periods()[0].key, "requested_due": due, "reason": reason},
    )


def test_a_granted_adjustment_makes_an_overdue_assignment_no_longer_overdue(
    client, district, overdue
):
    new_due = timezone.localdate() + timedelta(days=30)
    response = ask(client, district.town_a, overdue, due=new_due.isoformat())
    assert response.status_code == 302
    adjustment = Adjustment.objects.get(assignment=overdue)
    assert adjustment.status == AdjustmentStatus.PENDING
    assert adjustment.current_due == date(overdue.task.plan.year, 12, 31)
    overdue.refresh_from_db()
    assert overdue.status == AssignmentStatus.OVERDUE  # asking changes nothing yet

    client.force_login(district.district)
    decide = reverse("plans:adjustment_decide", args=[adjustment.pk])
    response = client.post(decide, {"decision": "grant", "comment": "同意"})
    assert response.status_code == 302
    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.GRANTED
    assert adjustment.decided_by == district.district
    overdue.refresh_from_db()
    assert overdue.status == AssignmentStatus.NOT_STARTED
    assert overdue.next_due == new_due and overdue.overdue_periods == 0

    body = client.get(reverse("plans:assignment_detail", args=[overdue.pk])).content.decode()
    assert new_due.isoformat() in body and "已延期" in body and "已同意" in body
    assert "已逾期" not in body


def test_refusing_needs_a_comment_and_leaves_the_assignment_overdue(client, district, overdue):
    ask(
        client, district.town_a, overdue, due=(timezone.localdate() + timedelta(days=5)).isoformat()
    )
    adjustment = Adjustment.objects.get()
    client.force_login(district.district)
    decide = reverse("plans:adjustment_decide", args=[adjustment.pk])
    body = client.post(decide, {"decision": "refuse"}).content.decode()
    assert "不同意延期时须填写审批意见" in body
    assert Adjustment.objects.get().status == AdjustmentStatus.PENDING
    client.post(decide, {"decision": "refuse", "comment": "理由不充分"})
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.decision_comment) == (
        AdjustmentStatus.REFUSED,
        "理由不充分",
    )
    overdue.refresh_from_db()
    assert overdue.status == AssignmentStatus.OVERDUE
    body = client.post(decide, {"decision": "grant"}).content.decode()
    assert "该申请已审批" in body


def test_an_earlier_date_a_missing_reason_and_a_second_request_are_refused(
    client, district, overdue
):
    body = ask(client, district.town_a, overdue, due="2000-01-01").content.decode()
    assert "申请的截止日期须晚于原截止日期" in body
    body = ask(client, district.town_a, overdue, due="2099-01-01", reason="").content.decode()
    assert "该字段是必填项" in body
    body = ask(client, district.town_a, overdue, due="not-a-date").content.decode()
    assert "输入一个有效的日期" in body
    assert not Adjustment.objects.exists()
    ask(client, district.town_a, overdue, due="2099-01-01")
    body = ask(client, district.town_a, overdue, due="2099-02-01").content.decode()
    assert "已有待审批的延期申请" in body
    assert Adjustment.objects.count() == 1


def test_a_quarter_moved_by_an_adjustment_shows_its_new_due_date(client, district):
    year = timezone.localdate().year
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=year), timeframe=Timeframe.QUARTERLY
    )
    assignment = AssignmentFactory(task=task, unit=district.town_a_unit)
    q1 = task.periods()[0]
    adjustment = services.request_adjustment(
        assignment,
        actor=district.town_a,
        period_key=q1.key,
        requested_due=date(year, 4, 15),
        reason="一季度疫情",
    )
    client.force_login(district.district)
    client.post(
        reverse("plans:adjustment_decide", args=[adjustment.pk]),
        {"decision": "grant"},
        HTTP_HX_REQUEST="true",
    )
    body = client.get(reverse("plans:assignment_detail", args=[assignment.pk])).content.decode()
    assert f"{year}-04-15" in body and f"原 {year}-03-31，已延期" in body
    assert "已延期 1 次" in body
