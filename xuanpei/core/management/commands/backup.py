"""`xuanpei backup --out DIR` — the database, every uploaded file and a manifest into DIR.

DIR must be new (or an empty directory); it appears only once the backup is complete
(core/backup.py). Runs beside a live server: PostgreSQL is dumped from one snapshot,
SQLite through its online backup API. Restore with `xuanpei restore DIR`.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xuanpei.core.backup import VENDOR_NAMES, BackupError, create_backup


class Command(BaseCommand):
    help = "备份数据库和全部上传文件到一个新目录（含校验清单 manifest.json）"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="备份目录（新目录或空目录）")

    def handle(self, *args, out: Path, **options):
        try:
            summary = create_backup(out)
        except BackupError as exc:
            raise CommandError(f"备份失败，未留下任何文件：{exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{summary.path}\n"
                f"  数据库（{VENDOR_NAMES[summary.vendor]}）：{len(summary.tables)} 张表，"
                f"{summary.rows} 行\n"
                f"  上传文件：{summary.files} 个，{summary.file_bytes / 1024 / 1024:.1f} MB\n"
                f"  用时 {summary.seconds:.1f} 秒；恢复：xuanpei restore {summary.path}"
            )
        )
