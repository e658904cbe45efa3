"""Who may do what on the reporting pages: outsiders get 404, a read-only user and the
wrong unit get 403, and nothing changes either way."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.plans import services
from xuanpei.plans.choices import AdjustmentStatus, PlanKind, ReportStatus
from xuanpei.plans.factories import (
    AdjustmentFactory,
    AssignmentFactory,
    PlanFactory,
    TargetFactory,
    TaskFactory,
)
from xuanpei.plans.models import Comment, ProgressReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(district):
    """东新城's assignment of a district task, with one submitted report and a pending request."""
    year = timezone.localdate().year
    task = TaskFactory(plan=PlanFactory(unit=district.root, year=year), title="安全宣传五进")
    TargetFactory(task=task, value=Decimal("3"))
    assignment = AssignmentFactory(task=task, unit=district.town_a_unit)
    report = services.save_report(
        assignment, actor=district.town_a, period_key=str(year), summary="开展五进活动"
    )
    services.submit_report(report, actor=district.town_a)
    adjustment = AdjustmentFactory(assignment=assignment, reason="汛期任务重")
    return {"assignment": assignment, "report": report, "adjustment": adjustment, "year": year}


def urls(s) -> dict[str, str]:
    a, r, adj = s["assignment"].pk, s["report"].pk, s["adjustment"].pk
    return {
        "assignment_detail": reverse("plans:assignment_detail", args=[a]),
        "report_add": reverse("plans:report_add", args=[a]),
        "adjustment_add": reverse("plans:adjustment_add", args=[a]),
        "comment_add": reverse("plans:comment_add", args=[a]),
        "report_detail": reverse("plans:report_detail", args=[r]),
        "report_edit": reverse("plans:report_edit", args=[r]),
        "report_submit": reverse("plans:report_submit", args=[r]),
        "report_review": reverse("plans:report_review", args=[r]),
        "adjustment_decide": reverse("plans:adjustment_decide", args=[adj]),
    }


def test_a_sibling_town_a_department_and_an_enterprise_get_404_everywhere(client, district, setup):
    for outsider in (district.town_b, district.department, district.enterprise):
        client.force_login(outsider)
        for name, url in urls(setup).items():
            if name != "report_submit":
                assert client.get(url).status_code == 404, (outsider, name)
            if name not in ("assignment_detail", "report_detail"):
                response = client.post(url, {"decision": "accept", "text": "x"})
                assert response.status_code == 404, (outsider, name)
    report = ProgressReport.objects.get(pk=setup["report"].pk)
    assert report.status == ReportStatus.SUBMITTED
    assert not Comment.objects.exists()


def test_a_street_sees_nothing_of_its_new_towns_own_assignment(client, district, setup):
    street_user = UserFactory(unit=district.street_a, role=Role.UNIT_ADMIN)
    client.force_login(street_user)
    assert client.get(urls(setup)["assignment_detail"]).status_code == 404


def test_a_viewer_reads_but_cannot_write_or_submit(client, district, setup):
    services.review_report(setup["report"], actor=district.district, accept=False, comment="补充")
    client.force_login(district.town_a_viewer)
    u = urls(setup)
    assert client.get(u["assignment_detail"]).status_code == 200
    assert client.get(u["report_detail"]).status_code == 200
    assert client.get(u["report_add"]).status_code == 403
    assert client.get(u["report_edit"]).status_code == 403
    assert client.post(u["report_submit"]).status_code == 403
    assert client.post(u["adjustment_add"], {"reason": "x"}).status_code == 403
    assert ProgressReport.objects.get(pk=setup["report"].pk).status == ReportStatus.RETURNED


def test_a_unit_cannot_accept_its_own_report_nor_grant_its_own_adjustment(client, district, setup):
    client.force_login(district.town_a)
    u = urls(setup)
    assert client.get(u["report_review"]).status_code == 403
    assert client.post(u["report_review"], {"decision": "accept"}).status_code == 403
    assert client.post(u["adjustment_decide"], {"decision": "grant"}).status_code == 403
    assert ProgressReport.objects.get(pk=setup["report"].pk).status == ReportStatus.SUBMITTED
    setup["adjustment"].refresh_from_db()
    assert setup["adjustment"].status == AdjustmentStatus.PENDING
    body = client.get(u["assignment_detail"]).content.decode()
    assert "验收通过" not in body and "同意延期" not in body


def test_a_new_town_reviews_the_reports_on_its_own_plan(client, district):
    """Requirement 四(一): 东新城's own plan assigns 甲街道; 东新城 is the issuer there."""
    year = timezone.localdate().year
    plan = PlanFactory(unit=district.town_a_unit, kind=PlanKind.UNIT, year=year)
    assignment = AssignmentFactory(task=TaskFactory(plan=plan), unit=district.street_a)
    street_user = UserFactory(unit=district.street_a, role=Role.REPORTER)
    report = services.save_report(
        assignment, actor=street_user, period_key=str(year), summary="街道已开展"
    )
    services.submit_report(report, actor=street_user)
    client.force_login(street_user)
    review = reverse("plans:report_review", args=[report.pk])
    assert client.post(review, {"decision": "accept"}).status_code == 403
    client.force_login(district.town_a)
    assert client.post(review, {"decision": "accept"}).status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED


def test_the_district_reviews_but_an_accepted_report_is_not_reviewed_twice(client, district, setup):
    client.force_login(district.district)
    review = urls(setup)["report_review"]
    assert client.post(review, {"decision": "accept"}).status_code == 302
    body = client.post(review, {"decision": "return", "comment": "再退回"}).content.decode()
    assert "只能审核已提交的报告" in body
    assert ProgressReport.objects.get(pk=setup["report"].pk).status == ReportStatus.ACCEPTED


def test_each_form_page_renders_for_who_may_use_it(client, district, setup):
    u = urls(setup)
    services.review_report(setup["report"], actor=district.district, accept=False, comment="补")
    client.force_login(district.town_a)
    for name in ("report_edit", "adjustment_add", "comment_add", "report_detail"):
        response = client.get(u[name])
        assert response.status_code == 200, name
        assert "<html" in response.content.decode()
    client.force_login(district.district)
    assert client.get(u["adjustment_decide"]).status_code == 200
    response = client.get(u["report_review"])  # returned, so nothing to review
    assert response.status_code == 302 and response["Location"] == u["report_detail"]
    services.submit_report(setup["report"], actor=district.town_a)
    body = client.get(u["report_review"]).content.decode()
    assert "开展五进活动" in body and "验收通过" in body
