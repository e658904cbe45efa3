"""In-process background runner for `Job` rows (imports, large exports).

`start_job` creates the row and runs its handler: in a daemon thread after the
surrounding transaction commits (JOB_RUNNER=thread, the default), or at once in
the caller (JOB_RUNNER=sync, and `inline=True` for small files). The Job row is
the only state a page needs, so a Celery runner can replace the thread later.

Progress: a handler reports (done, total). The row is updated when the handler
is not inside a transaction; during a commit the row cannot be written from the
same connection (the update would only show at the end, and SQLite allows one
writer), so progress is also kept in memory for the polling page of this
process.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from xuanpei.core.models import Job

logger = logging.getLogger(__name__)

# Job kind → dotted path of `handler(job, progress) -> dict` (the job's result).
HANDLERS: dict[str, str] = {
    "import": "xuanpei.core.imports.service.run_import_job",
}

# In-memory progress of running jobs of this process: job pk → (done, total).
_live_progress: dict[int, tuple[int, int]] = {}
PROGRESS_WRITE_INTERVAL = 1.0  # seconds between progress writes to the Job row


class JobError(Exception):
    """A handler's expected failure; the message is shown to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def register_handler(kind: str, dotted_path: str) -> None:
    """Let another app add a job kind (e.g. a large export) without editing this module."""
    HANDLERS[kind] = dotted_path


def start_job(*, kind: str, user, params: dict, inline: bool = False) -> Job:
    """Create a Job and run it (see the module docstring). Returns the row."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, user=user, params=params)
    runner = getattr(settings, "JOB_RUNNER", "thread")
    if inline or runner == "sync":
        run_job(job.pk)
        job.refresh_from_db()
    elif runner == "thread":
        transaction.on_commit(
            lambda: threading.Thread(
                target=_thread_main, args=(job.pk,), name=f"job-{job.pk}", daemon=True
            ).start()
        )
    else:
        raise ImproperlyConfigured(f"JOB_RUNNER must be 'thread' or 'sync', not {runner!r}")
    return job


def live_progress(job: Job) -> tuple[int, int]:
    """(done, total) for a page: this process's latest figures, else the row's."""
    return _live_progress.get(job.pk, (job.progress_done, job.progress_total))


def run_job(job_id: int) -> None:
    """Run one job to completion, recording success or a Chinese failure message."""
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    last_write = [0.0]

    def progress(done: int, total: int) -> None:
        _live_progress[job.pk] = (done, total)
        now = time.monotonic()
        if not connection.in_atomic_block and now - last_write[0] >= PROGRESS_WRITE_INTERVAL:
            Job.objects.filter(pk=job.pk).update(progress_done=done, progress_total=total)
            last_write[0] = now

    fields = {"finished_at": None}
    try:
        handler = import_string(HANDLERS[job.kind])
        result = handler(job, progress)
        done, total = _live_progress.get(job.pk, (0, 0))
        fields.update(
            status=Job.Status.DONE,
            result=result,
            progress_done=max(done, total),
            progress_total=total,
        )
    except JobError as exc:
        fields.update(status=Job.Status.FAILED, error=exc.message)
    except PermissionDenied:
        fields.update(status=Job.Status.FAILED, error=_("您没有执行此操作的权限"))
    except Exception:  # noqa: BLE001 - a job never dies silently
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        fields.update(
            status=Job.Status.FAILED, error=_("任务执行出错，未写入任何数据，请联系管理员")
        )
    finally:
        _live_progress.pop(job.pk, None)
    fields["finished_at"] = timezone.now()
    Job.objects.filter(pk=job.pk).update(**fields)


def _thread_main(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        # The thread's own connection would otherwise linger until the process ends.
        connections.close_all()
