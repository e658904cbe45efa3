"""Jobs on Celery workers (issue #13 item 6): under the deployment settings
(JOB_RUNNER=celery) a Job is sent to a Celery worker on the Redis broker after the commit,
the worker that takes it names itself on the row and runs it to its result; a job whose
worker died is failed by fail_stale_jobs. The in-process runner (JOB_RUNNER=thread, the
default) is covered by the other job tests.

A real worker (celery.contrib.testing: a thread of this process, solo pool) talks to the
machine's Redis (`XUANPEI_TEST_REDIS_URL`, default redis://127.0.0.1:6379/15 — db 15, a
key prefix and queue per run, as core/tests/test_shared_cache.py). Off CI the tests skip
when no Redis answers; on CI (CI=true, .ci/run starts Redis) they fail instead.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

import xuanpei.settings
from xuanpei.core import jobs
from xuanpei.core.imports.service import commit_import, start_import
from xuanpei.core.imports.testing import xlsx_bytes
from xuanpei.core.models import Job
from xuanpei.orgs.factories import make_uscc
from xuanpei.orgs.importers import HEADERS
from xuanpei.orgs.models import Enterprise

REDIS_URL = os.environ.get("XUANPEI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
NEW = make_uscc(12)


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="module")
def _test_broker():
    """xuanpei.celery's app on a Redis db, key prefix and queue of this test module's run.

    Once per module: the app keeps its producers (and the key prefix they were made with)
    for the process, so the prefix cannot change between tests.
    """
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail(f"Redis does not answer at {REDIS_URL} (.ci/run should have started it)")
        pytest.skip(f"no Redis at {REDIS_URL}")
    os.environ["CELERY_SKIP_CHECKS"] = "1"  # the worker would rerun Django's checks
    from xuanpei.celery import app

    prefix = f"xuanpei-test-{uuid.uuid4().hex[:12]}:"
    test_conf = {
        "broker_url": REDIS_URL,
        "result_backend": None,
        "task_default_queue": f"{prefix}jobs",
        "broker_transport_options": {"global_keyprefix": prefix},
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf.get(key) for key in test_conf}
    app.close()  # a pool made for another broker
    app.conf.update(test_conf)
    yield app
    app.close()
    app.conf.update(saved)
    os.environ.pop("CELERY_SKIP_CHECKS", None)
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{prefix}*"))
    if keys:
        server.delete(*keys)


@pytest.fixture
def celery_app(_test_broker, settings):
    """The app under the deployment settings' runner; its queue is emptied after the test."""
    settings.JOB_RUNNER = "celery"
    settings.JOB_HEARTBEAT_SECONDS = 0.2
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every job goes to the queue, none runs inline
    yield _test_broker
    _test_broker.control.purge()
    beater = jobs._beater[0]
    if isinstance(beater, threading.Thread):
        beater.join(5)  # it ends once no job is active: before the test database goes


def celery_worker(app):
    from celery.contrib.testing.worker import start_worker

    return start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"
    )


def queued_messages(app) -> int:
    """Messages waiting in the test queue (kombu keeps a queue as a Redis list)."""
    import redis

    key = app.conf.broker_transport_options["global_keyprefix"] + app.conf.task_default_queue
    return redis.Redis.from_url(REDIS_URL).llen(key)


def wait_for_end(job: Job, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (Job.Status.DONE, Job.Status.FAILED):
            return job
        time.sleep(0.1)
    pytest.fail(f"job {job.pk} still {job.status} after {seconds} s")


def enterprise_file() -> SimpleUploadedFile:
    data = xlsx_bytes(
        [
            HEADERS,
            ["队列导入公司", NEW, "甲街道", "", "工矿商贸", "小型", "一般", "", "", "", ""],
            ["坏行", "123", "甲街道", "", "工矿商贸", "", "", "", "", "", ""],
        ]
    )
    return SimpleUploadedFile("企业.xlsx", data)


@pytest.mark.django_db(transaction=True)
def test_an_import_is_queued_and_run_to_its_result_by_a_celery_worker(district, celery_app):
    preview = start_import(name="enterprises", upload=enterprise_file(), user=district.town_a)

    # Committed and sent, but nothing in this web process runs it: it waits for a worker.
    time.sleep(0.5)
    preview.refresh_from_db()
    assert (preview.status, preview.worker) == (Job.Status.PENDING, "")

    with celery_worker(celery_app):
        preview = wait_for_end(preview)
        assert preview.status == Job.Status.DONE, preview.error
        assert (preview.result["created"], preview.result["rejected"]) == (1, 1)
        assert not Enterprise.objects.filter(uscc=NEW).exists()  # a dry run writes nothing

        job = commit_import(preview=preview, user=district.town_a)
        assert job.worker == ""
        job = wait_for_end(job)

    assert job.status == Job.Status.DONE, job.error
    assert job.result["created"] == 1
    assert job.progress_total >= 1 and job.progress_done == job.progress_total
    assert job.written_at is not None and job.finished_at is not None
    # The worker that ran it named itself: here a thread of this test process.
    assert job.worker == jobs.WORKER and job.heartbeat_at is not None
    assert Enterprise.objects.get(uscc=NEW).name == "队列导入公司"


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_no_worker_took_in_time_is_failed_and_never_run_later(
    district, celery_app, settings
):
    settings.JOB_STALE_MINUTES = 30
    preview = start_import(name="enterprises", upload=enterprise_file(), user=district.town_a)
    job = commit_import(
        preview=Job.objects.create(
            kind="import",
            user=district.town_a,
            params=preview.params,
            status=Job.Status.DONE,
            result={"created": 1, "updated": 0},
        ),
        user=district.town_a,
    )
    Job.objects.filter(pk=preview.pk).update(status=Job.Status.FAILED)  # not this test's point
    young = Job.objects.filter(pk=job.pk)
    assert jobs.fail_stale_jobs([job]) == 0  # just queued: waiting is not dying

    young.update(created_at=timezone.now() - timedelta(minutes=31))
    assert jobs.fail_stale_jobs([job]) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "导入中断，数据均未写入，请重新导入"

    assert queued_messages(celery_app) == 2  # the preview's and the commit's
    with celery_worker(celery_app):  # the worker takes both messages and runs neither
        deadline = time.monotonic() + 20
        while queued_messages(celery_app) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert queued_messages(celery_app) == 0
        time.sleep(0.5)  # the claim of the last one
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.worker == ""
    assert not Enterprise.objects.filter(uscc=NEW).exists()


_release = threading.Event()


def slow_handler(job: Job, progress) -> dict:
    """A job that reports progress from inside its data transaction, then waits."""
    with transaction.atomic():
        Enterprise.objects.filter(pk=-1).update(name="-")  # the transaction holds a write
        progress(3, 10)
        if not _release.wait(30):
            raise jobs.JobError("test timed out")
        progress(10, 10)
    return {"steps": 10}


@pytest.mark.django_db(transaction=True)
def test_progress_from_inside_a_worker_s_transaction_reaches_the_row_for_other_processes(
    district, celery_app, monkeypatch
):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite has one writer: the commit; its progress shows when it ends")
    monkeypatch.setitem(jobs.HANDLERS, "test-slow", f"{__name__}.slow_handler")
    _release.clear()
    job = jobs.start_job(kind="test-slow", user=district.town_a, params={})
    with celery_worker(celery_app):
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                job.refresh_from_db()
                if job.progress_done == 3:
                    break
                time.sleep(0.1)
            # What a web process's page reads: the row, while the job is still running.
            assert (job.status, job.progress_done, job.progress_total) == (
                Job.Status.RUNNING,
                3,
                10,
            )
        finally:
            _release.set()
        job = wait_for_end(job)
    assert (job.status, job.result) == (Job.Status.DONE, {"steps": 10})
    assert (job.progress_done, job.progress_total) == (10, 10)


def test_a_running_job_whose_celery_worker_died_is_failed_by_its_heartbeat(district, settings):
    """A worker on another host cannot be looked up: its heartbeat decides."""
    settings.JOB_STALE_MINUTES = 30
    now = timezone.now()

    def running(beat_minutes_ago: int) -> Job:
        return Job.objects.create(
            kind="import",
            user=district.town_a,
            params={"path": "imports/x.xlsx", "dry_run": False},
            status=Job.Status.RUNNING,
            worker="celery-node-2:4242:98765",
            heartbeat_at=now - timedelta(minutes=beat_minutes_ago),
        )

    alive, dead = running(1), running(31)

    assert jobs.fail_stale_jobs() == 1
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.status == Job.Status.RUNNING
    assert dead.status == Job.Status.FAILED and dead.finished_at is not None
    assert dead.error == "导入中断，数据均未写入，请重新导入"


def test_a_forked_worker_process_names_itself_not_its_parent():
    """Celery's prefork pool forks its children after importing the tasks (and jobs)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its worker name and what it inherited
        try:
            os.write(write, f"{jobs.WORKER}|{len(jobs._active)}|{jobs._beater[0]}".encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        name, active, beater = pipe.read().split("|")
    os.waitpid(pid, 0)

    assert name != jobs.WORKER
    host, child_pid, started = name.split(":")
    assert (host, int(child_pid)) == (jobs.HOST, pid) and started
    assert (active, beater) == ("0", "None")


def test_job_runner_celery_needs_a_broker_and_nothing_imports_celery_by_default(monkeypatch):
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JOB_RUNNER", "celery")
    with pytest.raises(ImproperlyConfigured, match="CELERY_BROKER_URL"):
        runpy.run_path(xuanpei.settings.__file__)

    monkeypatch.setenv("REDIS_URL", "redis://redis.example:6379/3")
    deployed = runpy.run_path(xuanpei.settings.__file__)
    assert deployed["CELERY_BROKER_URL"] == deployed["CELERY_RESULT_BACKEND"]
    assert deployed["CELERY_BROKER_URL"] == "redis://redis.example:6379/3"

    monkeypatch.delenv("JOB_RUNNER")
    assert runpy.run_path(xuanpei.settings.__file__)["JOB_RUNNER"] == "thread"
    # A fresh interpreter with the default settings loads Django and the job runner only.
    code = (
        "import django, sys; django.setup(); import xuanpei.core.jobs, xuanpei.urls; "
        "print('celery' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("JOB_RUNNER",)}
    env["DJANGO_SETTINGS_MODULE"] = "xuanpei.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def sleeping_handler(job: Job, progress) -> dict:
    """A job that runs until its worker is killed."""
    progress(1, 2)
    time.sleep(120)
    return {}


# A real `celery worker` (prefork pool, one child) on this run's prefix and queue.
WORKER_SCRIPT = """
import sys
import django

django.setup()
from xuanpei.celery import app
from xuanpei.core import jobs

prefix, queue = sys.argv[1:3]
jobs.register_handler("test-sleep", "xuanpei.core.tests.test_celery_runner.sleeping_handler")
app.conf.update(task_default_queue=queue, broker_transport_options={"global_keyprefix": prefix})
app.worker_main(["worker", "-P", "prefork", "-c", "1", "-l", "warning", "-Q", queue,
                 "--without-mingle", "--without-gossip"])
"""


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_runs_an_import_and_its_killed_job_is_failed(
    district, celery_app, tmp_path, monkeypatch
):
    """Separate processes, as deployed: the web (this test) and `celery worker` share the
    database (PostgreSQL) and Redis; SIGKILL the worker mid-job and the job is failed."""
    db = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip("another process cannot open the in-memory SQLite test database")
    monkeypatch.setitem(jobs.HANDLERS, "test-sleep", f"{__name__}.sleeping_handler")
    conf = celery_app.conf
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xuanpei.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "XUANPEI_VAR_DIR": str(tmp_path),  # MEDIA_ROOT is tmp_path/media here too
        "JOB_RUNNER": "celery",
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_SKIP_CHECKS": "1",
    }
    script = [sys.executable, "-c", WORKER_SCRIPT]
    args = [conf.broker_transport_options["global_keyprefix"], conf.task_default_queue]
    worker = subprocess.Popen([*script, *args], env=env, start_new_session=True)
    try:
        preview = wait_for_end(
            start_import(name="enterprises", upload=enterprise_file(), user=district.town_a)
        )
        job = wait_for_end(commit_import(preview=preview, user=district.town_a))
        assert job.status == Job.Status.DONE, job.error
        assert Enterprise.objects.get(uscc=NEW).name == "队列导入公司"
        # Named by the pool's child that ran it, not by the web process or the pool's parent.
        host, pid, started = job.worker.split(":")
        assert host == jobs.HOST and int(pid) not in (os.getpid(), worker.pid) and started

        sleeper = jobs.start_job(kind="test-sleep", user=district.town_a, params={})
        deadline = time.monotonic() + 60
        while sleeper.status != Job.Status.RUNNING and time.monotonic() < deadline:
            time.sleep(0.1)
            sleeper.refresh_from_db()
        assert sleeper.status == Job.Status.RUNNING and sleeper.worker
        assert jobs.fail_stale_jobs([sleeper]) == 0  # alive: left running
    finally:
        os.killpg(worker.pid, 9)  # the worker dies without a word, as in a crash
        worker.wait(30)
    child = int(sleeper.worker.split(":")[1])
    deadline = time.monotonic() + 10
    while jobs._process_start(child) and time.monotonic() < deadline:
        time.sleep(0.1)  # SIGKILL reaches the pool's child a moment later
    assert jobs.fail_stale_jobs([sleeper]) == 1
    sleeper.refresh_from_db()
    assert sleeper.status == Job.Status.FAILED
    assert sleeper.error == "导入中断，数据均未写入，请重新导入"
