"""Grid-officer reminders (issue #12 §6): "alerts to a new town in the last month of a
quarter it has not met" — one inbox message per new town and quarter, however often the
daily job runs; none before the quarter's last month, none once the quarter is met."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from xuanpei.accounts.factories import UserFactory
from xuanpei.core.permissions import Role
from xuanpei.notifications.models import Notification
from xuanpei.training import reminders
from xuanpei.training.factories import (
    AttendanceFactory,
    TrainingSessionFactory,
    UnitPostFactory,
    local,
)
from xuanpei.training.models import TrainingSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district):
    """东新城 met Q1 2026 (one held class, its officer signed in); 西新城 did not."""
    zhang = UnitPostFactory(unit=district.street_a, person__name="张网格").person
    UnitPostFactory(unit=district.town_b_sub, person__name="李网格")
    session = TrainingSessionFactory(
        unit=district.town_a_unit,
        kind=TrainingSession.Kind.GRID_OFFICER,
        status=TrainingSession.Status.HELD,
        starts_at=local(2026, 2, 10, 9),
        ends_at=local(2026, 2, 10, 11),
    )
    AttendanceFactory(session=session, person=zhang)
    return district


def grid_messages():
    return Notification.objects.filter(kind="training", key__startswith="training:grid-quarter:")


def test_no_reminder_before_the_last_month_of_the_quarter(world):
    result = reminders.send_training_reminders(date(2026, 2, 28), email=False)
    assert result.created == 0 and not grid_messages().exists()


def test_on_1_march_the_town_that_has_not_met_q1_gets_one_message(world):
    result = reminders.send_training_reminders(date(2026, 3, 1), email=False)
    [message] = grid_messages()
    assert message.unit == world.town_b_unit
    assert message.key == f"training:grid-quarter:{world.town_b_unit.pk}:2026Q1"
    assert message.due_date == date(2026, 3, 31)
    assert "2026年第1季度" in message.title
    assert result.created == 1 and result.raised["grid_quarter_reminders"] == 1


def test_running_every_day_of_the_month_raises_it_once(world):
    day = date(2026, 3, 1)
    created = []
    while day <= date(2026, 3, 31):
        created.append(reminders.send_training_reminders(day, email=False).created)
        day += timedelta(days=1)
    assert created[0] == 1 and sum(created) == 1
    assert grid_messages().count() == 1
    # 1 April: Q2's first month, nothing new (Q1's message stays as it was).
    assert reminders.send_training_reminders(date(2026, 4, 1), email=False).created == 0


def test_a_town_that_meets_the_quarter_before_the_job_runs_is_not_reminded(world):
    li = world.town_b_sub.staff_posts.get().person
    session = TrainingSessionFactory(
        unit=world.town_b_sub,
        kind=TrainingSession.Kind.GRID_OFFICER,
        status=TrainingSession.Status.HELD,
        starts_at=local(2026, 3, 5, 9),
        ends_at=local(2026, 3, 5, 11),
    )
    AttendanceFactory(session=session, person=li)
    assert reminders.send_training_reminders(date(2026, 3, 6), email=False).created == 0
    # …but on 3 March, before that class, it was still due.
    assert reminders.send_training_reminders(date(2026, 3, 3), email=False).created == 1


def test_the_year_end_quarter_is_reminded_in_december_under_its_own_key(world):
    reminders.send_training_reminders(date(2026, 12, 1), email=False)
    keys = set(grid_messages().values_list("key", flat=True))
    assert keys == {
        f"training:grid-quarter:{world.town_a_unit.pk}:2026Q4",
        f"training:grid-quarter:{world.town_b_unit.pk}:2026Q4",
    }


def test_the_daily_command_raises_them_and_emails_the_towns_admins(world, capsys):
    UserFactory(
        username="town_b_mail", unit=world.town_b_unit, role=Role.UNIT_ADMIN, email="b@example.com"
    )
    call_command("send_reminders", "--date", "2026-03-10")
    assert grid_messages().count() == 1
    assert any(m.to == ["b@example.com"] and "培训提醒" in m.subject for m in mail.outbox)
    assert "training reminders due" in capsys.readouterr().out
    outbox = len(mail.outbox)
    call_command("send_reminders", "--date", "2026-03-11")
    assert grid_messages().count() == 1 and len(mail.outbox) == outbox
