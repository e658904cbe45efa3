"""Issue #9 item 6 in a real browser: the new-report form posted twice (a double click on
a slow line, a retry) leaves one submitted report (one event, one message to the
reviewer), and the page says the repeat was ignored."""

from decimal import Decimal

import pytest
from django.utils import timezone

from xuanpei.notifications.models import Notification
from xuanpei.plans import services
from xuanpei.plans.choices import ReportStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TargetFactory, TaskFactory
from xuanpei.plans.models import Assignment, ProgressReport, ReportEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def assignment(district):
    year = timezone.localdate().year
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=year),
        number="三(二)3",
        title="安全生产网格员业务培训",
        timeframe=Timeframe.ALL_YEAR,
    )
    TargetFactory(task=task, name="网格员培训", value=Decimal("4"), unit_label="次")
    task.lead_units.set([district.town_a_unit])
    services.sync_assignments(task)
    return Assignment.objects.get(task=task, unit=district.town_a_unit)


# What a double click on a slow line, or a retry after a timeout, sends: the same rendered
# form twice. One after the other: the live server's in-memory SQLite test database is one
# connection shared by its threads (the simultaneous case runs on PostgreSQL in
# plans/tests/test_concurrency.py).
POST_TWICE = """async () => {
  const form = document.querySelector("#id_summary").form;
  const data = new FormData(form);
  data.append("submit", "1");
  const post = () => fetch(form.action || location.href, {method: "POST", body: data});
  const answers = [await post(), await post()];
  return Promise.all(answers.map(async a => [a.status, await a.text()]));
}"""


def test_the_same_report_form_posted_twice_makes_one_submitted_report(
    district, assignment, login, shot, live_server
):
    page = login("town_a")
    page.goto(f"{live_server.url}/plans/assignments/{assignment.pk}/reports/add/")
    page.fill("#id_summary", "组织辖区网格员开展应急管理业务培训，参训86人。")
    page.fill(f"#id_target_{assignment.task.targets.get().pk}", "1")

    answers = page.evaluate(POST_TWICE)
    page.goto(f"{live_server.url}/plans/assignments/{assignment.pk}/")
    shot("91-report-posted-twice")

    # Each followed its redirect to the assignment page, which says what became of it.
    assert [status for status, _text in answers] == [200, 200]
    said = " ".join(text for _status, text in answers)
    assert "报告已提交，等待审核" in said and "该报告已保存，重复提交的请求已忽略" in said
    report = ProgressReport.objects.get(assignment=assignment)
    assert report.status == ReportStatus.SUBMITTED
    assert ReportEvent.objects.filter(report=report).count() == 1
    assert Notification.objects.filter(unit=district.root).count() == 1
    assert page.content().count("组织辖区网格员开展应急管理业务培训") == 1
