"""The reporting flow through the pages (issue #4 §3): draft → submit → returned with a
comment → edit → resubmit → accepted, with the status and the history at every step."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from xuanpei.plans import services
from xuanpei.plans.choices import AssignmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment, Evidence, ProgressReport, ReportEvent
from xuanpei.plans.tests.test_evidence import png_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(district):
    """A district task of this year for 东新城 (lead) and 西新城 (cooperating), one target."""
    year = timezone.localdate().year
    plan = PlanFactory(unit=district.root, year=year, title="测试区应急管理宣传教育培训工作计划")
    task = TaskFactory(
        plan=plan, number="三(二)3", title="网格员应急管理业务培训", timeframe=Timeframe.ALL_YEAR
    )
    TargetFactory(task=task, name="网格员培训", value=Decimal("4"), unit_label="次")
    task.lead_units.set([district.town_a_unit])
    task.cooperating_units.set([district.town_b_unit])
    services.sync_assignments(task)
    return task


@pytest.fixture
def mine(task, district):
    return Assignment.objects.get(task=task, unit=district.town_a_unit)


def report_data(task, *, summary="组织网格员培训2次，参训86人", quantity="2", **extra):
    target = task.targets.get()
    return {
        "period_key": task.periods()[0].key,
        "summary": summary,
        f"target_{target.pk}": quantity,
        **extra,
    }


def status_of(assignment) -> str:
    assignment.refresh_from_db()
    return assignment.status


def test_the_whole_flow_from_draft_to_accepted(client, district, task, mine):
    target = task.targets.get()
    client.force_login(district.town_a)
    add = reverse("plans:report_add", args=[mine.pk])
    page = client.get(add)
    assert page.status_code == 200 and "网格员培训（次）" in page.content.decode()

    # A draft with a quantity and a photo.
    data = report_data(task, save="1", files=[upload("培训现场.png", png_bytes())])
    response = client.post(add, data)
    assert response.status_code == 302
    report = ProgressReport.objects.get(assignment=mine)
    assert report.status == ReportStatus.DRAFT
    assert report.quantities.get().value == Decimal("2")
    assert Evidence.objects.get(report=report).thumbnail
    assert status_of(mine) == AssignmentStatus.IN_PROGRESS

    # Submitted.
    response = client.post(reverse("plans:report_submit", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.submitted_by == district.town_a
    assert status_of(mine) == AssignmentStatus.SUBMITTED

    # The district returns it — a comment is required.
    client.force_login(district.district)
    review = reverse("plans:report_review", args=[report.pk])
    response = client.post(review, {"decision": "return", "comment": "  "})
    assert response.status_code == 200 and "退回时须填写退回意见" in response.content.decode()
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED
    response = client.post(review, {"decision": "return", "comment": "请补充签到表"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.review_comment == "请补充签到表"
    assert status_of(mine) == AssignmentStatus.RETURNED

    # The unit edits and resubmits in one go.
    client.force_login(district.town_a)
    edit = reverse("plans:report_edit", args=[report.pk])
    page = client.get(edit).content.decode()
    assert "请补充签到表" in page and f'name="target_{target.pk}" value="2"' in page
    response = client.post(edit, report_data(task, quantity="4", submit="1"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.quantities.get().value == Decimal("4")
    assert ProgressReport.objects.filter(assignment=mine).count() == 1

    # Accepted.
    client.force_login(district.district)
    response = client.post(review, {"decision": "accept", "comment": ""})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by == district.district
    assert status_of(mine) == AssignmentStatus.ACCEPTED
    assert [(row.target.pk, row.total) for row in services.target_progress(mine)] == [
        (target.pk, Decimal("4"))
    ]

    # The history stays, in order, with who did what.
    events = list(report.events.values_list("action", "actor__username", "comment"))
    assert events == [
        (ReportEvent.Action.SUBMIT, "town_a", ""),
        (ReportEvent.Action.RETURN, "district", "请补充签到表"),
        (ReportEvent.Action.SUBMIT, "town_a", ""),
        (ReportEvent.Action.ACCEPT, "district", ""),
    ]
    body = client.get(reverse("plans:assignment_detail", args=[mine.pk])).content.decode()
    assert "已验收" in body and "请补充签到表" in body and "已达成" in body
    assert body.count("report-history") == 1 and "退回" in body


def test_the_report_page_shows_summary_quantities_evidence_and_history(
    client, district, task, mine
):
    client.force_login(district.town_a)
    client.post(
        reverse("plans:report_add", args=[mine.pk]),
        report_data(task, submit="1", files=[upload("照片.png", png_bytes())]),
    )
    report = ProgressReport.objects.get(assignment=mine)
    client.force_login(district.district)
    body = client.get(reverse("plans:report_detail", args=[report.pk])).content.decode()
    assert "组织网格员培训2次" in body and "网格员培训" in body and "照片.png" in body
    assert "验收通过" in body and "退回修改" in body  # the issuer's review form
    assert "提交" in body


def test_a_bad_file_leaves_no_report_behind(client, district, task, mine):
    client.force_login(district.town_a)
    data = report_data(task, submit="1", files=[upload("伪装照片.jpg", b"MZ" + b"\0" * 99)])
    response = client.post(reverse("plans:report_add", args=[mine.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and "伪装照片.jpg" in body and "可执行程序" in body
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert status_of(mine) == AssignmentStatus.NOT_STARTED


def test_missing_summary_and_a_negative_quantity_are_named(client, district, task, mine):
    client.force_login(district.town_a)
    data = report_data(task, summary="", quantity="-1", save="1")
    body = client.post(reverse("plans:report_add", args=[mine.pk]), data).content.decode()
    assert "该字段是必填项" in body and "确保该值大于或等于0" in body
    assert not ProgressReport.objects.exists()


def test_a_period_takes_a_second_report_through_the_page(client, district, task, mine):
    """Issue #8 (was: "a second report for the same period is refused")."""
    client.force_login(district.town_a)
    add = reverse("plans:report_add", args=[mine.pk])
    client.post(add, report_data(task, save="1"))
    response = client.post(add, report_data(task, summary="又开展培训2次", save="1"))
    assert response.status_code == 302
    assert (
        list(ProgressReport.objects.filter(assignment=mine).values_list("period_key", flat=True))
        == [task.periods()[0].key] * 2
    )
    page = client.get(add)
    assert page.status_code == 200 and "填写进展报告" in page.content.decode()


def test_a_report_can_be_moved_to_another_period(client, district):
    """Issue #8 (was: "a report cannot be moved onto a period that has one")."""
    year = timezone.localdate().year
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=year), timeframe="quarterly")
    assignment = Assignment.objects.create(task=task, unit=district.town_a_unit, role="lead")
    q1, q2 = (p.key for p in task.periods()[:2])
    services.save_report(assignment, actor=district.town_a, period_key=q1, summary="一季度")
    second = services.save_report(
        assignment, actor=district.town_a, period_key=q2, summary="二季度"
    )
    client.force_login(district.town_a)
    add_page = client.get(reverse("plans:report_add", args=[assignment.pk])).content.decode()
    assert all(f'value="{p.key}"' in add_page for p in task.periods())
    response = client.post(
        reverse("plans:report_edit", args=[second.pk]),
        {"period_key": q1, "summary": "改到一季度", "save": "1"},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.period_key == q1


def test_a_submitted_report_cannot_be_edited(client, district, task, mine):
    report = services.save_report(
        mine, actor=district.town_a, period_key=task.periods()[0].key, summary="初稿"
    )
    services.submit_report(report, actor=district.town_a)
    client.force_login(district.town_a)
    edit = reverse("plans:report_edit", args=[report.pk])
    response = client.get(edit)
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    response = client.post(edit, report_data(task, summary="偷偷改", save="1"))
    assert "不能修改" in response.content.decode()
    report.refresh_from_db()
    assert report.summary == "初稿" and report.status == ReportStatus.SUBMITTED


def test_a_returned_report_can_get_more_evidence(client, district, task, mine):
    report = services.save_report(
        mine, actor=district.town_a, period_key=task.periods()[0].key, summary="初稿"
    )
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=False, comment="缺照片")
    client.force_login(district.town_a)
    data = report_data(
        task, save="1", files=[upload("补充1.png", png_bytes()), upload("补充2.png", png_bytes())]
    )
    client.post(reverse("plans:report_edit", args=[report.pk]), data)
    assert sorted(report.evidence.values_list("name", flat=True)) == ["补充1.png", "补充2.png"]
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.RETURNED


def test_htmx_review_answers_the_form_partial_when_invalid_and_hx_location_when_done(
    client, district, task, mine
):
    report = services.save_report(
        mine, actor=district.town_a, period_key=task.periods()[0].key, summary="初稿"
    )
    services.submit_report(report, actor=district.town_a)
    client.force_login(district.district)
    url = reverse("plans:report_review", args=[report.pk])
    response = client.post(url, {"decision": "return"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "退回时须填写退回意见" in body
    response = client.post(url, {"decision": "accept"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert json.loads(response["HX-Location"])["path"] == reverse(
        "plans:assignment_detail", args=[mine.pk]
    )


def test_the_assignment_page_shows_task_targets_periods_and_actions(client, district, task, mine):
    client.force_login(district.town_a)
    body = client.get(reverse("plans:assignment_detail", args=[mine.pk])).content.decode()
    assert "网格员应急管理业务培训" in body and "东新城" in body and "牵头" in body
    assert "网格员培训≥4次" in body and "全年" in body
    assert "填写进展报告" in body and "申请延期" in body
    assert "验收通过" not in body
    client.force_login(district.district)
    body = client.get(reverse("plans:assignment_detail", args=[mine.pk])).content.decode()
    assert "填写进展报告" not in body and "申请延期" not in body  # the issuer reviews
    client.force_login(district.town_a_viewer)
    body = client.get(reverse("plans:assignment_detail", args=[mine.pk])).content.decode()
    assert "填写进展报告" not in body and "发表批示" in body


def test_anyone_who_reads_the_assignment_may_comment(client, district, task, mine):
    url = reverse("plans:comment_add", args=[mine.pk])
    client.force_login(district.town_a_viewer)
    response = client.post(url, {"text": "请抓紧落实网格员培训"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert json.loads(response["HX-Location"])["path"] == reverse(
        "plans:assignment_detail", args=[mine.pk]
    )
    client.force_login(district.district)
    response = client.post(url, {"text": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert list(mine.comments.values_list("text", "author__username")) == [
        ("请抓紧落实网格员培训", "town_a_viewer")
    ]
    body = client.get(reverse("plans:assignment_detail", args=[mine.pk])).content.decode()
    assert "请抓紧落实网格员培训" in body


def test_the_assignment_page_does_not_query_per_report(
    client, district, django_assert_max_num_queries
):
    from xuanpei.plans import evidence

    year = timezone.localdate().year
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=year), timeframe="quarterly")
    TargetFactory(task=task)
    TargetFactory(task=task, per_period=True)
    assignment = Assignment.objects.create(task=task, unit=district.town_a_unit, role="lead")
    url = reverse("plans:assignment_detail", args=[assignment.pk])
    client.force_login(district.district)
    for period in task.periods():
        report = services.save_report(
            assignment,
            actor=district.town_a,
            period_key=period.key,
            summary=f"{period.label}已开展",
            quantities={t.pk: 1 for t in task.targets.all()},
        )
        files = [upload("a.png", png_bytes()), upload("b.png", png_bytes())]
        evidence.attach_evidence(report, files, actor=district.town_a)
        services.submit_report(report, actor=district.town_a)
        services.review_report(report, actor=district.district, accept=True)
    # Constant in the reports: the status reading (reports, dues, targets, accepted
    # quantities with the sub-assignments' roll-up) and the page's own lists.
    with django_assert_max_num_queries(34):
        body = client.get(url).content.decode()
    assert body.count("report-history") == 4 and "4/4 期达标" in body


def test_the_edit_form_shows_quantities_as_people_write_them(client, district, task, mine):
    target = task.targets.get()
    report = services.save_report(
        mine,
        actor=district.town_a,
        period_key=task.periods()[0].key,
        summary="持证率",
        quantities={target.pk: Decimal("100.00")},
    )
    client.force_login(district.town_a)
    page = client.get(reverse("plans:report_edit", args=[report.pk])).content.decode()
    assert f'name="target_{target.pk}" value="100"' in page and "1E+2" not in page
