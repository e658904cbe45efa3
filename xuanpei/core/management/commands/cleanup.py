"""`xuanpei cleanup [--hours N] [--report-days N] [--batch-days N] [--dry-run]` — daily, from cron.

- Jobs whose worker died (a server killed mid-import) are marked failed, with
  "导入中断，数据均未写入" when nothing was committed (core.jobs.fail_stale_jobs).
- Uploads of import previews that were never committed are removed after
  IMPORT_UPLOAD_RETENTION_HOURS (a commit removes its own upload at once); an
  upload a queued or running job still reads is kept. Only files directly in
  imports/ are uploads: imports/reports/ and imports/batches/ have rules of their own.
- Import reports (xlsx and the preview's JSON pages) are removed after
  IMPORT_REPORT_RETENTION_DAYS; so are the preview Jobs themselves (dry runs never
  committed, finished or failed) with their upload, report and detail files — the
  preview page has nothing left to show by then.
- The kept originals of committed import batches (ImportBatch.file_path, under
  imports/batches/) are removed after IMPORT_BATCH_FILE_RETENTION_DAYS and the
  path blanked; the batch and its change rows stay (the history still reads).
  A file there that no batch names (its import rolled back after the copy was
  written) goes after IMPORT_UPLOAD_RETENTION_HOURS.
- Uploads held for a confirmation that was never made (`core.uploads.HELD_DIRS`, e.g. a
  manual entry's new evidence) go after IMPORT_UPLOAD_RETENTION_HOURS as well.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from xuanpei.audit.models import ImportBatch
from xuanpei.core.jobs import fail_stale_jobs
from xuanpei.core.models import Job
from xuanpei.core.uploads import HELD_DIRS

UPLOADS = "imports"
REPORTS = "imports/reports"
BATCHES = "imports/batches"


def _old_files(directory: str, before) -> list[str]:
    """Files directly in `directory` (never in its subdirectories) modified before `before`."""
    try:
        _dirs, names = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    return [
        f"{directory}/{name}"
        for name in names
        if default_storage.get_modified_time(f"{directory}/{name}") < before
    ]


def _delete(names) -> None:
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)


def abandoned_previews(before):
    """Preview Jobs (import dry runs) created before `before` that no commit refers to."""
    committed = {
        pk
        for pk in Job.objects.filter(kind="import", params__has_key="preview").values_list(
            "params__preview", flat=True
        )
        if pk is not None
    }
    return (
        Job.objects.filter(kind="import", params__dry_run=True, created_at__lt=before)
        .exclude(status__in=[Job.Status.PENDING, Job.Status.RUNNING])
        .exclude(pk__in=committed)
    )


def preview_files(job: Job) -> list[str]:
    """The stored files of a preview: its upload, its xlsx report and its JSON pages."""
    result = job.result or {}
    return [job.params.get("path"), result.get("report"), result.get("detail")]


class Command(BaseCommand):
    help = (
        "每日清理：中断的后台任务标记为失败，删除过期的导入上传文件、导入报告、"
        "未确认的导入预览和超过保存期限的导入原始文件"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=int,
            default=None,
            help="删除多少小时前上传、未确认导入的文件（默认 IMPORT_UPLOAD_RETENTION_HOURS）",
        )
        parser.add_argument(
            "--report-days",
            type=int,
            default=None,
            help="删除多少天前的导入报告和未确认的导入预览（默认 IMPORT_REPORT_RETENTION_DAYS）",
        )
        parser.add_argument(
            "--batch-days",
            type=int,
            default=None,
            help="删除多少天前导入批次保存的原始文件（默认 IMPORT_BATCH_FILE_RETENTION_DAYS）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出数量，不删除")

    def handle(self, *args, hours, report_days, batch_days, dry_run, **options):
        now = timezone.now()
        hours = settings.IMPORT_UPLOAD_RETENTION_HOURS if hours is None else hours
        days = settings.IMPORT_REPORT_RETENTION_DAYS if report_days is None else report_days
        batch_days = settings.IMPORT_BATCH_FILE_RETENTION_DAYS if batch_days is None else batch_days
        stale = 0 if dry_run else fail_stale_jobs()
        in_use = {
            job.params.get("path")
            for job in Job.objects.filter(
                kind="import", status__in=[Job.Status.PENDING, Job.Status.RUNNING]
            )
        }
        uploads = [
            name for name in _old_files(UPLOADS, now - timedelta(hours=hours)) if name not in in_use
        ]
        reports = _old_files(REPORTS, now - timedelta(days=days))
        previews = list(abandoned_previews(now - timedelta(days=days)))
        expired = list(
            ImportBatch.objects.filter(started_at__lt=now - timedelta(days=batch_days))
            .exclude(file_path="")
            .values_list("pk", "file_path")
        )
        named = set(ImportBatch.objects.exclude(file_path="").values_list("file_path", flat=True))
        orphans = [
            name for name in _old_files(BATCHES, now - timedelta(hours=hours)) if name not in named
        ]
        held = [
            name
            for directory in HELD_DIRS
            for name in _old_files(directory, now - timedelta(hours=hours))
        ]
        if not dry_run:
            _delete(uploads + reports + orphans + held)
            for job in previews:
                _delete(name for name in preview_files(job) if name not in in_use)
            Job.objects.filter(pk__in=[job.pk for job in previews]).delete()
            for pk, path in expired:
                # Blank the path first: a batch never names a file that is gone.
                with transaction.atomic():
                    ImportBatch.objects.filter(pk=pk, file_path=path).update(file_path="")
                _delete([path])
        verb = "可删除" if dry_run else "已删除"
        self.stdout.write(
            f"中断的任务标记为失败 {stale} 个；{verb}未确认导入的上传文件 {len(uploads)} 个"
            f"（{hours} 小时前）、导入报告 {len(reports)} 个、未确认的导入预览 {len(previews)} 个"
            f"（{days} 天前）、导入批次原始文件 {len(expired) + len(orphans)} 个"
            f"（{batch_days} 天前）、未确认的暂存上传 {len(held)} 个（{hours} 小时前）"
        )
