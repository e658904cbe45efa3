"""`xuanpei send_reminders` — raise the staged certificate reminders of the day (cron, daily),
then the publicity campaigns' coverage reminders (issue #11: their last week)."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from xuanpei.publicity.reminders import send_coverage_reminders
from xuanpei.training.reminders import send_training_reminders
from xuanpei.workforce.reminders import send_reminders


class Command(BaseCommand):
    help = "Raise certificate review/expiry reminders (90/60/30/0 days) and e-mail them."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for, YYYY-MM-DD (default: today)")
        parser.add_argument("--no-email", action="store_true", help="raise, but send no e-mail")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        on = None
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期格式不正确：{options['date']}（应为 YYYY-MM-DD）") from exc
        result = send_reminders(on, email=not options["no_email"])
        publicity = send_coverage_reminders(on, email=not options["no_email"])
        training = send_training_reminders(on, email=not options["no_email"])
        if options["json"]:
            counts = result.as_dict()
            counts["publicity"] = {
                "campaigns": publicity.campaigns,
                "units": publicity.units,
                "created": publicity.created,
                "emailed": publicity.emailed,
            }
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(
                f"certificates: {result.certificates}, notifications raised: {result.created}, "
                f"e-mails sent: {result.emailed}"
            )
            self.stdout.write(
                f"publicity campaigns in their last week: {publicity.campaigns}, units not "
                f"covered: {publicity.units}, notifications raised: {publicity.created}, "
                f"e-mails sent: {publicity.emailed}"
            )
            self.stdout.write(
                f"training reminders due: {training.raised}, notifications raised: "
                f"{training.created}, e-mails sent: {training.emailed}"
            )
