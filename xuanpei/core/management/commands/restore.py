"""`xuanpei restore DIR` — put a backup of `xuanpei backup` back onto an empty instance.

The manifest and every file's SHA-256 are verified first; a target database holding rows
of its own, or a MEDIA_ROOT holding files, is refused; afterwards every table's row count
and every file's checksum are compared with the manifest (core/backup.py). Stop the
server and workers of the target while it runs.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xuanpei.core.backup import VENDOR_NAMES, BackupError, restore_backup


class Command(BaseCommand):
    help = "把 xuanpei backup 生成的备份恢复到空实例（先校验，恢复后逐表逐文件核对）"

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", type=Path, metavar="备份目录", help="xuanpei backup 生成的目录"
        )

    def handle(self, *args, directory: Path, **options):
        try:
            summary = restore_backup(directory)
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        lines = [
            f"恢复完成：{summary.path}",
            f"  数据库（{VENDOR_NAMES[summary.vendor]}）：{len(summary.tables)} 张表，"
            f"{summary.rows} 行",
            f"  上传文件：{summary.files} 个，{summary.file_bytes / 1024 / 1024:.1f} MB",
            "  核对：每张表的行数、每个文件的 SHA-256 均与备份清单一致",
            f"  用时 {summary.seconds:.1f} 秒",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
        if summary.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    "备份来自较早的程序版本，还有未执行的数据库迁移"
                    f"（{'、'.join(summary.pending_migrations[:5])} 等）：请运行 xuanpei migrate"
                )
            )
