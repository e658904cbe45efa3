"""`xuanpei training <action>` — training (issue #12) from the command line.

    xuanpei training archive SESSION_ID --out FILE [--user USERNAME]

`archive` writes the session's 一期一档 zip (`training.archive`: index, printable
sign-in sheet, sign-in log, roster with scores, summary, materials and photos) to
FILE. Without --user it runs as the system (every session); with it, the session
must be within what that account may export. The zip is written next to FILE first
and moved into place when complete, so a failed run leaves no half archive.

Exit code 0 on success; 2 with one Chinese line on stderr for an unknown session
(or one outside --user's scope), a bad argument or a file that cannot be written.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xuanpei.core.management.acting_user import acting_user
from xuanpei.training.archive import write_archive
from xuanpei.training.models import TrainingSession


def _session_id(value: str) -> int:
    import argparse

    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"培训班次编号应为正整数（收到 {value!r}）")
    return int(value)


class Command(BaseCommand):
    help = "培训：导出一期一档（archive）"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        archive = actions.add_parser(
            "archive", help="把一期培训的档案（签到表、签到记录、名单、资料、照片）导出为 zip"
        )
        archive.add_argument("session_id", type=_session_id, help="培训班次编号")
        archive.add_argument("--out", required=True, metavar="FILE", help="写入的 .zip 文件")
        archive.add_argument(
            "--user", metavar="USERNAME", help="以该账号导出（须能导出该班次；默认：系统）"
        )

    def handle(self, *args, action, **options):
        {"archive": self.archive}[action](**options)

    def archive(self, *, session_id, out, user=None, **_options):
        account = acting_user(user)
        sessions = TrainingSession.objects.select_related("unit", "enterprise", "task")
        if account is not None:
            sessions = sessions.for_user(account, "export")
        session = sessions.filter(pk=session_id).first()
        if session is None:
            raise CommandError(
                f"没有编号为 {session_id} 的培训班次"
                + ("（或不在该账号的范围内）" if account else "")
            )
        target = Path(out)
        if target.is_dir():
            raise CommandError(f"无法写入文件 {out}：这是一个目录，不是文件")
        partial = target.with_name(f".{target.name}.part")
        try:
            with partial.open("wb") as fh:
                held = write_archive(session, fh, user=account)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            f"已写出“{session.title}”的一期一档到 {out}："
            f"名单 {held.enrolled} 人，签到 {held.attended} 人，文件 {len(held.files)} 个"
        )
