"""`xuanpei cleanup [--hours N] [--report-days N] [--dry-run]` — daily, from cron.

- Jobs whose worker died (a server killed mid-import) are marked failed, with
  "导入中断，数据均未写入" when nothing was committed (core.jobs.fail_stale_jobs).
- Uploads of import previews that were never committed are removed after
  IMPORT_UPLOAD_RETENTION_HOURS (a commit removes its own upload at once); an
  upload a queued or running job still reads is kept.
- Import reports (xlsx and the preview's JSON pages) are removed after
  IMPORT_REPORT_RETENTION_DAYS.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from xuanpei.core.jobs import fail_stale_jobs
from xuanpei.core.models import Job

UPLOADS = "imports"
REPORTS = "imports/reports"


def _old_files(directory: str, before) -> list[str]:
    try:
        _dirs, names = default_storage.listdir(directory)
    except FileNotFoundError:
        return []
    return [
        f"{directory}/{name}"
        for name in names
        if default_storage.get_modified_time(f"{directory}/{name}") < before
    ]


class Command(BaseCommand):
    help = "每日清理：中断的后台任务标记为失败，删除过期的导入上传文件和导入报告"

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
            help="删除多少天前的导入报告（默认 IMPORT_REPORT_RETENTION_DAYS）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出数量，不删除")

    def handle(self, *args, hours, report_days, dry_run, **options):
        now = timezone.now()
        hours = settings.IMPORT_UPLOAD_RETENTION_HOURS if hours is None else hours
        days = settings.IMPORT_REPORT_RETENTION_DAYS if report_days is None else report_days
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
        if not dry_run:
            for name in uploads + reports:
                default_storage.delete(name)
        verb = "可删除" if dry_run else "已删除"
        self.stdout.write(
            f"中断的任务标记为失败 {stale} 个；{verb}未确认导入的上传文件 {len(uploads)} 个"
            f"（{hours} 小时前）、导入报告 {len(reports)} 个（{days} 天前）"
        )
