"""Celery tasks of the core app: running a `Job` row on a worker (JOB_RUNNER=celery)."""

from __future__ import annotations

from django.db import connections

from xuanpei.celery import app
from xuanpei.core import jobs


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
