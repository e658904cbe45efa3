"""`xuanpei assessment <action> PERIOD` — quarterly scoring (issue #13 item 5).

    xuanpei assessment compute 2026Q2 [--user USERNAME]
    xuanpei assessment publish 2026Q2 [--user USERNAME]

`compute` (re)computes the district's run for the quarter (`services_scoring.compute_run`):
a quarter that has not ended is computed as a draft marked 未结束. `publish` freezes the
quarter's run (computing it first if there is none). Without --user the action is the
system's; with it the account must be a district administrator.

Exit codes: 0 done; 2 a bad PERIOD (not YYYYQn) or unknown user; 1 refused (the quarter
has not ended, is already published, weights that do not add up to 100 …), with the
reason as one Chinese line on stderr.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from xuanpei.assessment import services_scoring as scoring
from xuanpei.assessment.quarters import QuarterError, parse_quarter
from xuanpei.core.management.acting_user import acting_user


def parse_period(value: str) -> tuple[int, int]:
    """ "2026Q2" → (2026, 2) by the one quarter rule; anything else is refused (exit 2)."""
    try:
        return parse_quarter(value)
    except QuarterError as exc:
        raise CommandError(str(exc), returncode=2) from exc


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc)


class Command(BaseCommand):
    help = "考核：计算（compute）或发布（publish）季度考核"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in (
            ("compute", "计算季度考核（草稿）"),
            ("publish", "发布（冻结）季度考核"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("period", help="考核期间，如 2026Q2")
            sub.add_argument("--user", metavar="USERNAME", help="以该账号操作（默认：系统）")

    def handle(self, *args, action, period, user=None, **options):
        year, quarter = parse_period(period)
        try:
            account = acting_user(user)
        except CommandError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        try:
            if action == "compute":
                run = scoring.compute_run(year=year, quarter=quarter, actor=account)
                note = "" if run.quarter_ended else "（季度未结束，草稿）"
                self.stdout.write(f"已计算{run}考核{note}：{run.scores.count()} 个单位")
            else:
                if not scoring.quarter_ended(year, quarter):  # refuse before computing anything
                    raise ValidationError(scoring.UNENDED)
                run = scoring.find_run(year, quarter)
                if run is None:
                    run = scoring.compute_run(year=year, quarter=quarter, actor=account)
                run = scoring.publish_run(run=run, actor=account)
                self.stdout.write(f"已发布{run}考核：{run.scores.count()} 个单位")
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(_reason(exc), returncode=1) from exc
