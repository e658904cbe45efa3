"""Issue #9 item 6, on any database: a state change reads the row under a lock, so a
request holding a stale copy (the page was opened before another tab submitted) is
refused with a Chinese message and writes nothing — the sequential form of the races
`test_concurrency.py` fires on PostgreSQL. Plus the "one per" constraints and the 409
answer when a write still loses a race on one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from xuanpei.notifications.models import Notification
from xuanpei.plans import services
from xuanpei.plans.choices import AdjustmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Adjustment, Assignment, ProgressReport, ReportEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(district):
    year = timezone.localdate().year
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=year), timeframe=Timeframe.ALL_YEAR
    )
    TargetFactory(task=task, name="品牌活动", value=Decimal("5"), unit_label="次")
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    return Assignment.objects.get(task=task, unit=district.town_a_unit)


@pytest.fixture
def draft(district, assignment):
    return services.save_report(
        assignment,
        actor=district.town_a,
        period_key=assignment.task.periods()[0].key,
        summary="开展活动",
    )


def test_a_stale_copy_of_a_submitted_report_is_not_submitted_again(district, draft):
    stale = ProgressReport.objects.get(pk=draft.pk)
    services.submit_report(draft, actor=district.town_a)

    with pytest.raises(ValidationError, match="该报告已提交，请勿重复提交"):
        services.submit_report(stale, actor=district.town_a)

    assert ReportEvent.objects.filter(report=draft).count() == 1
    assert Notification.objects.filter(key__startswith="plans:report:").count() == 1
    assert stale.status == ReportStatus.SUBMITTED  # the refused copy now reads the truth


def test_saving_a_stale_draft_does_not_turn_a_submitted_report_back_into_a_draft(district, draft):
    stale = ProgressReport.objects.get(pk=draft.pk)
    services.submit_report(draft, actor=district.town_a)

    with pytest.raises(ValidationError, match="已提交或已验收的报告不能修改"):
        services.save_report(
            draft.assignment,
            actor=district.town_a,
            period_key=stale.period_key,
            summary="旧页面上的修改",
            report=stale,
        )

    draft.refresh_from_db()
    assert draft.status == ReportStatus.SUBMITTED and draft.summary == "开展活动"


def test_a_stale_copy_of_a_reviewed_report_is_not_reviewed_again(district, draft):
    services.submit_report(draft, actor=district.town_a)
    stale = ProgressReport.objects.get(pk=draft.pk)
    services.review_report(draft, actor=district.district, accept=True)

    with pytest.raises(ValidationError, match="该报告已审核"):
        services.review_report(stale, actor=district.district, accept=False, comment="退回")

    draft.refresh_from_db()
    assert draft.status == ReportStatus.ACCEPTED
    assert draft.events.filter(action=ReportEvent.Action.RETURN).count() == 0


def pending(district, assignment) -> Adjustment:
    return services.request_adjustment(
        assignment,
        actor=district.town_a,
        period_key=assignment.task.periods()[0].key,
        requested_due=timezone.localdate().replace(month=12, day=31) + timedelta(days=30),
        reason="场地改造",
    )


def test_a_stale_copy_of_a_decided_adjustment_is_not_decided_again(district, assignment):
    adjustment = pending(district, assignment)
    stale = Adjustment.objects.get(pk=adjustment.pk)
    services.decide_adjustment(adjustment, actor=district.district, grant=True)

    with pytest.raises(ValidationError, match="该申请已审批"):
        services.decide_adjustment(stale, actor=district.district, grant=False, comment="否")

    adjustment.refresh_from_db()
    assert adjustment.status == AdjustmentStatus.GRANTED
    assert Notification.objects.filter(key__endswith=":decision").count() == 1


def test_the_database_holds_one_pending_adjustment_a_period(district, assignment):
    first = pending(district, assignment)

    with pytest.raises(IntegrityError):
        Adjustment.objects.create(
            assignment=assignment,
            period_key=first.period_key,
            current_due=first.current_due,
            requested_due=first.requested_due,
            reason="第二份",
        )


def test_a_decided_request_leaves_room_for_a_new_one_in_the_same_period(district, assignment):
    first = pending(district, assignment)
    services.decide_adjustment(first, actor=district.district, grant=False, comment="理由不足")

    second = pending(district, assignment)

    assert second.status == AdjustmentStatus.PENDING
    assert Adjustment.objects.filter(assignment=assignment).count() == 2


def test_one_request_key_creates_one_report_and_the_retry_gets_it_unchanged(district, assignment):
    kwargs = dict(actor=district.town_a, period_key=assignment.task.periods()[0].key)
    first = services.save_report(assignment, summary="第一次", request_key="abc", **kwargs)
    retry = services.save_report(assignment, summary="重试", request_key="abc", **kwargs)
    other = services.save_report(assignment, summary="另一份", **kwargs)

    assert retry.pk == first.pk and retry.replayed and not first.replayed
    assert ProgressReport.objects.get(pk=first.pk).summary == "第一次"
    assert other.pk != first.pk  # without a key a period still takes several reports


def test_the_api_answers_a_retried_post_with_the_first_report_and_200(district, assignment):
    api = APIClient()
    api.force_authenticate(district.town_a)
    body = {"assignment": assignment.pk, "period_key": assignment.task.periods()[0].key,
            "summary": "开展活动"}  # fmt: skip
    url = reverse("api:progressreport-list")

    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    retry = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    too_long = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="x" * 65)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["id"] == first.json()["id"]
    assert too_long.status_code == 400 and "请求标识不能超过64个字符" in too_long.content.decode()
    assert ProgressReport.objects.filter(assignment=assignment).count() == 1


def test_the_new_report_form_posted_twice_creates_one_report(client, district, assignment):
    client.force_login(district.town_a)
    url = reverse("plans:report_add", args=[assignment.pk])
    key = client.get(url).context["form"]["request_key"].value()
    form = {"period_key": assignment.task.periods()[0].key, "summary": "开展活动",
            "request_key": key, "submit": "1"}  # fmt: skip

    client.post(url, form)
    second = client.post(url, form, follow=True)

    assert "该报告已保存，重复提交的请求已忽略" in second.content.decode()
    report = ProgressReport.objects.get(assignment=assignment)
    assert report.status == ReportStatus.SUBMITTED
    assert report.events.count() == 1


def test_a_write_that_loses_a_race_on_a_constraint_is_a_chinese_409_not_a_500(
    client, district, draft, monkeypatch
):
    def lose_the_race(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "submit_report", lose_the_race)
    client.force_login(district.town_a)
    page = client.post(reverse("plans:report_submit", args=[draft.pk]))
    api = APIClient()
    api.force_authenticate(district.town_a)
    answer = api.post(reverse("api:progressreport-submit", args=[draft.pk]))

    assert page.status_code == 409 and "可能是重复提交" in page.content.decode()
    assert answer.status_code == 409 and "可能是重复提交" in answer.json()["detail"]
