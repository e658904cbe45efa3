"""Issue #4's reporting flow in a real browser: a new town writes a report with a quantity and
a photo and submits it → the district returns it with a comment → the town edits and
resubmits → the district accepts → the assignment shows 已验收. Desktop and phone shots."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from tests.browser.plan_world import both_sizes, switch_user, town_a_assignment
from xuanpei.plans import services
from xuanpei.plans.choices import AssignmentStatus, ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.plans.models import Evidence, ProgressReport, ReportEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo(path):
    """A 1200×900 'photo' taken sideways (EXIF orientation 6), as phones do."""
    img = Image.new("RGB", (1200, 900), (70, 130, 180))
    draw = ImageDraw.Draw(img)
    draw.rectangle((100, 600, 1100, 850), fill=(240, 200, 60))
    draw.ellipse((450, 150, 750, 450), fill=(220, 60, 50))
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(path, "JPEG", exif=exif.tobytes())
    return str(path)


@pytest.fixture
def assignment(district):
    return town_a_assignment(
        district,
        number="三(二)3",
        title="安全生产网格员业务培训",
        content="各新城每季度至少组织开展一次网格员应急管理业务能力培训。",
        target="网格员培训",
        value="4",
        unit_label="次",
    )


def test_a_town_reports_is_returned_resubmits_and_is_accepted(
    district, assignment, login, shot, tmp_path, live_server
):
    url = f"{live_server.url}/plans/assignments/{assignment.pk}/"
    page = login("town_a")
    page.goto(url)
    page.click("text=填写进展报告")
    page.fill("#id_summary", "3月12日组织辖区网格员开展应急管理业务培训，参训86人。")
    target = assignment.task.targets.get()
    page.fill(f"#id_target_{target.pk}", "2")
    page.set_input_files("#id_files", photo(tmp_path / "培训现场.jpg"))
    both_sizes(page, shot, "21-report-form")
    page.click("button[name=submit]")
    page.wait_for_selector("#assignment-status")
    assert page.locator("#assignment-status").inner_text() == "已提交"
    assert page.locator(".evidence-list img").count() == 1
    report = ProgressReport.objects.get(assignment=assignment)
    assert report.status == ReportStatus.SUBMITTED
    with Image.open(Evidence.objects.get(report=report).thumbnail.path) as thumb:
        assert thumb.height > thumb.width  # turned upright by its EXIF orientation
    both_sizes(page, shot, "22-assignment-submitted")

    # The district returns it with a comment (htmx; an empty comment is refused first).
    page = switch_user(page, login, "district")
    page.goto(url)
    review = page.locator(f"#review-{report.pk}")
    review.locator("button[value=return]").click()
    page.wait_for_selector(f"#review-{report.pk} .invalid-feedback")
    assert "退回时须填写退回意见" in page.locator(f"#review-{report.pk}").inner_text()
    both_sizes(page, shot, "23-review-needs-comment")
    page.fill(f"#review-{report.pk} textarea", "请补充培训签到表，并注明参训网格员人数。")
    page.locator(f"#review-{report.pk} button[value=return]").click()
    page.wait_for_selector("#assignment-status:text('已退回')")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    # The town edits and resubmits.
    page = switch_user(page, login, "town_a")
    page.goto(url)
    assert "请补充培训签到表" in page.content()
    both_sizes(page, shot, "24-assignment-returned")
    page.click(f"#report-{report.pk} >> text=修改")
    page.fill(f"#id_target_{target.pk}", "4")
    page.fill("#id_summary", "3月12日、6月8日两次组织网格员培训，参训172人，已附签到表。")
    page.click("button[name=submit]")
    page.wait_for_selector("#assignment-status:text('已提交')")

    # The district accepts.
    page = switch_user(page, login, "district")
    page.goto(url)
    page.locator(f"#review-{report.pk} button[value=accept]").click()
    page.wait_for_selector("#assignment-status:text('已验收')")
    assert "已验收" in page.locator(".alert-success").inner_text()
    history = page.locator(f"#report-{report.pk} .report-history").inner_text()
    assert len(re.findall("提交", history)) == 2 and "退回" in history and "验收通过" in history
    both_sizes(page, shot, "25-assignment-accepted")

    report.refresh_from_db()
    assignment.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert assignment.status == AssignmentStatus.ACCEPTED
    assert list(report.events.values_list("action", flat=True)) == [
        ReportEvent.Action.SUBMIT,
        ReportEvent.Action.RETURN,
        ReportEvent.Action.SUBMIT,
        ReportEvent.Action.ACCEPT,
    ]
    assert [row.total for row in services.target_progress(assignment)] == [Decimal("4")]


def test_an_overdue_town_asks_for_more_time_and_the_district_grants_it(
    district, login, shot, live_server
):
    last_year = timezone.localdate().year - 1
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=last_year),
        title="“安全生产月”主题宣传活动",
        timeframe=Timeframe.ALL_YEAR,
    )
    task.lead_units.set([district.town_a_unit])
    [assignment] = services.sync_assignments(task)
    url = f"{live_server.url}/plans/assignments/{assignment.pk}/"
    new_due = timezone.localdate() + timedelta(days=20)

    page = login("town_a")
    page.goto(url)
    assert page.locator("#assignment-status").inner_text() == "已逾期"
    page.click("text=申请延期")
    page.fill("#id_requested_due", new_due.isoformat())
    page.fill("#id_reason", "汛期抢险任务重，主题活动推迟到本月举办。")
    both_sizes(page, shot, "26-adjustment-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=延期申请已提交，等待审批")

    page = switch_user(page, login, "district")
    page.goto(url)
    decision = page.locator("form[id^=decide-]")
    both_sizes(page, shot, "27-adjustment-pending")
    decision.locator("button[value=grant]").click()
    page.wait_for_selector("text=已同意延期")
    assert page.locator("#assignment-status").inner_text() == "未开始"
    assert "已延期" in page.locator("#period-table").inner_text()
    both_sizes(page, shot, "28-adjustment-granted")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.NOT_STARTED
    assert assignment.next_due == new_due
