"""xuanpei bulletin 2026Q2 --out FILE.docx [--pdf FILE.pdf] [--user USERNAME]

Writes the quarter's issued bulletin (the archived DOCX/PDF), or — when none is issued
yet — the district's draft (generated from the quarter's scores if there is none).
Without --user it runs as the district: a district admin account (or a superuser).
With --user the account's view applies: a unit reads the issued bulletins naming it;
only the district may generate a draft. Files are written whole or not at all.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from xuanpei.assessment import services_bulletins as services
from xuanpei.assessment.models import Bulletin
from xuanpei.assessment.quarters import QuarterError, parse_quarter
from xuanpei.core.management.acting_user import acting_user
from xuanpei.core.permissions import Role


def quarter_arg(value: str) -> tuple[int, int]:
    """argparse's type: the one quarter rule (`quarters.parse_quarter`)."""
    try:
        return parse_quarter(value)
    except QuarterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def district_account():
    users = get_user_model().objects.filter(is_active=True)
    root = services.district_root()
    account = (
        users.filter(unit=root, role=Role.DISTRICT_ADMIN).order_by("pk").first()
        or users.filter(is_superuser=True).order_by("pk").first()
    )
    if account is None:
        raise CommandError("没有区安委办管理员账号，请用 --user 指定账号")
    return account


def write_whole(target: str, data: bytes) -> None:
    path = Path(target)
    if path.is_dir():
        raise CommandError(f"无法写入文件 {target}：这是一个目录，不是文件")
    partial = path.with_name(f".{path.name}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        raise CommandError(f"无法写入文件 {target}：{exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)


class Stages:
    """Seconds per stage (scoring, charts, document, pdf), shown with -v 2 (bench/)."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps.append((name, now - self.last))
        self.last = now

    def report(self) -> str:
        parts = "，".join(f"{name} {seconds:.2f} 秒" for name, seconds in self.laps)
        return f"用时：{parts}；合计 {self.last - self.start:.2f} 秒"


class Command(BaseCommand):
    help = "季度通报：导出某季度的通报（已印发的；尚未印发则生成草稿）为 DOCX 和 PDF"

    def add_arguments(self, parser):
        parser.add_argument("quarter", type=quarter_arg, help="季度，如 2026Q2")
        parser.add_argument("--out", required=True, metavar="FILE", help="写入的 .docx 文件")
        parser.add_argument("--pdf", metavar="FILE", help="同时写出 PDF 文件")
        parser.add_argument("--user", metavar="USERNAME", help="以该账号导出（默认：区安委办）")

    def handle(self, *args, quarter, out, pdf=None, user=None, **options):
        from xuanpei.assessment import bulletin_content, bulletin_docx, bulletin_pdf

        clock = Stages()

        year, q = quarter
        if Path(out).is_dir() or (pdf and Path(pdf).is_dir()):
            raise CommandError("--out/--pdf 须为文件，不是目录")
        account = acting_user(user) or district_account()
        bulletins = Bulletin.objects.for_user(account, "view").filter(year=year, quarter=q)
        bulletin = bulletins.filter(status=Bulletin.Status.ISSUED).order_by("-issued_at").first()
        if bulletin is None:
            try:
                bulletin = services.draft_bulletin(year=year, quarter=q, actor=account)
            except PermissionDenied as exc:
                raise CommandError(
                    f"{year}年第{q}季度尚无对该账号可见的已印发通报；只有区安委办可以生成草稿"
                ) from exc
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
        clock.lap("scoring")  # finding the bulletin, or scoring and writing the draft
        issued = bulletin.status == Bulletin.Status.ISSUED
        content = None
        if not (issued and bulletin.docx and (bulletin.pdf or not pdf)):
            content = bulletin_content.document(bulletin)
            clock.lap("charts")
        if issued and bulletin.docx:
            with bulletin.docx.open("rb") as fh:
                write_whole(out, fh.read())
        else:
            write_whole(out, bulletin_docx.render(bulletin, content=content))
        clock.lap("document")
        if pdf:
            if issued and bulletin.pdf:
                with bulletin.pdf.open("rb") as fh:
                    write_whole(pdf, fh.read())
            else:
                write_whole(pdf, bulletin_pdf.render(bulletin, content=content))
            clock.lap("pdf")
        if options.get("verbosity", 1) >= 2:
            self.stdout.write(clock.report())
        state = f"已印发（{bulletin.doc_code}）" if issued else "草稿（尚未印发）"
        self.stdout.write(
            f"已写出《{bulletin.title}》{state}到 {out}" + (f" 和 {pdf}" if pdf else "")
        )
