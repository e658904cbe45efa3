"""Jobs that never end (issue #9 item 8): a job whose worker died is marked failed — on its
page and by the daily `xuanpei cleanup` — polling stops at a terminal state and does not
renew the idle session; abandoned import uploads are removed."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from xuanpei.core import jobs
from xuanpei.core.models import Job

DEAD_PID = 4_194_303  # above Linux's pid_max default: no such process


def make_job(user, **fields) -> Job:
    params = {"importer": "enterprises", "path": "imports/x.xlsx", "filename": "x.xlsx"}
    params["dry_run"] = fields.pop("dry_run", False)
    return Job.objects.create(kind="import", user=user, params=params, **fields)


def poll(client, job):
    return client.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")


def test_a_job_whose_process_is_gone_is_failed_on_its_page_and_polling_stops(client, district):
    job = make_job(district.town_a, status=Job.Status.RUNNING, worker=f"{jobs.HOST}:{DEAD_PID}:1")
    client.force_login(district.town_a)

    html = poll(client, job).content.decode()

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.finished_at is not None
    assert job.error.startswith("导入中断，数据均未写入")
    assert "导入中断，数据均未写入" in html
    assert "hx-trigger" not in html  # a terminal state is not polled


def test_a_job_of_this_process_that_no_longer_runs_here_is_failed(client, district):
    job = make_job(district.town_a, status=Job.Status.RUNNING, worker=jobs.WORKER)
    client.force_login(district.town_a)

    poll(client, job)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED


def test_a_running_job_of_a_live_worker_keeps_polling(client, district):
    job = make_job(district.town_a, status=Job.Status.RUNNING, worker=jobs.WORKER)
    jobs._active.add(job.pk)
    try:
        client.force_login(district.town_a)
        html = poll(client, job).content.decode()
    finally:
        jobs._active.discard(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert 'hx-trigger="every 1s"' in html


def test_a_worker_on_another_host_is_judged_by_its_heartbeat(district, settings):
    settings.JOB_STALE_MINUTES = 30
    now = timezone.now()
    fresh = make_job(
        district.town_a,
        status=Job.Status.RUNNING,
        worker="elsewhere:12:3",
        heartbeat_at=now - timedelta(minutes=5),
    )
    silent = make_job(
        district.town_a,
        status=Job.Status.RUNNING,
        worker="elsewhere:12:3",
        heartbeat_at=now - timedelta(minutes=31),
    )

    assert jobs.fail_stale_jobs() == 1

    assert Job.objects.get(pk=fresh.pk).status == Job.Status.RUNNING
    assert Job.objects.get(pk=silent.pk).status == Job.Status.FAILED


def test_the_message_says_when_data_was_written_or_only_a_preview_stopped(district):
    gone = f"{jobs.HOST}:{DEAD_PID}:1"
    written = make_job(
        district.town_a, status=Job.Status.RUNNING, worker=gone, written_at=timezone.now()
    )
    preview = make_job(district.town_a, status=Job.Status.RUNNING, worker=gone, dry_run=True)

    jobs.fail_stale_jobs()

    assert "已写入数据" in Job.objects.get(pk=written.pk).error
    assert "未写入任何数据" in Job.objects.get(pk=preview.pk).error


def test_a_finished_job_records_its_worker_and_heartbeat(district, tmp_path, settings):
    """The marker is set by the commit's own transaction (run outside the test's one)."""
    from xuanpei.core.imports.testing import csv_bytes
    from xuanpei.orgs.factories import make_uscc
    from xuanpei.orgs.importers import HEADERS

    settings.MEDIA_ROOT = tmp_path
    path = default_storage.save(
        "imports/ok.csv",
        ContentFile(
            csv_bytes(
                [
                    HEADERS,
                    ["写入公司", make_uscc(7), "甲街道", "", "工矿商贸", "", "", "", "", "", ""],
                ]
            )
        ),
    )
    job = make_job(district.district, status=Job.Status.PENDING)
    job.params.update(path=path, filename="ok.csv")
    job.save()

    jobs.run_job(job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    assert job.worker == jobs.WORKER and job.heartbeat_at is not None


def test_a_poll_does_not_renew_the_idle_session_but_a_page_does(client, district):
    job = make_job(district.town_a, status=Job.Status.RUNNING, worker=jobs.WORKER)
    jobs._active.add(job.pk)
    client.force_login(district.town_a)
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=3)
    try:
        Session.objects.filter(session_key=key).update(expire_date=soon)
        poll(client, job)
        assert Session.objects.get(session_key=key).expire_date == soon

        client.get(reverse("core:job_detail", args=[job.pk]))  # the page itself, not a poll
        assert Session.objects.get(session_key=key).expire_date > soon + timedelta(minutes=20)
    finally:
        jobs._active.discard(job.pk)


def test_cleanup_fails_dead_jobs_and_removes_abandoned_uploads_and_old_reports(
    district, tmp_path, settings, capsys
):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_UPLOAD_RETENTION_HOURS = 48
    settings.IMPORT_REPORT_RETENTION_DAYS = 30
    abandoned = default_storage.save("imports/abandoned.xlsx", ContentFile(b"x"))
    recent = default_storage.save("imports/recent.xlsx", ContentFile(b"x"))
    queued = default_storage.save("imports/queued.xlsx", ContentFile(b"x"))
    old_report = default_storage.save("imports/reports/job-1.xlsx", ContentFile(b"x"))
    new_report = default_storage.save("imports/reports/job-2.xlsx", ContentFile(b"x"))
    three_days_ago = time.time() - 72 * 3600
    for name in (abandoned, queued):
        os.utime(default_storage.path(name), (three_days_ago, three_days_ago))
    forty_days_ago = time.time() - 40 * 86400
    os.utime(default_storage.path(old_report), (forty_days_ago, forty_days_ago))
    dead = make_job(district.town_a, status=Job.Status.RUNNING, worker=f"{jobs.HOST}:{DEAD_PID}:1")
    waiting = make_job(district.town_a, status=Job.Status.PENDING, worker=jobs.WORKER)
    waiting.params["path"] = queued
    waiting.save()
    jobs._active.add(waiting.pk)
    try:
        call_command("cleanup")
    finally:
        jobs._active.discard(waiting.pk)

    assert Job.objects.get(pk=dead.pk).status == Job.Status.FAILED
    assert Job.objects.get(pk=waiting.pk).status == Job.Status.PENDING
    assert not default_storage.exists(abandoned) and not default_storage.exists(old_report)
    assert default_storage.exists(recent) and default_storage.exists(queued)
    assert default_storage.exists(new_report)
    assert "中断的任务标记为失败 1 个" in capsys.readouterr().out
