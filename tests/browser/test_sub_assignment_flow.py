"""Issue #8 item 8 in a real browser: a 镇街 with nothing to do is told why; its new town
breaks a district task down to it; the 镇街 finds it in 我的任务 and reports; the new
town (not the district) accepts; the new town's roll-up shows the 镇街's accepted
quantity counted toward its own target. Desktop and phone shots of each page."""

from decimal import Decimal

import pytest

from tests.browser.plan_world import both_sizes, switch_user, town_a_assignment
from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.plans import services
from xuanpei.plans.choices import ReportStatus
from xuanpei.plans.models import Assignment, ProgressReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def town_assignment(district):
    return town_a_assignment(
        district,
        number="三(一)5",
        title="多措并举开展主题宣传教育活动",
        content="统筹办好“全国防灾减灾日”宣传周、“安全生产月”等品牌活动。",
        target="品牌活动",
        value="5",
        unit_label="次",
    )


def test_a_street_receives_a_sub_assignment_reports_and_the_new_town_rolls_it_up(
    district, town_assignment, login, shot, live_server
):
    UserFactory(username="street_a", unit=district.street_a, role=Role.REPORTER)
    target = town_assignment.task.targets.get()
    inbox = f"{live_server.url}/plans/inbox/"

    # Before: the street's 我的任务 says why it is empty.
    page = login("street_a")
    page.goto(inbox)
    assert "本单位暂无任务。上级单位下发或分解任务后会显示在这里。" in page.inner_text(
        "#inbox-empty"
    )
    both_sizes(page, shot, "81-street-inbox-empty")

    # The new town breaks its assignment down to 甲街道.
    page = switch_user(page, login, "town_a")
    page.goto(f"{live_server.url}{town_assignment.get_absolute_url()}")
    assert "尚未分解给下级单位" in page.inner_text("#rollup")
    page.click("#break-down")
    page.wait_for_selector("#break-down-form")
    assert "甲街道 / 甲社区" in page.inner_text("#unit-choices")
    page.click("#break-down-form button[type=submit]")  # nothing chosen: a Chinese reason
    page.wait_for_selector("text=请选择要分解给的下级单位")
    page.get_by_label("甲街道", exact=True).check()
    both_sizes(page, shot, "82-break-down-form")
    page.click("#break-down-form button[type=submit]")
    page.wait_for_selector("text=已分解给 1 个下级单位：甲街道")
    sub = Assignment.objects.get(parent=town_assignment, unit=district.street_a)

    # The street finds it in 我的任务 and reports 3 activities.
    page = switch_user(page, login, "street_a")
    page.goto(inbox)
    assert "多措并举开展主题宣传教育活动" in page.inner_text("#inbox-table")
    both_sizes(page, shot, "83-street-inbox")
    page.click("#inbox-table >> text=多措并举开展主题宣传教育活动")
    page.wait_for_selector("#rollup-parent")
    assert "由东新城分解下达" in page.inner_text("#rollup-parent")
    page.click("text=填写进展报告")
    page.fill(
        "#id_summary", "5月12日组织辖区企业开展防灾减灾日宣传，6月开展安全生产月咨询日和应急演练。"
    )
    page.fill(f"#id_target_{target.pk}", "3")
    page.click("button[name=submit]")
    page.wait_for_selector("#assignment-status:text('已提交')")
    report = ProgressReport.objects.get(assignment=sub)
    assert report.status == ReportStatus.SUBMITTED

    # The new town accepts it from its roll-up (the district is not the reviewer).
    page = switch_user(page, login, "town_a")
    page.goto(f"{live_server.url}{town_assignment.get_absolute_url()}")
    assert "已提交" in page.inner_text("#rollup-table")
    page.click("#rollup-table >> text=甲街道")
    page.locator(f"#review-{report.pk} button[value=accept]").click()
    page.wait_for_selector(".alert-success:text('报告已验收')")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED and report.reviewed_by.username == "town_a"

    # The roll-up on the new town's page: 甲街道 3, 合计 3 toward the target of 5.
    page.goto(f"{live_server.url}{town_assignment.get_absolute_url()}")
    row = page.locator("#rollup-table tbody tr", has_text="甲街道")
    assert "3" in row.inner_text()
    assert "3" in page.inner_text("#rollup-total")
    both_sizes(page, shot, "84-town-rollup")
    [progress] = services.target_progress(town_assignment)
    assert progress.total == Decimal("3") and not progress.met

    # The district reads the roll-up but is offered no review on the street's report.
    page = switch_user(page, login, "district")
    page.goto(f"{live_server.url}{sub.get_absolute_url()}")
    assert page.locator(f"#review-{report.pk}").count() == 0
