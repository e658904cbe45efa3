"""Issue #8 through the pages and the API: the 填报期 drop-down, reopening, the exception
acceptance on the assignment page, and the reviewer's 待审核 queue with its links."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from xuanpei.plans import services
from xuanpei.plans.choices import AssignmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.plans.models import Assignment, ProgressReport, ReportEvent
from xuanpei.plans.tests.test_report_flow import accepted_report, brand  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarterly(district):
    """A quarterly task of this year for 东新城 and 西新城, with Q1 accepted for 东新城."""
    year = timezone.localdate().year
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=year),
        number="三(二)3",
        title="网格员培训",
        timeframe=Timeframe.QUARTERLY,
    )
    task.lead_units.set([district.town_a_unit, district.town_b_unit])
    services.sync_assignments(task)
    a = task.assignments.get(unit=district.town_a_unit)
    q1 = task.periods()[0]
    report = services.save_report(a, actor=district.town_a, period_key=q1.key, summary="一季度")
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=True)
    return a


def option_labels(html: str) -> list[str]:
    import re

    block = html[html.index('name="period_key"') :]
    block = block[: block.index("</select>")]
    return re.findall(r"<option[^>]*>([^<]*)</option>", block)


def test_the_period_drop_down_offers_every_period_with_its_state(client, district, quarterly):
    client.force_login(district.town_a)
    html = client.get(reverse("plans:report_add", args=[quarterly.pk])).content.decode()
    year = quarterly.task.plan.year
    labels = option_labels(html)
    assert len(labels) == 4
    assert labels[0] == f"{year}年第一季度（{year}-03-31 截止） · 已验收，可补报新进展"
    today = timezone.localdate()
    # The default is the first period not done: overdue ones first, else the one in course.
    result = services.compute_status(quarterly, today)
    default = (result.overdue or [p for p in quarterly.task.periods() if p.due >= today])[0]
    assert f'<option value="{default.key}" selected>' in html
    assert "已逾期" in html or "填报中" in html


def test_the_reviewer_reopens_a_period_from_the_assignment_page(client, district, quarterly):
    q1 = quarterly.task.periods()[0].key
    client.force_login(district.town_a)
    page = client.get(reverse("plans:assignment_detail", args=[quarterly.pk])).content.decode()
    assert "重新打开" not in page  # the unit is not offered what only the issuer may do
    assert client.get(reverse("plans:period_reopen", args=[quarterly.pk])).status_code == 403

    client.force_login(district.district)
    page = client.get(reverse("plans:assignment_detail", args=[quarterly.pk])).content.decode()
    url = reverse("plans:period_reopen", args=[quarterly.pk])
    assert f"{url}?period={q1}" in page
    form = client.get(f"{url}?period={q1}").content.decode()
    assert f'<option value="{q1}" selected>' in form
    assert len(option_labels(form)) == 1  # only the accepted period can be reopened
    response = client.post(url, {"period_key": q1, "reason": ""})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    response = client.post(url, {"period_key": q1, "reason": "请补充培训签到表"})
    assert response.status_code == 302
    report = quarterly.reports.get()
    assert report.reopened_at is not None
    assert report.events.filter(action=ReportEvent.Action.REOPEN, comment="请补充培训签到表")
    page = client.get(reverse("plans:assignment_detail", args=[quarterly.pk])).content.decode()
    assert "该期已重新打开" in page and "请补充培训签到表" in page


def test_the_exception_is_offered_recorded_and_shown_on_the_assignment_page(
    client,
    district,
    brand,  # noqa: F811
):
    accepted_report(brand, district, 3)
    detail = reverse("plans:assignment_detail", args=[brand.pk])
    client.force_login(district.town_a)
    page = client.get(detail).content.decode()
    assert "量化目标尚未全部达成" in page and "例外验收" not in page.split("targets-short")[0]
    assert client.get(reverse("plans:assignment_exception", args=[brand.pk])).status_code == 403

    client.force_login(district.district)
    page = client.get(detail).content.decode()
    url = reverse("plans:assignment_exception", args=[brand.pk])
    assert url in page
    form = client.get(url).content.decode()
    assert "品牌活动≥5次" in form and '<strong class="text-body">3</strong>' in form
    response = client.post(url, {"reason": "119消防宣传月活动因故取消"})
    assert response.status_code == 302
    brand.refresh_from_db()
    assert brand.status == AssignmentStatus.ACCEPTED and brand.exception_by == district.district
    page = client.get(detail).content.decode()
    assert 'id="exception-record"' in page and "119消防宣传月活动因故取消" in page
    assert url not in page  # accepted: no second exception offered


def test_the_queue_lists_what_the_reviewer_may_review_oldest_first(client, district, quarterly):
    task = quarterly.task
    theirs = task.assignments.get(unit=district.town_b_unit)
    q2 = task.periods()[1].key
    first = services.save_report(quarterly, actor=district.town_a, period_key=q2, summary="甲")
    services.submit_report(first, actor=district.town_a)
    second = services.save_report(theirs, actor=district.town_b, period_key=q2, summary="乙")
    services.submit_report(second, actor=district.town_b)
    ProgressReport.objects.filter(pk=second.pk).update(
        submitted_at=first.submitted_at - timedelta(days=2)
    )
    draft = services.save_report(theirs, actor=district.town_b, period_key=q2, summary="草稿")

    client.force_login(district.district)
    html = client.get(reverse("plans:report_queue")).content.decode()
    review = [reverse("plans:report_review", args=[r.pk]) for r in (second, first)]
    assert html.index(review[0]) < html.index(review[1])  # oldest first
    assert reverse("plans:report_review", args=[draft.pk]) not in html
    assert f"三(二)3</span> · {task.plan.year}年第二季度" in html
    other_plan = PlanFactory(unit=district.root, year=task.plan.year - 1)
    html = client.get(reverse("plans:report_queue") + f"?plan={other_plan.pk}").content.decode()
    assert "没有待审核的报告" in html

    # A unit reviews nothing here: its own submissions wait for the district.
    client.force_login(district.town_a)
    html = client.get(reverse("plans:report_queue")).content.decode()
    assert "没有待审核的报告" in html and review[1] not in html


def test_the_dashboard_card_the_plan_list_and_home_link_to_the_queue(client, district, quarterly):
    q2 = quarterly.task.periods()[1].key
    report = services.save_report(quarterly, actor=district.town_a, period_key=q2, summary="甲")
    services.submit_report(report, actor=district.town_a)
    plan = quarterly.task.plan
    queue = reverse("plans:report_queue")
    client.force_login(district.district)
    board = client.get(reverse("plans:plan_dashboard", args=[plan.pk])).content.decode()
    assert f'href="{queue}?plan={plan.pk}" id="kpi-submitted-link"' in board
    assert '<div class="stat-value text-body" id="kpi-submitted">1</div>' in board
    plans = client.get(reverse("plans:plan_list")).content.decode()
    assert f'href="{queue}" id="queue-link"' in plans and "待审核 1" in plans
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{queue}" id="home-pending"' in home and "待审核 1 份" in home
    client.force_login(district.town_a_viewer)
    board = client.get(reverse("plans:plan_dashboard", args=[plan.pk])).content.decode()
    assert "kpi-submitted-link" not in board
    assert 'id="queue-link"' not in client.get(reverse("plans:plan_list")).content.decode()


def test_the_api_takes_a_second_report_for_a_period_and_shows_the_exception(district, brand):  # noqa: F811
    api = APIClient()
    api.force_authenticate(district.town_a)
    target = brand.task.targets.get()
    period = str(brand.task.plan.year)
    for summary, n in (("三场", "3"), ("两场", "2")):
        response = api.post(
            reverse("api:progressreport-list"),
            {
                "assignment": brand.pk,
                "period_key": period,
                "summary": summary,
                "quantities": [{"target": target.pk, "value": n}],
            },
            format="json",
        )
        assert response.status_code == 201, response.content
    assert ProgressReport.objects.filter(assignment=brand, period_key=period).count() == 2
    accepted_report(brand, district, Decimal("1"))
    services.accept_with_exception(brand, actor=district.district, reason="经研究同意")
    body = api.get(reverse("api:assignment-detail", args=[brand.pk])).json()
    assert body["exception_reason"] == "经研究同意" and body["exception_by"]
    assert body["status"] == AssignmentStatus.ACCEPTED
    # The two API drafts stay drafts: accepting with an exception does not touch reports.
    assert ProgressReport.objects.filter(assignment=brand, status=ReportStatus.DRAFT).count() == 2


def test_a_street_cannot_open_the_queue_of_a_foreign_plan(client, district, quarterly):
    assert Assignment.objects.filter(task=quarterly.task).count() == 2
    client.force_login(district.town_b)
    html = client.get(reverse("plans:report_queue")).content.decode()
    assert "没有待审核的报告" in html


def test_the_api_reopens_a_period_and_accepts_with_an_exception(district, brand):  # noqa: F811
    api = APIClient()
    accepted_report(brand, district, 4)
    period = str(brand.task.plan.year)
    exception = reverse("api:assignment-exception", args=[brand.pk])
    reopen = reverse("api:assignment-reopen", args=[brand.pk])
    api.force_authenticate(district.town_a)
    assert api.post(exception, {"reason": "自己验收"}).status_code == 403
    api.force_authenticate(district.district)
    response = api.post(exception, {"reason": ""})
    assert response.status_code == 400
    response = api.post(exception, {"reason": "因故取消一场"})
    assert response.status_code == 200 and response.json()["status"] == AssignmentStatus.ACCEPTED
    response = api.post(reopen, {"period_key": period, "reason": "补报"})
    assert response.status_code == 200, response.content
    assert response.json()["exception_reason"] == "" and response.json()["status"] != "accepted"
    response = api.post(reopen, {"period_key": period, "reason": "再次"})
    assert response.status_code == 400 and "该填报期尚未验收" in response.content.decode()
    api.force_authenticate(district.town_b)
    assert api.post(reopen, {"period_key": period, "reason": "越权"}).status_code == 404
