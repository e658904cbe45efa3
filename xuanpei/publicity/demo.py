"""The demo calendar (issue #11) for `xuanpei seed-demo`, after the demo plans.

For 2022 and the current year: every national day generated, the themes of the
brand activities set, the 防灾减灾宣传周 dates entered as the notice gave them, two
district campaigns of its own (国家安全发展示范城市创建宣传, 三年行动宣传), one new
town's local day, and the plan tasks linked — 三(一)5 names its brand activities
(防灾减灾宣传周, 安全生产月, 119消防宣传月, 交通安全日, 《安全生产法》宣传周), 三(一)6
the 创建 campaign, 三(一)4 the 三年行动 one. 安全生产万里行 and the seasons stay 待通知.
Themes are those published for the national campaigns; the dates of the weeks
set by notice follow domain.md §6 where it lists them (2023: 5/6–12; 2025: 5/12–18),
otherwise the week ending on 12 May (demo data, not a source).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.models import Unit
from xuanpei.plans.choices import PlanKind
from xuanpei.plans.models import Task
from xuanpei.publicity import services
from xuanpei.publicity.choices import RuleKind
from xuanpei.publicity.models import Campaign, ThemedDayRule
from xuanpei.publicity.national import ensure_national_rules

# Published national themes (2022 安全生产月: "遵守安全生产法 当好第一责任人";
# 2023: "人人讲安全、个个会应急", domain.md §6).
THEMES = {
    (2022, "安全生产月"): "遵守安全生产法 当好第一责任人",
    (2023, "安全生产月"): "人人讲安全、个个会应急",
    (2024, "安全生产月"): "人人讲安全、个个会应急——畅通生命通道",
    (2025, "安全生产月"): "人人讲安全、个个会应急——查找身边安全隐患",
}
NOTICE_WEEKS = {
    2023: (date(2023, 5, 6), date(2023, 5, 12)),
    2025: (date(2025, 5, 12), date(2025, 5, 18)),
}
BRAND = ("防灾减灾宣传周", "安全生产月", "119消防宣传月", "全国交通安全日", "《安全生产法》宣传周")
LOCAL = (
    ("国家安全发展示范城市创建宣传", "三(一)6"),
    ("安全生产专项整治三年行动宣传", "三(一)4"),
)


@dataclass
class PublicityDemoResult:
    campaigns: int = 0
    waiting: int = 0
    linked: int = 0
    ledger: object = None  # demo_ledger.LedgerDemoResult

    def summary_line(self) -> str:
        return (
            f"宣传日历：宣传主题活动 {self.campaigns} 项，待通知 {self.waiting} 项，"
            f"关联计划任务 {self.linked} 处。"
        ) + (self.ledger.summary_line() if self.ledger else "")


def _district_tasks(year: int) -> dict[str, Task]:
    tasks = Task.objects.filter(plan__year=year, plan__kind=PlanKind.DISTRICT)
    return {t.number: t for t in tasks}


def seed_publicity(*, today: date | None = None) -> PublicityDemoResult:
    today = today or timezone.localdate()
    ensure_national_rules()
    root = services.district_root()
    admin = User.objects.filter(unit=root, role=Role.DISTRICT_ADMIN).order_by("pk").first()
    town = Unit.objects.get_children(root).filter(kind=UnitKind.NEW_TOWN).order_by("path").first()
    local_rules = []
    for name, _number in LOCAL:
        rule, _ = ThemedDayRule.objects.get_or_create(
            unit=root, name=name, defaults={"kind": RuleKind.LOCAL, "order": 900}
        )
        local_rules.append(rule)
    if town is not None:
        ThemedDayRule.objects.get_or_create(
            unit=town,
            name=f"{town.name}安全文化日",
            defaults={"kind": RuleKind.FIXED_DAY, "month": 9, "day": 20, "order": 950},
        )
    result = PublicityDemoResult()
    for year in sorted({2022, today.year}):
        services.generate_campaigns(year, actor=None)
        notice = ThemedDayRule.objects.get(unit__isnull=True, name="防灾减灾宣传周")
        start, end = NOTICE_WEEKS.get(
            year, (date(year, 5, 12) - timedelta(days=6), date(year, 5, 12))
        )
        if year < today.year or start <= today + timedelta(days=60):
            services.save_campaign(
                Campaign(rule=notice, year=year, start_date=start, end_date=end), actor=admin
            )
        for rule in local_rules:
            services.save_campaign(
                Campaign(
                    rule=rule,
                    year=year,
                    start_date=date(year, 3, 1),
                    end_date=date(year, 11, 30),
                    theme="全民参与 共建安全发展示范城市" if "示范城市" in rule.name else "",
                ),
                actor=admin,
            )
        campaigns = {c.name: c for c in Campaign.objects.filter(year=year, unit=root)}
        for (y, name), theme in THEMES.items():
            if y == year and name in campaigns:
                campaigns[name].theme = theme
                services.save_campaign(campaigns[name], actor=admin)
        tasks = _district_tasks(year)
        links = {"三(一)5": [campaigns[n] for n in BRAND if n in campaigns]}
        for name, number in LOCAL:
            links.setdefault(number, []).append(campaigns[name])
        for number, linked in links.items():
            task = tasks.get(number)
            if task is None:
                continue
            for campaign in linked:
                campaign.tasks.add(task)
                result.linked += 1
    result.campaigns = Campaign.objects.count()
    result.waiting = len(services.waiting_rules(today.year))
    from xuanpei.publicity.demo_ledger import seed_ledger

    result.ledger = seed_ledger(today=today)  # the activity ledger, media posts and quotas
    return result
