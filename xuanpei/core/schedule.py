"""The daily jobs (issue #14 item 2): what runs when, as data, and how one of them runs.

One list serves every scheduler: Celery beat reads it (`xuanpei/celery.py` builds
`beat_schedule` from it), `xuanpei schedule` prints it, and `xuanpei schedule --run-due`
runs what is due for those who drive it from a systemd timer or cron instead. A job is
named here with its command and arguments; a scheduler only ever passes a job's *name*,
so nothing from the broker can choose a command or its arguments (the whitelist is this
list).

Times are wall-clock times in Asia/Shanghai (settings.TIME_ZONE), spread so that two
heavy jobs never share the database: the 持证率 snapshots first (the dashboard then reads
today's), plan statuses after them, integrity checks and the clean-up in the small hours,
and reminders at the start of the working day, when people read them.

This module imports neither Celery nor any model: `celery.py` imports it before Django is
set up, and `make run` (no Redis) must not need Celery.
"""

from __future__ import annotations

import io
import json
import logging
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

TIME_ZONE = "Asia/Shanghai"
# The Celery task that runs a daily job by name (core/tasks.py).
TASK_NAME = "xuanpei.core.run_daily_job"
# A beat message older than this is dropped by the worker: a day's backlog (workers down
# overnight) must not run yesterday's reminders at noon; tomorrow's run catches up.
EXPIRES_SECONDS = 6 * 3600


@dataclass(frozen=True)
class DailyJob:
    """One scheduled job: a management command with fixed arguments at hh:mm every day."""

    name: str
    command: str
    args: tuple[str, ...]
    hour: int
    minute: int
    description: str

    @property
    def at(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    @property
    def command_line(self) -> str:
        return " ".join(["xuanpei", self.command.replace("_", "-"), *self.args])


DAILY_JOBS: tuple[DailyJob, ...] = (
    DailyJob(
        "refresh-compliance",
        "refresh_compliance",
        (),
        1,
        30,
        _("持证率快照：计算当天快照，补齐缺失的月末快照，清理旧的日快照"),
    ),
    DailyJob(
        "plan-refresh-status",
        "plan",
        ("refresh-status",),
        1,
        45,
        _("年度计划：重新计算任务分解状态（逾期未报），发送逾期提醒"),
    ),
    DailyJob(
        "check-integrity",
        "check_integrity",
        (),
        2,
        30,
        _("证件核查：重复证号、多企业同时在岗、证号与身份证号不符等线索"),
    ),
    DailyJob(
        "cleanup",
        "cleanup",
        (),
        3,
        0,
        _("清理：中断的后台任务标记失败，删除过期的导入文件、报告和预览"),
    ),
    DailyJob(
        "send-reminders",
        "send_reminders",
        (),
        8,
        0,
        _("提醒：证书复审/到期、宣传活动未覆盖、网格员季度任务、事故后培训义务"),
    ),
)

JOBS_BY_NAME: dict[str, DailyJob] = {job.name: job for job in DAILY_JOBS}
# The only management commands a scheduled task may run.
WHITELIST: frozenset[str] = frozenset(job.command for job in DAILY_JOBS)


class UnknownJob(ValueError):
    """A job name that is not in DAILY_JOBS (a bad --run, a forged broker message)."""


def get_job(name: str) -> DailyJob:
    try:
        return JOBS_BY_NAME[name]
    except KeyError:
        raise UnknownJob(name) from None


def run_daily_job(name: str) -> str:
    """Run the daily job `name` now, in this process; returns (and logs) its output.

    The same function runs under Celery (core.tasks.run_daily_job_task) and from
    `xuanpei schedule --run` / `--run-due`: one code path under every scheduler.
    A failing command raises after its failure is logged with its output so far.
    """
    from django.core.management import call_command

    job = get_job(name)
    if job.command not in WHITELIST:  # the list and the whitelist are one; say so in code
        raise UnknownJob(name)
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    logger.info("daily job %s started: %s", job.name, job.command_line)
    try:
        call_command(job.command, *job.args, stdout=out, stderr=err)
    except BaseException:
        logger.exception(
            "daily job %s failed after %.1f s; output: %s %s",
            job.name,
            time.monotonic() - started,
            out.getvalue().strip(),
            err.getvalue().strip(),
        )
        raise
    output = (out.getvalue() + err.getvalue()).strip()
    logger.info("daily job %s done in %.1f s: %s", job.name, time.monotonic() - started, output)
    return output


# --run-due: a systemd timer or cron calls `xuanpei schedule --run-due` every few minutes --


def state_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "schedule-state.json"


def due_jobs(now: datetime, last_run: dict[str, str]) -> list[DailyJob]:
    """Jobs whose time today has come (`now` is local time) and that have not run today.

    A timer that missed 01:30 (the machine was off) runs the job at its next call the
    same day, as beat would not: the day's snapshots and statuses are still wanted.
    """
    today = now.date().isoformat()
    return [
        job
        for job in DAILY_JOBS
        if (now.hour, now.minute) >= (job.hour, job.minute) and last_run.get(job.name) != today
    ]


def read_state(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def run_due(now: datetime, *, path: Path | None = None) -> list[tuple[DailyJob, str | None]]:
    """Run the due jobs one after another, recording each day's run in a state file.

    Returns (job, error) pairs, error None when the job succeeded. A failed job is not
    recorded, so the next call tries it again. An exclusive lock on the state file keeps
    two overlapping timer runs from running a job twice.
    """
    import fcntl

    path = path or state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    results: list[tuple[DailyJob, str | None]] = []
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = read_state(path)
        for job in due_jobs(now, state):
            try:
                run_daily_job(job.name)
            except Exception as exc:  # noqa: BLE001 - the others still run; logged above
                results.append((job, str(exc) or exc.__class__.__name__))
                continue
            state[job.name] = now.date().isoformat()
            path.write_text(json.dumps(state, ensure_ascii=False, indent=1), encoding="utf-8")
            results.append((job, None))
    return results


def last_runs(path: Path | None = None) -> dict[str, date]:
    """The day each job last ran through --run-due (for the printed schedule)."""
    state = read_state(path or state_path())
    result = {}
    for name, value in state.items():
        try:
            result[name] = date.fromisoformat(value)
        except ValueError:
            continue
    return result
