"""`xuanpei cleanup` (issue #10 item 5): abandoned previews go after the report retention,
the originals kept by import batches after IMPORT_BATCH_FILE_RETENTION_DAYS (the batch
stays), and neither rule reaches into the other's directory."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from xuanpei.accounts.factories import UserFactory
from xuanpei.audit.models import ImportBatch
from xuanpei.core.factories import JobFactory
from xuanpei.core.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def retention(settings):
    settings.IMPORT_UPLOAD_RETENTION_HOURS = 48
    settings.IMPORT_REPORT_RETENTION_DAYS = 30
    settings.IMPORT_BATCH_FILE_RETENTION_DAYS = 365


def store(name: str, *, days_old: float = 0) -> str:
    """Save a file in the real storage (the test's MEDIA_ROOT), `days_old` by its mtime."""
    saved = default_storage.save(name, ContentFile(b"PK\x03\x04 xlsx"))
    if days_old:
        then = time.time() - days_old * 86400
        os.utime(default_storage.path(saved), (then, then))
    return saved


def preview(*, days_old: float, status=Job.Status.DONE, files=True) -> Job:
    job = JobFactory(status=status)
    if files:
        job.params["path"] = store(f"imports/preview-{job.pk}.xlsx", days_old=days_old)
        job.result = {
            "report": store(f"imports/reports/job-{job.pk}.xlsx", days_old=days_old),
            "detail": store(f"imports/reports/job-{job.pk}.json", days_old=days_old),
        }
    job.save()
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return job


def batch(*, days_old: float, file=True) -> ImportBatch:
    user = UserFactory()
    started = timezone.now() - timedelta(days=days_old)
    obj = ImportBatch.objects.create(
        importer="enterprises",
        label="企业",
        user=user,
        username=user.username,
        started_at=started,
        finished_at=started,
        file_name="企业.xlsx",
        rows=3,
        accepted=3,
        created=3,
    )
    if file:
        obj.file_path = store(f"imports/batches/{obj.pk}-0123abcd.xlsx", days_old=days_old)
        obj.save(update_fields=["file_path"])
    return obj


def paths(job: Job) -> list[str]:
    return [job.params["path"], job.result["report"], job.result["detail"]]


def test_previews_never_committed_go_with_their_files_after_the_report_retention(retention, capsys):
    old = preview(days_old=31)
    failed = preview(days_old=40, status=Job.Status.FAILED, files=False)
    fresh = preview(days_old=29)
    committed = preview(days_old=31)
    commit = JobFactory(
        user=committed.user,
        params={**committed.params, "dry_run": False, "preview": committed.pk},
    )
    running = preview(days_old=31, status=Job.Status.RUNNING, files=False)
    running.worker = "elsewhere:1:1"  # another host's live worker: not stale-failed here
    running.heartbeat_at = timezone.now()
    running.save()

    call_command("cleanup")

    remaining = set(Job.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk, committed.pk, commit.pk, running.pk}
    assert old.pk not in remaining and failed.pk not in remaining
    assert not any(default_storage.exists(name) for name in paths(old))
    # The fresh preview's page still shows its report (its 29-day-old upload went by the
    # 48-hour upload rule: it can no longer be committed, only read).
    assert all(default_storage.exists(name) for name in paths(fresh)[1:])
    assert "未确认的导入预览 2 个（30 天前）" in capsys.readouterr().out


def test_a_preview_upload_that_a_queued_commit_still_reads_is_kept(retention):
    old = preview(days_old=31)
    Job.objects.filter(pk=old.pk).update(result={})
    JobFactory(
        user=old.user,
        status=Job.Status.PENDING,
        worker="elsewhere:1:1",
        heartbeat_at=timezone.now(),
        params={**old.params, "dry_run": False, "preview": 0},
    )

    call_command("cleanup")

    assert not Job.objects.filter(pk=old.pk).exists()
    assert default_storage.exists(old.params["path"])


def test_batch_originals_go_after_the_batch_retention_and_the_batch_stays(retention, capsys):
    expired = batch(days_old=366)
    kept = batch(days_old=364)
    expired_file = expired.file_path

    call_command("cleanup")

    expired.refresh_from_db()
    kept.refresh_from_db()
    assert expired.file_path == "" and not default_storage.exists(expired_file)
    assert expired.file_name == "企业.xlsx" and expired.created == 3  # the record reads on
    assert kept.file_path and default_storage.exists(kept.file_path)
    assert "导入批次原始文件 1 个（365 天前）" in capsys.readouterr().out


def test_a_batch_whose_file_is_already_gone_is_blanked_without_error(retention):
    gone = batch(days_old=400)
    default_storage.delete(gone.file_path)

    call_command("cleanup")

    gone.refresh_from_db()
    assert gone.file_path == ""


def test_the_upload_rule_never_reaches_into_batches_or_reports(retention, settings):
    """Uploads (48 h) sit directly in imports/; its subdirectories keep their own, longer
    rules even for files far older than 48 hours."""
    settings.IMPORT_REPORT_RETENTION_DAYS = 30
    named = batch(days_old=10)
    report = store("imports/reports/job-99.xlsx", days_old=10)
    upload = store("imports/abandoned.xlsx", days_old=10)
    orphan = store("imports/batches/999999-deadbeef.xlsx", days_old=3)  # import rolled back
    young_orphan = store("imports/batches/999998-deadbeef.xlsx")  # an import in flight

    call_command("cleanup")

    assert default_storage.exists(named.file_path) and default_storage.exists(report)
    assert not default_storage.exists(upload)
    assert not default_storage.exists(orphan)
    assert default_storage.exists(young_orphan)


def test_dry_run_counts_and_deletes_nothing(retention, capsys):
    old = preview(days_old=31)
    expired = batch(days_old=366)

    call_command("cleanup", "--dry-run")

    assert Job.objects.filter(pk=old.pk).exists()
    assert all(default_storage.exists(name) for name in paths(old))
    expired.refresh_from_db()
    assert expired.file_path and default_storage.exists(expired.file_path)
    out = capsys.readouterr().out
    assert "可删除" in out and "未确认的导入预览 1 个" in out and "导入批次原始文件 1 个" in out


def test_the_batch_retention_has_a_command_line_override(retention):
    recent = batch(days_old=10)

    call_command("cleanup", "--batch-days", "5")

    recent.refresh_from_db()
    assert recent.file_path == ""


def test_uploads_held_for_an_unmade_confirmation_go_after_the_upload_retention(retention):
    from xuanpei.assessment.services_entries import PENDING_DIR
    from xuanpei.core.uploads import HELD_DIRS

    assert PENDING_DIR in HELD_DIRS  # registered by the assessment app
    old = store(f"{PENDING_DIR}/abandoned.pdf", days_old=3)
    fresh = store(f"{PENDING_DIR}/being-confirmed.pdf", days_old=0.5)
    call_command("cleanup", stdout=io.StringIO())
    assert not default_storage.exists(old)
    assert default_storage.exists(fresh)
