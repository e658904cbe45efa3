"""The daily jobs (issue #14 item 2): one list (core.schedule.DAILY_JOBS) that Celery beat
follows and `xuanpei schedule` prints and runs; a scheduled task runs only the commands
of that list, each with its own arguments, through the same function under both.

One test goes through a real Celery worker on the machine's Redis, with the fixtures of
test_celery_runner.py (skipped off CI when no Redis answers)."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.utils import timezone

from xuanpei.core import schedule
from xuanpei.core.tests.test_celery_runner import (  # noqa: F401 - pytest fixtures
    _test_broker,
    celery_app,
    celery_worker,
)
from xuanpei.workforce.factories import CertificateFactory, PostFactory
from xuanpei.workforce.models import ComplianceSnapshot

README_DAILY = {  # README.md's command table marks these "daily"
    "refresh_compliance",
    "send_reminders",
    "plan",
    "cleanup",
}


@pytest.fixture
def state(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "schedule-state.json"


@pytest.fixture
def staffed(district):
    """ent_a1: one post covered by a certificate and one not (持证率 50%)."""
    today = timezone.localdate()
    covered = PostFactory(enterprise=district.ent_a1)
    CertificateFactory(
        holder=covered.person, enterprise=district.ent_a1, issue_date=today - timedelta(days=400)
    )
    PostFactory(enterprise=district.ent_a1)
    return district


def test_the_schedule_names_only_existing_whitelisted_commands_spread_over_the_night():
    commands = get_commands()
    assert {job.command for job in schedule.DAILY_JOBS} == schedule.WHITELIST
    assert README_DAILY <= schedule.WHITELIST
    for job in schedule.DAILY_JOBS:
        assert job.command in commands, job.command
    times = [(job.hour, job.minute) for job in schedule.DAILY_JOBS]
    assert len(set(times)) == len(times)  # no two jobs at the same minute
    assert len({job.name for job in schedule.DAILY_JOBS}) == len(schedule.DAILY_JOBS)
    # The snapshots before anything that reads them; reminders in working hours.
    at = {job.name: (job.hour, job.minute) for job in schedule.DAILY_JOBS}
    assert at["refresh-compliance"] < at["plan-refresh-status"] < at["send-reminders"]
    assert (8, 0) <= at["send-reminders"] < (9, 0)


def test_celery_beat_sends_each_job_by_name_at_its_shanghai_time():
    from xuanpei.celery import app

    beat = app.conf.beat_schedule
    assert set(beat) == set(schedule.JOBS_BY_NAME)
    assert str(app.conf.timezone) == "Asia/Shanghai"
    for name, entry in beat.items():
        job = schedule.JOBS_BY_NAME[name]
        assert entry["task"] == schedule.TASK_NAME
        assert entry["args"] == (name,)  # a name, never a command or its arguments
        assert entry["schedule"].hour == {job.hour}
        assert entry["schedule"].minute == {job.minute}
        assert entry["options"]["expires"] == schedule.EXPIRES_SECONDS
    assert schedule.TASK_NAME in app.tasks


@pytest.mark.parametrize("name", list(schedule.JOBS_BY_NAME))
def test_each_daily_job_runs_with_its_arguments_through_the_celery_task(staffed, name):
    from xuanpei.core.tasks import run_daily_job_task

    result = run_daily_job_task.apply(args=(name,))

    assert result.successful(), result.traceback
    assert result.result  # every daily command reports what it did


def test_the_compliance_job_makes_today_s_snapshots(staffed):
    from xuanpei.core.tasks import run_daily_job_task

    assert not ComplianceSnapshot.objects.exists()
    output = run_daily_job_task.apply(args=("refresh-compliance",)).get()

    snap = ComplianceSnapshot.objects.get(enterprise=staffed.ent_a1, on=timezone.localdate())
    assert (snap.required, snap.compliant) == (2, 1)
    assert f"day: {timezone.localdate():%Y-%m-%d}" in output


def test_a_message_naming_anything_but_a_daily_job_is_refused(district):
    from xuanpei.core.tasks import run_daily_job_task

    for forged in ("migrate", "flush", "refresh_compliance", "cleanup --hours 0"):
        result = run_daily_job_task.apply(args=(forged,))
        assert result.failed()
        assert isinstance(result.result, schedule.UnknownJob)


def test_the_schedule_command_prints_every_job_with_its_time_in_chinese(state):
    out = _call("schedule")
    assert "每日定时任务（Asia/Shanghai 时间）" in out
    for job in schedule.DAILY_JOBS:
        assert f"{job.at}  {job.name}" in out
        assert str(job.description) in out
    assert "xuanpei plan refresh-status" in out


def test_run_names_one_job_and_an_unknown_name_is_exit_2(staffed, state):
    out = _call("schedule", "--run", "refresh-compliance")
    assert "refresh-compliance：已完成" in out
    assert ComplianceSnapshot.objects.filter(on=timezone.localdate()).exists()

    with pytest.raises(CommandError, match="没有名为 migrate 的定时任务") as caught:
        _call("schedule", "--run", "migrate")
    assert caught.value.returncode == 2


def test_run_due_runs_what_is_due_once_a_day(staffed, state):
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    at_two = datetime(today.year, today.month, today.day, 2, 0, tzinfo=tz)

    ran = schedule.run_due(at_two, path=state)

    assert [(job.name, error) for job, error in ran] == [
        ("refresh-compliance", None),
        ("plan-refresh-status", None),
    ]
    assert ComplianceSnapshot.objects.filter(on=today).exists()
    assert json.loads(state.read_text()) == {
        "refresh-compliance": today.isoformat(),
        "plan-refresh-status": today.isoformat(),
    }
    # The timer's next call the same night: nothing twice; later, the rest.
    assert schedule.run_due(at_two + timedelta(minutes=5), path=state) == []
    later = [job.name for job, _ in schedule.run_due(at_two.replace(hour=9), path=state)]
    assert later == ["check-integrity", "cleanup", "send-reminders"]
    # The next day everything is due again.
    tomorrow = [job.name for job, _ in schedule.run_due(at_two + timedelta(days=1), path=state)]
    assert tomorrow == ["refresh-compliance", "plan-refresh-status"]


def test_run_due_with_nothing_due_says_so(district, state):
    out = _call("schedule", "--run-due")
    assert "已完成" in out or "没有到时间的任务" in out


def _reset_producers(app) -> None:
    amqp = app.amqp
    for cached in ("queues", "default_queue", "router"):
        amqp.__dict__.pop(cached, None)
    amqp._producer_pool = None
    app.close()


@pytest.fixture(scope="module")
def _clean_app_after_module(_test_broker):  # noqa: F811 - the imported fixture
    """After the last test's queue purge (which builds the queues again), before the next
    module's broker fixture: that module starts with nothing of this one's queue."""
    yield
    _reset_producers(_test_broker)


@pytest.fixture
def fresh_producers(_clean_app_after_module, celery_app):  # noqa: F811 - the imported fixture
    """The app's queues, router and producers made for this module's queue and key prefix.

    `_test_broker` (test_celery_runner's module fixture, imported here) gives each module
    its own queue and prefix, but the app keeps the queues, router and producers it built
    first, for another module's queue: its worker would never see this module's messages.
    """
    _reset_producers(celery_app)
    return celery_app


@pytest.mark.django_db(transaction=True)
def test_beat_s_message_is_run_by_a_real_celery_worker(staffed, fresh_producers):  # noqa: F811
    from xuanpei.core.tasks import run_daily_job_task

    today = timezone.localdate()
    with celery_worker(fresh_producers):
        run_daily_job_task.delay("refresh-compliance")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if ComplianceSnapshot.objects.filter(on=today).exists():
                break
            time.sleep(0.1)
    snap = ComplianceSnapshot.objects.get(enterprise=staffed.ent_a1, on=today)
    assert (snap.required, snap.compliant) == (2, 1)


def _call(*args) -> str:
    import io

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()
