"""`xuanpei import <name> FILE [--dry-run] [--all-or-nothing] [--report PATH] [--json]
[--user USERNAME] [--enterprise USCC] [--plan PK]`.

Exit codes (issue #2): 0 every row accepted; 1 some rows rejected (the report,
if asked for, is written) or the commit failed (nothing written); 2 the file
cannot be read. Importers are found by name in the registry
(`<app>/importers.py`), so a new app adds its own without editing this command.
"""

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from xuanpei.cli import file_error
from xuanpei.core.imports import ImportFileError
from xuanpei.core.imports.registry import get_importer, importer_names
from xuanpei.core.imports.report import ReportSource, write_error_report
from xuanpei.core.imports.service import run_import
from xuanpei.core.management.acting_user import acting_user

EXIT_REJECTED = 1
EXIT_UNREADABLE = 2
# Importer-specific options; an importer lists those it takes in `options_supported`.
OPTION_NAMES = ("enterprise", "plan")


class Command(BaseCommand):
    help = "Import a spreadsheet (xlsx or csv) with a registered importer."

    def add_arguments(self, parser):
        parser.add_argument("name", help=f"importer: {', '.join(importer_names())}")
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--report", metavar="PATH", help="write rejected rows to this xlsx")
        parser.add_argument(
            "--json", action="store_true", help="print the counts as one JSON object"
        )
        parser.add_argument("--user", metavar="USERNAME", help="import within this user's scope")
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="write nothing when any row is rejected",
        )
        parser.add_argument(
            "--enterprise",
            metavar="USCC",
            help="every row belongs to this enterprise (importers that support it: roster)",
        )
        parser.add_argument(
            "--plan",
            metavar="PK",
            help="the plan whose tasks the file holds (plan_publicity, plan_training)",
        )
        # Any other option a registered importer lists in `options_supported` (the
        # attendance import's --session): a new importer's option needs no edit here.
        for option in self._other_options():
            takers = [n for n in importer_names() if option in get_importer(n).options_supported]
            parser.add_argument(f"--{option}", metavar="VALUE", help=f"for: {', '.join(takers)}")

    @staticmethod
    def _other_options() -> list[str]:
        names = {o for n in importer_names() for o in get_importer(n).options_supported}
        return sorted(names - set(OPTION_NAMES))

    def handle(self, *args, **options):
        name = options["name"]
        if name not in importer_names():
            raise CommandError(f"没有名为 {name} 的导入；可用：{'、'.join(importer_names())}")
        user = acting_user(options["user"])
        path = Path(options["file"])
        try:
            with path.open("rb"):
                pass  # the file is streamed from its path; fail early if it cannot be opened
        except OSError as exc:
            return self._unreadable(file_error(exc, path, verb="打开"), options)
        if options["report"] and not Path(options["report"]).parent.is_dir():
            # Before any work: an import must not commit and then fail to write its report.
            raise CommandError(
                f"无法写入错误报告 {options['report']}：目录 {Path(options['report']).parent} 不存在"
            )
        names = (*OPTION_NAMES, *self._other_options())
        extra = {k: options[k] for k in names if options.get(k)} or None
        try:
            result = run_import(
                name,
                path,
                filename=path.name,
                user=user,
                dry_run=options["dry_run"],
                all_or_nothing=options["all_or_nothing"],
                options=extra,
                max_bytes=0,  # the upload limit is for the web; the CLI reads any size
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except ImportFileError as exc:
            return self._unreadable(exc.message, options)
        except PermissionDenied as exc:
            self.stderr.write(str(exc) or "您没有权限执行此操作")
            sys.exit(EXIT_REJECTED)
        if options["report"] and (result.errors or result.changes):
            write_error_report(
                result.errors,
                options["report"],
                changes=result.changes,
                source=ReportSource(path, path.name, get_importer(name).columns),
            )
        if options["json"]:
            payload = {**result.counts(), "dry_run": result.dry_run, "batch_id": result.batch_id}
            if result.error:
                payload["error"] = result.error
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            self._print_summary(result, options)
        if not result.ok:
            sys.exit(EXIT_REJECTED)

    def _print_summary(self, result, options):
        for error in result.errors[:50]:
            self.stderr.write(f"第{error.row}行 {error.column}：{error.message}")
        if len(result.errors) > 50:
            self.stderr.write(f"……共 {len(result.errors)} 条错误")
        if result.error:
            self.stderr.write(result.error)
        verb = "检查" if result.dry_run else "导入"
        self.stdout.write(
            f"{verb}完成：共 {result.rows} 行，通过 {result.accepted}，拒绝 {result.rejected}；"
            f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
            + ("（试运行，未写入）" if result.dry_run else "")
        )
        if result.batch_id:
            self.stdout.write(f"导入批次：#{result.batch_id}")
        if options["report"] and result.errors:
            self.stdout.write(f"错误报告：{options['report']}")

    def _unreadable(self, message, options):
        if options["json"]:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        self.stderr.write(message)
        sys.exit(EXIT_UNREADABLE)
