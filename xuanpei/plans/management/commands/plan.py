"""`xuanpei plan <action>` — the yearly plan from the command line (issue #4 §7).

    xuanpei plan load-template 2022 [--issue] [--doc-number X] [--user USERNAME]
    xuanpei plan copy 2022 2023 [--doc-number X] [--user USERNAME]
    xuanpei plan refresh-status [--on YYYY-MM-DD]      (daily, from cron)

Without --user a load or copy is a system action (full scope); with it, the person
must be allowed to manage the plan (`services.can_manage` checks it). Exit code 0 on success, 1 with a
message on stderr when the action is refused, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xuanpei.core.management.acting_user import acting_user
from xuanpei.plans import loader, services
from xuanpei.plans.choices import AssignmentStatus, PlanKind, TaskKind
from xuanpei.plans.models import Assignment, Plan, Target

EXIT_REFUSED = 1


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
    help = "年度计划：载入模板（load-template）、复制为下一年度（copy）、刷新任务状态（refresh-status）"

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

    def handle(self, *args, action, **options):
        handler = {
            "load-template": self.load_template,
            "copy": self.copy,
            "refresh-status": self.refresh_status,
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

    def _user(self, username: str | None):
        try:
            return acting_user(username)
        except CommandError:
            raise Refused(f"没有用户名为 {username} 的账号") from None

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

    def refresh_status(self, *, on, **_options):
        today = timezone.localdate()
        on = on or today
        if on > today:
            raise Refused("--on 不能晚于今天（否则尚未到期的任务会被提前记为逾期）")
        count = services.refresh_all(on)
        by_status = Counter(Assignment.objects.values_list("status", flat=True))
        counts = "，".join(f"{s.label} {by_status[s.value]}" for s in AssignmentStatus)
        self.stdout.write(f"已按 {on:%Y-%m-%d} 刷新 {count} 项任务分解的状态：{counts}")
