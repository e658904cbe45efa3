"""Issue #8 §2 in a real browser: 三(一)5's year is accepted with 3 of 5 brand activities;
the town adds a second report to the same period, the district finds it in the 待审核
queue from the home page, accepts it, accepts the short target with a recorded exception,
then reopens the year with a reason. Desktop and phone shots of each page."""

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.test_report_flow import both_sizes, switch_user
from xuanpei.plans import services
from xuanpei.plans.choices import AssignmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment, ReportEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def brand(district):
    year = timezone.localdate().year
    plan = PlanFactory(
        unit=district.root, year=year, title=f"测试区{year}年应急管理宣传教育培训工作计划"
    )
    task = TaskFactory(
        plan=plan,
        number="三(一)5",
        title="多措并举开展主题宣传教育活动",
        timeframe=Timeframe.ALL_YEAR,
        timeframe_note="防灾减灾宣传周5月、安全生产月6月、119消防宣传月11月",
    )
    TargetFactory(task=task, name="品牌活动", value=Decimal("5"), unit_label="次")
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    a = Assignment.objects.get(task=task, unit=district.town_a_unit)
    report = services.save_report(
        a,
        actor=district.town_a,
        period_key=str(year),
        summary="开展防灾减灾宣传周、安全生产月、119消防宣传月活动",
        quantities={task.targets.get().pk: 3},
    )
    services.submit_report(report, actor=district.town_a)
    services.review_report(report, actor=district.district, accept=True)
    return a


def test_more_progress_on_an_accepted_year_then_exception_then_reopen(
    district, brand, login, shot, live_server
):
    url = f"{live_server.url}/plans/assignments/{brand.pk}/"
    year = brand.task.plan.year
    target = brand.task.targets.get()
    page = login("town_a")
    page.goto(url)
    assert "量化目标尚未全部达成" in page.locator("#targets-short").inner_text()
    page.click("text=填写进展报告")
    option = page.locator("#id_period_key option:checked").inner_text()
    assert option == f"{year}年全年（{year}-12-31 截止） · 已验收，可补报新进展"
    page.fill("#id_summary", "12月2日全国交通安全日进社区宣传，发放资料600份。")
    page.fill(f"#id_target_{target.pk}", "1")
    both_sizes(page, shot, "31-second-report-form")
    page.click("button[name=submit]")
    page.wait_for_selector("#assignment-status:text('已提交')")
    assert page.locator(".report-card").count() == 2
    both_sizes(page, shot, "32-assignment-two-reports")

    # The district finds it in its queue, from the home page's card.
    page = switch_user(page, login, "district")
    page.click("#home-pending")
    page.wait_for_selector("#report-queue")
    assert page.locator(".queue-row").count() == 1
    assert f"三(一)5 · {year}年全年" in page.locator(".queue-row").inner_text()
    both_sizes(page, shot, "33-review-queue")
    page.click(".queue-row >> text=审核")
    page.locator("button[value=accept]").click()
    page.wait_for_selector("#targets-short")
    assert page.locator("#assignment-status").inner_text() == "进行中"

    # 4 of 5: the district accepts with an exception and a reason.
    page.click("#assignment-actions >> text=例外验收")
    page.wait_for_selector("#exception-form")
    assert "品牌活动≥5次" in page.locator("#short-targets").inner_text()
    page.fill("#id_reason", "《安全生产法》宣传周活动因场地原因并入安全生产月开展，同意验收。")
    both_sizes(page, shot, "34-exception-form")
    page.click("#exception-form button[type=submit]")
    page.wait_for_selector("#exception-record")
    assert page.locator("#assignment-status").inner_text() == "已验收"
    assert "并入安全生产月" in page.locator("#exception-record").inner_text()
    both_sizes(page, shot, "35-exception-recorded")
    brand.refresh_from_db()
    assert brand.status == AssignmentStatus.ACCEPTED and brand.exception_by == district.district

    # Then reopens the year: the town owes the missing activity after all.
    page.click("#assignment-actions >> text=重新打开填报期")
    page.wait_for_selector("#reopen-form")
    page.fill("#id_reason", "请补报《安全生产法》宣传周专项活动的方案、照片和总结。")
    both_sizes(page, shot, "36-reopen-form")
    page.click("#reopen-form button[type=submit]")
    page.wait_for_selector("text=该期已重新打开")
    assert page.locator("#assignment-status").inner_text() != "已验收"
    assert page.locator("#exception-record").count() == 0
    both_sizes(page, shot, "37-assignment-reopened")
    brand.refresh_from_db()
    assert not brand.has_exception
    assert (
        brand.reports.filter(status=ReportStatus.ACCEPTED, reopened_at__isnull=False).count() == 2
    )
    assert ReportEvent.objects.filter(
        report__assignment=brand, action=ReportEvent.Action.REOPEN
    ).exists()
