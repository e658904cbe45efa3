"""`xuanpei plan <action>` — the yearly plan from the command line (issue #4 §7).

    xuanpei plan load-template 2022 [--issue] [--doc-number X] [--user USERNAME]
    xuanpei plan copy 2022 2023 [--doc-number X] [--user USERNAME]
    xuanpei plan refresh-status [--on YYYY-MM-DD]      (daily, from cron)
    xuanpei plan export 2022 --out FILE [--user USERNAME]
    xuanpei plan import 2022 FILE [--dry-run] [--report PATH] [--json] [--user USERNAME]

`export` writes the year's district plan as one xlsx: 附件1 (the key-task list) and
附件2 (the training schedule), a sheet each, in the attachments' layout; `import` reads
such a workbook back, both sheets or nothing (`importers.import_plan_workbook`), with the
counts, `--json` and `--report` of `xuanpei import`.

Without --user an action is the system's (full scope); with it, the person must be
allowed to manage the plan (`services.can_manage` checks it; an export needs only to
see it). Exit code 0 on success; 1 with a message on stderr when the action is refused
or (import) some rows were rejected or the commit failed — nothing is then written;
2 for bad arguments or a file that cannot be read or written.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xuanpei.cli import file_error
from xuanpei.core.imports import ImportFileError
from xuanpei.core.imports.report import write_error_report
from xuanpei.core.imports.result import ImportResult
from xuanpei.core.management.acting_user import acting_user
from xuanpei.plans import importers, loader, reminders, services
from xuanpei.plans.choices import AssignmentStatus, PlanKind, PlanStatus, TaskKind
from xuanpei.plans.models import Assignment, Plan, Target
from xuanpei.plans.tables import TABLES

EXIT_REFUSED = 1  # also: rows rejected, or the commit failed (as `xuanpei import`)
EXIT_FILE = 2  # the file cannot be read (or written), as a bad argument
ERRORS_SHOWN = 50


class Refused(Exception):
    """An action the command could not do; its message goes to stderr."""


def _year(value: str) -> int:
    if not (value.isdigit() and len(value) == 4):
        raise argparse.ArgumentTypeError(f"年度应为四位数字，如 2022（收到 {value!r}）")
    return int(value)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期应为 YYYY-MM-DD 格式，如 2026-03-31（收到 {value!r}）"
        ) from None


class Command(BaseCommand):
    help = (
        "年度计划：载入模板（load-template）、复制为下一年度（copy）、刷新任务状态"
        "（refresh-status）、导出/导入重点任务清单和培训安排（export / import）"
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

        load = actions.add_parser("load-template", help="从模板创建区级年度计划（如 2022）")
        load.add_argument("year", type=_year, help="模板年度")
        load.add_argument("--issue", action="store_true", help="载入后立即印发")
        load.add_argument("--doc-number", default="", help="发文字号，如 XX安委办发〔2022〕3号")
        load.add_argument("--user", metavar="USERNAME", help="以该账号操作（默认：系统）")

        copy = actions.add_parser("copy", help="把某年度区级计划复制为新年度的草稿")
        copy.add_argument("from_year", type=_year, help="源年度")
        copy.add_argument("to_year", type=_year, help="新年度")
        copy.add_argument("--doc-number", default="", help="新计划的发文字号")
        copy.add_argument(
            "--user", metavar="USERNAME", help="以该账号操作（须有权管理该计划；默认：系统）"
        )

        refresh = actions.add_parser("refresh-status", help="重新计算全部任务分解的状态（每日）")
        refresh.add_argument("--on", type=_day, help="按该日计算，YYYY-MM-DD（默认：今天）")

        export = actions.add_parser(
            "export", help="把区级年度计划的附件1、附件2导出为一个 xlsx（每表一个工作表）"
        )
        export.add_argument("year", type=_year, help="计划年度")
        export.add_argument("--out", required=True, metavar="FILE", help="写入的 .xlsx 文件")
        export.add_argument(
            "--user", metavar="USERNAME", help="以该账号导出（须能查看该计划；默认：系统）"
        )

        load_back = actions.add_parser(
            "import", help="把填好的附件1、附件2导入区级年度计划（两张表全部导入或全不导入）"
        )
        load_back.add_argument("year", type=_year, help="计划年度")
        load_back.add_argument("file", help="plan export 导出格式的 .xlsx 文件")
        load_back.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        load_back.add_argument("--report", metavar="PATH", help="把错误行写入该 xlsx 错误报告")
        load_back.add_argument(
            "--json", dest="as_json", action="store_true", help="以一个 JSON 对象输出统计"
        )
        load_back.add_argument(
            "--user", metavar="USERNAME", help="以该账号导入（须有权管理该计划；默认：系统）"
        )

    def handle(self, *args, action, **options):
        handler = {
            "load-template": self.load_template,
            "copy": self.copy,
            "refresh-status": self.refresh_status,
            "export": self.export_plan,
            "import": self.import_plan,
        }[action]
        try:
            handler(**options)
        except Refused as exc:
            self._refuse(str(exc))
        except ValidationError as exc:
            self._refuse("；".join(exc.messages))
        except PermissionDenied as exc:
            hint = "" if options.get("user") else "（未指定 --user：请以有权管理该计划的账号执行）"
            self._refuse((str(exc) or "您没有权限执行此操作") + hint)

    def _refuse(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(EXIT_REFUSED)

    def _bad_file(self, message: str, *, as_json: bool = False) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        self.stderr.write(message)
        sys.exit(EXIT_FILE)

    def _user(self, username: str | None):
        try:
            return acting_user(username)
        except CommandError:
            raise Refused(f"没有用户名为 {username} 的账号") from None

    def _district_plan(self, year: int, user, verb: str) -> Plan:
        """The year's district plan as `user` may see it (a plan out of scope is no plan)."""
        root = loader.district_root()
        plans = Plan.objects.all() if user is None else Plan.objects.for_user(user, "view")
        plan = (
            plans.filter(kind=PlanKind.DISTRICT, unit=root, year=year)
            .select_related("unit")
            .first()
        )
        if plan is None:
            raise Refused(f"{root.name}没有{year}年度的区级计划，无法{verb}")
        return plan

    # ----------------------------------------------------------------- actions

    def load_template(self, *, year, issue, doc_number, user, **_options):
        plan = loader.load_template(
            year, actor=self._user(user), issue=issue, doc_number=doc_number
        )
        report = plan.load_report
        kinds = Counter(plan.tasks.values_list("kind", flat=True))
        self.stdout.write(
            f"已载入{year}年度计划模板：《{plan.title}》（{plan.get_status_display()}，编号 {plan.pk}）"
        )
        self.stdout.write(
            f"章节 {report.sections} 个，任务 {report.tasks} 项"
            f"（宣传 {kinds[TaskKind.PUBLICITY]}、培训 {kinds[TaskKind.TRAINING]}、"
            f"要求 {kinds[TaskKind.REQUIREMENT]}），量化目标 {report.targets} 个，"
            f"任务分解 {report.assignments} 项。"
        )
        if report.unresolved:
            self.stdout.write("以下单位名称未匹配到平台中的单位，已记入任务的“其他单位”：")
            for number, names in report.unresolved.items():
                self.stdout.write(f"  {number}：{'、'.join(names)}")
        if report.unassigned:
            self.stdout.write(
                f"以下任务没有责任单位，请在平台中补充：{'、'.join(report.unassigned)}"
            )

    def copy(self, *, from_year, to_year, doc_number, user, **_options):
        root = loader.district_root()
        source = Plan.objects.filter(kind=PlanKind.DISTRICT, unit=root, year=from_year).first()
        if source is None:
            raise Refused(f"{root.name}没有{from_year}年度的区级计划，无法复制")
        new = services.copy_plan(
            source, year=to_year, actor=self._user(user), doc_number=doc_number
        )
        targets = Target.objects.filter(task__plan=new).count()
        self.stdout.write(
            f"已将{from_year}年度计划复制为{to_year}年度计划：《{new.title}》"
            f"（{new.get_status_display()}，编号 {new.pk}）"
        )
        self.stdout.write(
            f"章节 {new.sections.count()} 个，任务 {new.tasks.count()} 项，"
            f"量化目标 {targets} 个；日期已顺延到{to_year}年。请修改后印发。"
        )
        if new.year_flags:
            self.stdout.write(
                f"与年份相关、须复核的内容 {len(new.year_flags)} 处（如"
                f"{'、'.join(f['text'] for f in new.year_flags[:3])}），"
                "印发前请在计划页面修改或确认保留。"
            )

    def refresh_status(self, *, on, **_options):
        today = timezone.localdate()
        on = on or today
        if on > today:
            raise Refused("--on 不能晚于今天（否则尚未到期的任务会被提前记为逾期）")
        count = services.refresh_all(on)
        by_status = Counter(Assignment.objects.values_list("status", flat=True))
        counts = "，".join(f"{s.label} {by_status[s.value]}" for s in AssignmentStatus)
        self.stdout.write(f"已按 {on:%Y-%m-%d} 刷新 {count} 项任务分解的状态：{counts}")
        sent = reminders.send_plan_reminders(on)
        self.stdout.write(
            f"到期提醒：7日内到期 {sent.due_soon} 项、已逾期 {sent.overdue} 期，"
            f"新消息 {sent.created} 条，邮件 {sent.emailed} 封"
        )

    def export_plan(self, *, year, out, user, **_options):
        actor = self._user(user)
        plan = self._district_plan(year, actor, "导出")
        try:
            counts = importers.write_plan_workbook(plan, out, user=actor)
        except OSError as exc:
            self._bad_file(file_error(exc, out, verb="写入"))
        tables = "，".join(f"{TABLES[key].label} {n} 项" for key, n in counts.items())
        self.stdout.write(f"已将{year}年度计划《{plan.title}》导出到 {out}：{tables}")

    def import_plan(self, *, year, file, dry_run, report, as_json, user, **_options):
        try:
            with open(file, "rb"):
                pass  # a file that cannot be read is exit 2, before any look-up
        except OSError as exc:
            return self._bad_file(file_error(exc, file, verb="打开"), as_json=as_json)
        if Path(file).suffix.lower() != ".xlsx":
            return self._bad_file(
                f"只能导入 plan export 导出格式的 .xlsx 文件（收到 {Path(file).name}）",
                as_json=as_json,
            )
        actor = self._user(user)
        plan = self._district_plan(year, actor, "导入")
        if plan.status == PlanStatus.CLOSED:
            raise Refused(f"《{plan.title}》已结束，不能再导入任务")
        if not services.can_manage(actor, plan):
            raise Refused(f"您没有修改《{plan.title}》的权限，不能导入其任务")
        try:
            results = importers.import_plan_workbook(
                plan, file, user=actor, dry_run=dry_run, max_bytes=0
            )
        except ImportFileError as exc:
            return self._bad_file(exc.message, as_json=as_json)
        errors = importers.workbook_errors(results)
        if report and errors:
            try:
                write_error_report(errors, report)
            except OSError as exc:
                self._bad_file(file_error(exc, report, verb="写入"))
        total = _total(results, dry_run)
        if as_json:
            self.stdout.write(json.dumps(_json_counts(total, results), ensure_ascii=False))
        else:
            self._print_import(total, results, errors, report)
        if not total.ok:
            sys.exit(EXIT_REFUSED)

    def _print_import(self, total: ImportResult, results: dict, errors, report) -> None:
        for error in errors[:ERRORS_SHOWN]:
            self.stderr.write(f"第{error.row}行 {error.column}：{error.message}")
        if len(errors) > ERRORS_SHOWN:
            self.stderr.write(f"……共 {len(errors)} 条错误")
        if total.error:
            self.stderr.write(total.error)
        verb = "检查" if total.dry_run else "导入"
        self.stdout.write(
            f"{verb}完成：{_counts_text(total)}" + ("（试运行，未写入）" if total.dry_run else "")
        )
        for key, result in results.items():
            self.stdout.write(f"  {TABLES[key].label}：{_counts_text(result)}")
        if report and errors:
            self.stdout.write(f"错误报告：{report}")


def _total(results: dict, dry_run: bool) -> ImportResult:
    """Both sheets' counts summed; the distinct failure messages joined, the sheet with
    rejected rows first (the other only says it was not written because of it)."""
    total = ImportResult(dry_run=dry_run)
    for result in results.values():
        for name in ImportResult.COUNTS:
            setattr(total, name, getattr(total, name) + getattr(result, name))
    ordered = sorted(results.values(), key=lambda r: not r.rejected)
    messages = dict.fromkeys(r.error for r in ordered if r.error)
    total.error = "；".join(messages)
    return total


def _counts_text(result: ImportResult) -> str:
    return (
        f"共 {result.rows} 行，通过 {result.accepted}，拒绝 {result.rejected}；"
        f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}"
    )


def _json_counts(total: ImportResult, results: dict) -> dict:
    """`xuanpei import --json`'s object for the whole workbook, plus "sheets" by table key."""

    def one(result: ImportResult) -> dict:
        payload = {**result.counts(), "dry_run": result.dry_run}
        if result.error:
            payload["error"] = result.error
        return payload

    return {**one(total), "sheets": {key: one(result) for key, result in results.items()}}
