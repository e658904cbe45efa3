"""Plan reminders (issue #4 §6): due within 7 days and overdue, to the unit's inbox and
by e-mail; once per period; silenced by a submitted report; shown on the home page."""

from datetime import date

import pytest
from django.core import mail

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.notifications.models import Notification
from xuanpei.plans import services
from xuanpei.plans.choices import PlanStatus, Timeframe
from xuanpei.plans.factories import PlanFactory, TaskFactory
from xuanpei.plans.reminders import send_plan_reminders

pytestmark = pytest.mark.django_db

ON = date(2022, 3, 27)  # Q1 ends in four days


@pytest.fixture
def quarterly(district):
    task = TaskFactory(
        plan=PlanFactory(unit=district.root, year=2022),
        title="网格员培训",
        timeframe=Timeframe.QUARTERLY,
    )
    task.lead_units.set([district.town_a_unit, district.town_b_unit])
    for a in services.sync_assignments(task):
        services.refresh_status(a, ON)
    return task


def test_a_quarter_ending_within_7_days_reminds_each_unit_once_and_mails_its_admins(
    quarterly, district
):
    UserFactory(username="a_admin", unit=district.town_a_unit, role=Role.UNIT_ADMIN, email="a@x.cn")
    result = send_plan_reminders(ON)
    notes = Notification.objects.filter(key__startswith="plans:due:")
    assert {n.unit.name for n in notes} == {"东新城", "西新城"}
    assert "还有 4 天" in notes.first().title and "第一季度" in notes.first().title
    assert result.due_soon == 2 and result.emailed == 1
    assert mail.outbox[0].to == ["a@x.cn"] and "计划任务到期提醒" in mail.outbox[0].subject
    again = send_plan_reminders(ON)
    assert (
        again.created == 0
        and Notification.objects.filter(key__startswith="plans:due:").count() == 2
    )


def test_a_submitted_report_silences_the_reminder(quarterly, district):
    a = quarterly.assignments.get(unit=district.town_a_unit)
    report = services.save_report(a, actor=district.town_a, period_key="2022Q1", summary="已培训")
    services.submit_report(report, actor=district.town_a)
    send_plan_reminders(ON)
    units = set(
        Notification.objects.filter(key__startswith="plans:due:").values_list(
            "unit__name", flat=True
        )
    )
    assert units == {"西新城"}


def test_after_the_quarter_the_unit_without_an_accepted_report_hears_it_is_overdue(
    quarterly, district
):
    after = date(2022, 4, 2)
    for a in quarterly.assignments.all():
        services.refresh_status(a, after)
    send_plan_reminders(after)
    overdue = Notification.objects.filter(key__startswith="plans:overdue:")
    assert {n.unit.name for n in overdue} == {"东新城", "西新城"}
    assert all(n.level == "danger" and "2022年第一季度" in n.title for n in overdue)


def test_drafts_and_closed_plans_do_not_remind(district):
    for year, status in ((2022, PlanStatus.DRAFT), (2021, PlanStatus.CLOSED)):
        task = TaskFactory(plan=PlanFactory(unit=district.root, year=year, status=status))
        task.lead_units.set([district.town_a_unit])
        services.sync_assignments(task)
    assert send_plan_reminders(date(2022, 12, 28)).created == 0
    assert send_plan_reminders(date(2021, 12, 28)).created == 0


def test_the_home_page_shows_the_units_overdue_and_due_soon_tasks(quarterly, district, client):
    client.force_login(district.town_a)
    body = client.get("/").content.decode()
    assert "计划任务（本单位及下属单位）" in body and "共 1 项" in body
    client.force_login(district.enterprise)
    assert "计划任务（本单位及下属单位）" not in client.get("/").content.decode()
