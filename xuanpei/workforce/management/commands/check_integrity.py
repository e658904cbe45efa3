"""`xuanpei check-integrity [--on DATE] [--enterprise USCC …] [--json]`: run the integrity checks.

Meant for a nightly cron job and for after a large import. Raises new flags for
the district admins' review queue; flags raised before are left as they are.
"""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from xuanpei.core.validators import normalize_code
from xuanpei.orgs.models import Enterprise
from xuanpei.workforce.choices import IntegrityKind
from xuanpei.workforce.integrity import run_checks


class Command(BaseCommand):
    help = "证件核查：查找重复证号、多企业同时在岗、证号与身份证号不符、未满18周岁发证、发证晚于有效期。"

    def add_arguments(self, parser):
        parser.add_argument("--on", help="核查在岗情况的日期（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--enterprise",
            action="append",
            metavar="USCC",
            help="只核查与该企业（统一社会信用代码）有关的人员和证书，可重复",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出各类线索数")

    def handle(self, *args, on=None, enterprise=None, json=False, **options):
        try:
            day = date.fromisoformat(on) if on else None
        except ValueError as exc:
            raise CommandError(f"日期格式不正确：{on}（应为 YYYY-MM-DD）") from exc
        enterprise_ids = None
        if enterprise:
            codes = [normalize_code(c) for c in enterprise]
            found = dict(Enterprise.objects.filter(uscc__in=codes).values_list("uscc", "pk"))
            missing = [c for c in codes if c not in found]
            if missing:
                raise CommandError(f"企业不存在：{'、'.join(missing)}")
            enterprise_ids = list(found.values())
        counts = run_checks(on=day, enterprise_ids=enterprise_ids)
        if json:
            self.stdout.write(_dumps(counts))
            return
        labels = dict(IntegrityKind.choices)
        for kind, c in counts.items():
            self.stdout.write(f"{labels[kind]}：发现 {c['found']}，新增 {c['created']}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
