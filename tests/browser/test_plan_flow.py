"""Issue #4's overview pages in a real browser: the district opens its plan, the task
matrix and the dashboard (charts drawn); a new town's admin opens its inbox. Each page
is also looked at 390 px wide (a phone): nothing may push the page sideways."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.factories import add_unit
from xuanpei.plans import services
from xuanpei.plans.choices import TaskKind, Timeframe
from xuanpei.plans.factories import TargetFactory, TaskFactory
from xuanpei.plans.tests.plan_pages_data import assignment, district_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def busy_plan(d):
    """This year's plan with more units and tasks, and reports in every state."""
    today = date.today()
    plan = district_plan(d, today.year, issue=False)
    towns = [add_unit(d.root, name, UnitKind.NEW_TOWN) for name in ("南新城", "北新城")]
    streets = [
        add_unit(t, f"{t.name[:1]}{i}街道", UnitKind.SUBDISTRICT) for t in towns for i in "一二"
    ]
    depts = [add_unit(d.root, name, UnitKind.DEPARTMENT) for name in ("卫生健康局", "交通运输局")]
    titles = ["大力宣传法律法规", "安全宣传五进", "安全生产月活动", "应急科普宣传", "舆情应对"]
    for i, title in enumerate(titles, start=2):
        task = TaskFactory(
            plan=plan, number=f"三(一){i}", title=title, kind=TaskKind.PUBLICITY, order=10 + i,
            timeframe=Timeframe.QUARTERLY if i % 2 else Timeframe.ALL_YEAR,
        )  # fmt: skip
        task.lead_units.set([d.town_a_unit, d.town_b_unit, *towns])
        task.cooperating_units.set([d.dept_unit, *depts[: i % 3]])
    task = TaskFactory(
        plan=plan, number="三(二)1", title="干部专题培训", kind=TaskKind.TRAINING, order=30,
        timeframe=Timeframe.DATE_RANGE, start_date=today - timedelta(days=60),
        end_date=today + timedelta(days=5),
    )  # fmt: skip
    task.lead_units.set([d.town_a_unit, d.street_a, *streets])
    TargetFactory(task=task, name="参训人数", value=50, unit_label="人")
    services.issue_plan(plan, actor=d.district)

    def report(a, key, *, accept=None, comment=""):
        # Units without a persona report as the system; the district only reviews.
        r = services.save_report(a, actor=None, period_key=key, summary="已开展")
        services.submit_report(r, actor=None)
        if accept is not None:
            services.review_report(r, actor=d.district, accept=accept, comment=comment)

    year = today.year
    report(assignment(plan, "三(一)1", d.town_a_unit), str(year), accept=True)
    report(assignment(plan, "三(一)2", d.town_b_unit), str(year))
    report(assignment(plan, "三(一)3", d.town_a_unit), f"{year}Q1", accept=True)
    report(assignment(plan, "三(一)2", d.town_a_unit), str(year), accept=False, comment="缺照片")
    report(assignment(plan, "三(二)1", d.street_a), f"{year}R", accept=True)
    grid = assignment(plan, "三(二)3", d.town_b_unit)
    adj = services.request_adjustment(
        grid, actor=d.town_b, period_key=f"{year}Q3", requested_due=date(year, 10, 20),
        reason="汛期推迟",
    )  # fmt: skip
    services.decide_adjustment(adj, actor=d.district, grant=True)
    return plan


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1


def test_the_district_reads_its_plan_matrix_and_dashboard_and_a_town_its_inbox(
    district, login, shot, live_server
):
    plan = busy_plan(district)
    page = login("district")

    page.goto(f"{live_server.url}/plans/")
    page.click(f"text={plan.title}")
    page.wait_for_selector("#unit-plans")
    assert "学习宣传重要论述" in page.content() and "各单位年度计划" in page.content()
    shot("41-plan-detail-desktop")
    page.set_viewport_size(PHONE)
    shot("41-plan-detail-phone")
    assert no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)

    page.click("text=任务矩阵")
    page.wait_for_selector("#task-matrix")
    assert page.locator("#task-matrix a.cell").count() > 40
    shot("42-matrix-desktop")
    page.set_viewport_size(PHONE)
    shot("42-matrix-phone")
    assert no_sideways_scroll(page)
    # The task column stays while the matrix scrolls sideways.
    page.locator(".matrix-wrap").evaluate("el => el.scrollLeft = 400")
    left = page.locator("#task-matrix tbody th.task-col").first.bounding_box()["x"]
    assert left < 20
    shot("43-matrix-phone-scrolled")
    page.set_viewport_size(DESKTOP)

    page.click("text=进度仪表盘")
    page.wait_for_selector("#unit-chart canvas")
    page.wait_for_selector("#kind-chart canvas")
    assert "逾期清单" in page.content()
    shot("44-dashboard-desktop")
    page.set_viewport_size(PHONE)
    page.wait_for_timeout(300)
    shot("44-dashboard-phone")
    assert no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)

    # The plan's own calendar tab (the 宣传 menu has a 宣传日历 too).
    page.locator("a[href$='/calendar/']:text-is('日历')").first.click()
    page.wait_for_selector("#calendar-list")
    if page.locator("#next-due").count():  # nothing due this month: jump to the next due date
        page.click("#next-due")
        page.wait_for_selector("#calendar-list .status-chip")
    assert page.locator("#calendar-list .status-chip").count() > 0
    shot("45-calendar-desktop")
    page.set_viewport_size(PHONE)
    shot("45-calendar-phone")
    assert no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)

    # Adding a task: a date range without dates is explained next to the field.
    page.goto(f"{live_server.url}/plans/{plan.pk}/tasks/add/")
    page.fill("#id_number", "三(一)9")
    page.fill("#id_title", "舆情应对培训")
    page.select_option("#id_timeframe", "date_range")
    page.check("#id_lead_units_box input[type=checkbox] >> nth=0")
    page.fill("#id_targets-0-name", "开展培训")
    page.fill("#id_targets-0-value", "2")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#id_start_date_error")
    assert "须填写开始日期" in page.inner_text("#id_start_date_error")
    shot("47-task-form-error-desktop")
    page.set_viewport_size(PHONE)
    shot("47-task-form-error-phone")
    assert no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)

    page.context.clear_cookies()
    page = login("town_a")
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    page.click("text=编写本单位年度计划")
    page.fill("#id_preamble", "一、工作目标\n二、工作安排")
    shot("48-unit-plan-form-desktop")
    page.click("button[name=submit]")
    page.wait_for_selector(".alert-success")
    assert "本单位年度计划已提交" in page.content()

    page.goto(f"{live_server.url}/plans/inbox/")
    page.wait_for_selector("#inbox-table")
    body = page.content()
    assert "东新城" in body and "甲街道" in body and "西新城" not in page.inner_text("#inbox-table")
    assert page.locator("tr.inbox-overdue").count() >= 1
    shot("46-inbox-desktop")
    page.select_option("#id_status", "accepted")
    page.wait_for_function("() => !document.querySelector('#inbox-table tr.inbox-overdue')")
    page.goto(f"{live_server.url}/plans/inbox/")
    page.set_viewport_size(PHONE)
    shot("46-inbox-phone")
    assert no_sideways_scroll(page)
