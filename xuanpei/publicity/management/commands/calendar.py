"""`xuanpei calendar YEAR [--ics FILE] [--generate]`: the year's themed-day calendar.

Prints every occurrence of the year: the campaigns stored, the computed days not yet
generated (未生成) and the rules whose dates are entered each year (待通知). With
`--generate` it first creates the year's campaigns (`services.generate_campaigns`, as
the system: every rule). With `--ics FILE` it writes the stored campaigns of the year as
iCalendar instead (the district's calendar).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from xuanpei.publicity import ics, services
from xuanpei.publicity.choices import COMPUTED_KINDS
from xuanpei.publicity.models import Campaign, ThemedDayRule


def _span(start, end) -> str:
    text = f"{start:%m-%d}"
    return text if start == end else f"{text} — {end:%m-%d}"


class Command(BaseCommand):
    help = "打印某年度的宣传日历（--ics 写出 iCalendar 文件，--generate 先生成该年度的宣传日）"

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年度，如 2026")
        parser.add_argument("--ics", metavar="FILE", help="写出 .ics 文件而不是打印")
        parser.add_argument("--generate", action="store_true", help="先生成该年度的宣传日")

    def handle(self, *args, year, ics=None, generate=False, **options):
        if not 1900 <= year <= 2100:
            raise CommandError("年份须在 1900—2100 之间")
        if generate:
            try:
                result = services.generate_campaigns(year)
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from exc
            self.stdout.write(result.summary_line())
        campaigns = list(
            Campaign.objects.filter(year=year)
            .select_related("rule", "unit")
            .order_by("start_date", "pk")
        )
        if ics:
            body = self._ics(campaigns, year)
            with open(ics, "w", encoding="utf-8", newline="") as fh:
                fh.write(body)
            self.stdout.write(f"已写出 {len(campaigns)} 项活动到 {ics}")
            return
        self._print(campaigns, year)

    def _ics(self, campaigns, year):
        return ics.render(campaigns, name=f"{year}年宣传日历")

    def _print(self, campaigns, year):
        rows = [
            (c.start_date, _span(c.start_date, c.end_date), c.name, c.theme, "") for c in campaigns
        ]
        stored = {c.rule_id for c in campaigns if c.rule_id}
        waiting = []
        for rule in ThemedDayRule.objects.filter(is_active=True).select_related("unit"):
            if rule.pk in stored:
                continue
            if rule.kind in COMPUTED_KINDS:
                dates = rule.occurrence(year)
                if dates:
                    rows.append((dates[0], _span(*dates), rule.name, "", "未生成"))
            elif (rule.since_year or year) <= year <= (rule.until_year or year):
                waiting.append(rule)
        self.stdout.write(f"{year}年宣传日历")
        for _start, span, name, theme, note in sorted(rows, key=lambda r: (r[0], r[2])):
            line = f"{span:<15} {name}"
            if theme:
                line += f"  主题：{theme}"
            if note:
                line += f"  （{note}）"
            self.stdout.write(line)
        for rule in waiting:
            self.stdout.write(f"{'待通知':<13} {rule.name}  （{rule.describe()}）")
