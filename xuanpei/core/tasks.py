"""Celery tasks of the core app: running a `Job` row on a worker (JOB_RUNNER=celery), and
the daily jobs that Celery beat sends (issue #14 item 2, core/schedule.py)."""

from __future__ import annotations

from django.db import connections

from xuanpei.celery import app
from xuanpei.core import jobs, schedule


@app.task(name="xuanpei.core.run_job", ignore_result=True)
def run_job_task(job_id: int) -> None:
    """Run the Job row `job_id` in this worker process (core.jobs.run_job).

    A job that is no longer pending (failed by fail_stale_jobs while it waited in the
    queue, or already taken) is left as it is: a job runs at most once.
    """
    try:
        jobs.run_job(job_id, only_pending=True)
    finally:
        connections.close_all()


@app.task(name=schedule.TASK_NAME, ignore_result=True)
def run_daily_job_task(name: str) -> str:
    """Run the daily job `name` (a key of schedule.DAILY_JOBS, never a command: a message
    naming anything else is refused) and return its output, which is also logged.

    Its connections are left to Celery's Django fixup (closed when unusable or past
    CONN_MAX_AGE after each task run by a worker, left alone when run eagerly).
    """
    return schedule.run_daily_job(name)
