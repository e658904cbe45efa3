"""Issue #4 "Done when", end to end in a browser: the district gives a task to two new
towns → one reports with a photo → the district returns it → it resubmits → accepted →
the matrix and the dashboard show it, and the other new town shows overdue after the
deadline."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from PIL import Image

from tests.browser.plan_world import switch_user
from xuanpei.plans.choices import AssignmentStatus, ReportStatus
from xuanpei.plans.factories import PlanFactory
from xuanpei.plans.models import Assignment, ProgressReport, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(path):
    Image.new("RGB", (800, 600), (40, 120, 200)).save(path, "JPEG")
    return str(path)


def test_a_task_for_two_towns_runs_from_issue_to_acceptance_and_overdue(
    district, login, shot, tmp_path, live_server
):
    # The deadline has just passed: a date range that ended yesterday.
    end = timezone.localdate() - timedelta(days=1)
    start = max(date(end.year, 1, 1), end - timedelta(days=30))
    plan = PlanFactory(unit=district.root, year=end.year, title=f"测试区{end.year}年计划")

    page = login("district")
    page.goto(f"{live_server.url}/plans/{plan.pk}/tasks/add/")
    page.fill("#id_number", "三(一)3")
    page.fill("#id_title", "安全宣传“五进”活动")
    page.select_option("#id_kind", "publicity")
    page.select_option("#id_timeframe", "date_range")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.locator("#id_lead_units_box").get_by_label("东新城", exact=True).check()
    page.locator("#id_lead_units_box").get_by_label("西新城", exact=True).check()
    page.fill("#id_targets-0-name", "五进活动")
    page.fill("#id_targets-0-value", "2")
    page.fill("#id_targets-0-unit_label", "次")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    task = Task.objects.get(plan=plan, number="三(一)3")
    a = Assignment.objects.get(task=task, unit=district.town_a_unit)
    b = Assignment.objects.get(task=task, unit=district.town_b_unit)
    assert a.status == b.status == AssignmentStatus.OVERDUE  # nothing reported by the deadline

    # 东新城 reports with a photo and submits.
    url = f"{live_server.url}/plans/assignments/{a.pk}/"
    page = switch_user(page, login, "town_a")
    page.goto(f"{live_server.url}/plans/inbox/")
    assert "安全宣传“五进”活动" in page.inner_text("main")
    page.goto(url)
    page.click("text=填写进展报告")
    page.fill("#id_summary", "组织“五进”活动2次，进企业、进社区各1次。")
    page.fill(f"#id_target_{task.targets.get().pk}", "2")
    page.set_input_files("#id_files", photo(tmp_path / "五进活动.jpg"))
    page.click("button[name=submit]")
    page.wait_for_selector(".alert-success")
    report = ProgressReport.objects.get(assignment=a)
    assert report.status == ReportStatus.SUBMITTED
    # Submitted after the deadline: overdue until the district accepts it.
    assert page.inner_text("#assignment-status") == "已逾期"

    # The district returns it; 东新城 resubmits; the district accepts.
    page = switch_user(page, login, "district")
    page.goto(url)
    page.fill(f"#review-{report.pk} textarea", "请补充活动签到表。")
    page.locator(f"#review-{report.pk} button[value=return]").click()
    page.wait_for_selector(".alert-success")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    page = switch_user(page, login, "town_a")
    page.goto(url)
    page.click(f"#report-{report.pk} >> text=修改")
    page.fill("#id_summary", "组织“五进”活动2次，已附签到表。")
    page.click("button[name=submit]")
    page.wait_for_selector(".alert-success")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    page = switch_user(page, login, "district")
    page.goto(url)
    page.locator(f"#review-{report.pk} button[value=accept]").click()
    page.wait_for_selector("#assignment-status:text('已验收')")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    # The matrix and the dashboard show it; 西新城 is overdue.
    page.goto(f"{live_server.url}/plans/{plan.pk}/matrix/")
    assert page.get_attribute(f"a.cell[href$='/assignments/{a.pk}/']", "aria-label") == (
        "东新城：已验收"
    )
    assert page.get_attribute(f"a.cell[href$='/assignments/{b.pk}/']", "aria-label") == (
        "西新城：已逾期"
    )
    shot("41-matrix-accepted-and-overdue")
    page.goto(f"{live_server.url}/plans/{plan.pk}/dashboard/")
    page.wait_for_selector("canvas")
    assert page.inner_text("#kpi-overdue") == "1"
    overdue = page.inner_text("#overdue-list")
    assert "西新城" in overdue and "东新城" not in overdue
    shot("42-dashboard")

    # 西新城 sees its own lapse first in its inbox.
    page = switch_user(page, login, "town_b")
    page.goto(f"{live_server.url}/plans/inbox/")
    first = page.locator("main table tbody tr").first.inner_text()
    assert "安全宣传“五进”活动" in first and "已逾期" in first
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (AssignmentStatus.ACCEPTED, AssignmentStatus.OVERDUE)
