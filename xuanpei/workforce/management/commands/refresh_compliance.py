"""`xuanpei refresh_compliance` — recompute the 持证率 snapshots (cron, daily after midnight).

Today's snapshot is recomputed for every enterprise (one set-based query), the
month-ends of the trend that are missing are made once, and day snapshots older
than a month that are not month-ends are pruned.
"""

import json
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xuanpei.workforce import compliance


class Command(BaseCommand):
    help = "Recompute today's 持证率 snapshot, fill missing month-ends, prune old day snapshots."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="recompute this day, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--months",
            type=int,
            default=compliance.TREND_POINTS,
            help="month-ends to make when missing (default 12)",
        )
        parser.add_argument(
            "--recompute-months",
            action="store_true",
            help="recompute those month-ends even when stored (after backdated bulk changes)",
        )
        parser.add_argument("--no-prune", action="store_true", help="keep old day snapshots")
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")

    def handle(self, *args, **options):
        today = timezone.localdate()
        on = today
        if options["date"]:
            try:
                on = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期格式不正确：{options['date']}（应为 YYYY-MM-DD）") from exc
            if on > today:
                raise CommandError("--date 不能晚于今天（快照会失真）")
        started = time.monotonic()
        rows = compliance.refresh_snapshots(on=on)
        months = [d for d in compliance.trend_days(today, options["months"]) if d < today]
        if options["recompute_months"]:
            for day in months:
                compliance.refresh_snapshots(on=day)
            made = len(months)
        else:
            before = compliance.snapshot_days(months)
            compliance.ensure_snapshots(months)
            made = len(set(months) - before)
        pruned = 0 if options["no_prune"] else compliance.prune_snapshots()
        counts = {
            "day": f"{on:%Y-%m-%d}",
            "enterprises": rows,
            "month_ends_made": made,
            "pruned_rows": pruned,
            "seconds": round(time.monotonic() - started, 3),
        }
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
