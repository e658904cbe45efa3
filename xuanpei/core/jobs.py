"""Background runner for `Job` rows (imports, large exports).

`start_job` creates the row and runs its handler: in a daemon thread after the
surrounding transaction commits (JOB_RUNNER=thread, the default), on a Celery worker
(JOB_RUNNER=celery, deployments: `core.tasks.run_job_task` is sent after the commit),
or at once in the caller (JOB_RUNNER=sync, and `inline=True` for small files). The
Job row is the only state a page needs, whichever runner ran it.

Progress: a handler reports (done, total). The row is updated when the handler
is not inside a transaction; during a commit the row cannot be written from the
same connection (the update would only show at the end, and SQLite allows one
writer), so progress is also kept in memory for the polling page of this
process, and the heartbeat thread writes it to the row on its own connection (for
the pages of other processes; not on SQLite, whose one writer is the commit).

Liveness (issue #9 item 8): a job records its worker ("host:pid:start") and a
heartbeat (written by a small per-process thread every JOB_HEARTBEAT_SECONDS, on
its own connection). `fail_stale_jobs` marks failed a job whose worker is gone:
its process no longer exists on this host, it is this process but the job is not
running here any more, or (another host) its heartbeat is older than
JOB_STALE_MINUTES. A Celery job is queued with no worker (judged by its age until a
worker takes it); the worker process that runs it writes its own name, and a process
forked by Celery's prefork pool renames itself (`_after_fork`). It runs lazily when a job page is loaded and in the daily
`xuanpei cleanup`. A commit that dies rolls back, so the message says nothing
was written — unless the job's data transaction had committed (`written_at`).

SQLite (issue #9 item 7): the database has one writer, and an import commit is
one transaction (all or nothing). Import jobs are therefore queued one at a time
in this process (`_sqlite_queue`); a small job that would have run inside the
request goes to the queue instead of waiting there when another is running.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import OperationalError, connection, connections, transaction
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
# Jobs of this process that are queued or running (the heartbeat thread beats for these).
_active: set[int] = set()
_active_lock = threading.Lock()
# One import at a time on SQLite (see the module docstring).
_sqlite_queue = threading.Lock()
SERIAL_KINDS = {"import"}


def _process_start(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot), None if it does not exist.

    Together with the pid it names a process: a pid reused after a restart has
    another start time. Without /proc (not Linux) only existence is known.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        # A zombie has died: an orphan (a killed Celery pool's child) waits for a reaper
        # that a container may not have.
        return None if fields[0] in (b"Z", b"X") else fields[19].decode()
    except FileNotFoundError:
        return None
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except OSError:
            pass
        return "?"


HOST = socket.gethostname()[:60]
WORKER = f"{HOST}:{os.getpid()}:{_process_start(os.getpid())}"


def _heartbeat_seconds() -> float:
    return float(getattr(settings, "JOB_HEARTBEAT_SECONDS", 15))


def _beat_forever() -> None:
    """Stamp `heartbeat_at` of this process's active jobs until none is left."""
    while True:
        with _active_lock:
            ids = list(_active)
            if not ids:
                _beater[0] = None
                break
        try:
            Job.objects.filter(pk__in=ids).update(heartbeat_at=timezone.now())
            # Progress a handler could not write from inside its own transaction: for the
            # pages of other processes (a Celery worker's job). Never over a finished row.
            for pk, (done, total) in list(_live_progress.items()):
                Job.objects.filter(pk=pk, status=Job.Status.RUNNING).update(
                    progress_done=done, progress_total=total
                )
        except OperationalError:  # SQLite busy with an import commit: beat next time
            pass
        except Exception:  # noqa: BLE001 - the beat must outlive one bad write
            logger.exception("job heartbeat failed; beating again next time")
        finally:
            connections.close_all()
        # Sleep until the next beat, or until a job starts (`_alive` wakes the thread: the
        # new job's progress must not wait out an interval set for the jobs before it).
        _wake.wait(_heartbeat_seconds())
        _wake.clear()


_beater: list[threading.Thread | None] = [None]
_wake = threading.Event()


def _after_fork() -> None:
    """A forked child (Celery's prefork pool) is another worker: its own name, none of the
    parent's jobs, no heartbeat thread yet, fresh locks (a parent's thread may hold one)."""
    global WORKER, _active_lock, _sqlite_queue
    WORKER = f"{HOST}:{os.getpid()}:{_process_start(os.getpid())}"
    _active_lock = threading.Lock()
    _sqlite_queue = threading.Lock()
    _active.clear()
    _live_progress.clear()
    _beater[0] = None


os.register_at_fork(after_in_child=_after_fork)


@contextmanager
def _alive(job_pk: int):
    """Mark the job active in this process (and keep the heartbeat thread going)."""
    with _active_lock:
        _active.add(job_pk)
        beater = _beater[0]
        # A heartbeat thread that died (it never should) is replaced, not trusted.
        running = beater is not None and getattr(beater, "is_alive", lambda: True)()
        if not running and getattr(settings, "JOB_RUNNER", "thread") != "sync":
            _beater[0] = threading.Thread(target=_beat_forever, name="job-heartbeat", daemon=True)
            _beater[0].start()
        elif running:
            _wake.set()
    try:
        yield
    finally:
        with _active_lock:
            _active.discard(job_pk)


def _queued(job: Job):
    """The SQLite import queue for this job, or nothing to wait for."""
    if job.kind in SERIAL_KINDS and connection.vendor == "sqlite":
        return _sqlite_queue
    return nullcontext()


def is_stale(job: Job, *, now=None) -> bool:
    """Whether a pending/running job's worker is gone (see the module docstring)."""
    if job.status not in (Job.Status.PENDING, Job.Status.RUNNING):
        return False
    now = now or timezone.now()
    limit = timedelta(minutes=float(getattr(settings, "JOB_STALE_MINUTES", 30)))
    if job.worker:
        host, _sep, rest = job.worker.partition(":")
        pid, _sep, started = rest.partition(":")
        if job.worker == WORKER:
            return job.pk not in _active
        if host == HOST and pid.isdigit():
            actual = _process_start(int(pid))
            # Alive on this host means running (an SQLite commit cannot beat: trust the process).
            return actual is None or (actual != "?" and started not in ("", "?", actual))
    last = job.heartbeat_at or job.created_at
    return last is not None and now - last > limit


def interrupted_message(job: Job) -> str:
    """What a person reads on a job whose worker died."""
    if job.written_at:
        return _("导入已写入数据，但任务在结束前中断，结果和错误报告未能保存；请在列表中核对")
    if job.params.get("dry_run"):
        return _("文件检查中断，未写入任何数据，请重新上传文件")
    return _("导入中断，数据均未写入，请重新导入")


def fail_stale_jobs(jobs=None) -> int:
    """Mark failed every pending/running job (of `jobs`, default all) whose worker is gone."""
    qs = Job.objects.filter(status__in=[Job.Status.PENDING, Job.Status.RUNNING])
    if jobs is not None:
        qs = qs.filter(pk__in=[j.pk for j in jobs])
    count = 0
    now = timezone.now()
    for job in qs:
        if is_stale(job, now=now):
            count += Job.objects.filter(pk=job.pk, status=job.status).update(
                status=Job.Status.FAILED, error=interrupted_message(job), finished_at=now
            )
    return count


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
    runner = getattr(settings, "JOB_RUNNER", "thread")
    if inline and runner == "thread" and kind in SERIAL_KINDS and _sqlite_queue.locked():
        inline = False  # another import holds SQLite: queue this one, never block the request
    queued = runner == "celery" and not inline
    # A queued Celery job has no worker yet: the one that takes it names itself.
    job = Job.objects.create(kind=kind, user=user, params=params, worker="" if queued else WORKER)
    if inline or runner == "sync":
        run_job(job.pk)
        job.refresh_from_db()
    elif runner == "thread":
        with _active_lock:
            _active.add(job.pk)  # active from now: its thread starts when the caller commits
        transaction.on_commit(
            lambda: threading.Thread(
                target=_thread_main, args=(job.pk,), name=f"job-{job.pk}", daemon=True
            ).start()
        )
    elif queued:
        from xuanpei.core.tasks import run_job_task  # imports Celery: only for this runner

        transaction.on_commit(lambda: run_job_task.delay(job.pk))
    else:
        raise ImproperlyConfigured(
            f"JOB_RUNNER must be 'thread', 'sync' or 'celery', not {runner!r}"
        )
    return job


def live_progress(job: Job) -> tuple[int, int]:
    """(done, total) for a page: this process's latest figures, else the row's."""
    return _live_progress.get(job.pk, (job.progress_done, job.progress_total))


def run_job(job_id: int, *, only_pending: bool = False) -> None:
    """Run one job to completion, recording success or a Chinese failure message.

    `only_pending` (a Celery worker): claim the row first; a job that is no longer
    pending (failed by fail_stale_jobs while queued, a second delivery) is not run.
    """
    if only_pending:
        claimed = _update(
            job_id,
            only_status=Job.Status.PENDING,
            status=Job.Status.RUNNING,
            worker=WORKER,
            heartbeat_at=timezone.now(),
        )
        if not claimed:
            logger.warning("job %s is no longer pending: not run", job_id)
            return
    job = _retrying(lambda: Job.objects.get(pk=job_id))
    with _alive(job.pk), _queued(job):
        _run(job)


def _update(job_pk: int, *, only_status: str | None = None, **fields) -> int:
    """Write the job's row (only while it has `only_status`, if given); the number of rows
    written. A busy or locked SQLite (the heartbeat thread or another import writing) is
    retried, never left to fail the job or leave it "进行中"/"排队中" for ever."""
    rows = Job.objects.filter(pk=job_pk)
    if only_status is not None:
        rows = rows.filter(status=only_status)
    return _retrying(lambda: rows.update(**fields))


def _retrying(query):
    """`query()`, retried while SQLite reports the database busy or the table locked (an
    in-memory test database's shared cache locks a table without waiting)."""
    for attempt in range(5):
        try:
            return query()
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 + attempt)


def _run(job: Job) -> None:
    _update(job.pk, status=Job.Status.RUNNING, worker=WORKER, heartbeat_at=timezone.now())
    last_write = [0.0]

    def progress(done: int, total: int) -> None:
        _live_progress[job.pk] = (done, total)
        now = time.monotonic()
        if not connection.in_atomic_block and now - last_write[0] >= PROGRESS_WRITE_INTERVAL:
            Job.objects.filter(pk=job.pk).update(
                progress_done=done, progress_total=total, heartbeat_at=timezone.now()
            )
            last_write[0] = now

    outer_atomic = connection.in_atomic_block
    registered = [False]

    def note_commit(execute, sql, params, many, context):
        # The first statement inside the handler's own transaction: when that transaction
        # commits, the job's data is written (a rolled-back one discards this hook).
        if not registered[0] and not outer_atomic and connection.in_atomic_block:
            registered[0] = True
            transaction.on_commit(
                lambda: Job.objects.filter(pk=job.pk).update(written_at=timezone.now())
            )
        return execute(sql, params, many, context)

    fields = {"finished_at": None}
    try:
        handler = import_string(HANDLERS[job.kind])
        if job.params.get("dry_run"):
            result = handler(job, progress)
        else:
            with connection.execute_wrapper(note_commit):
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
    _update(job.pk, **fields)


def _thread_main(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        # The thread's own connection would otherwise linger until the process ends.
        connections.close_all()
