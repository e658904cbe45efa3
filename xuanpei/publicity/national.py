"""The national calendar of themed days (domain.md §6) as data: loaded by migration 0002
and by `ensure_national_rules()` (a `transaction=True` test flushes migration rows).

Each entry: name, kind and its parameters, the first year held, a note. Seasonal
periods (岁末年初 …) and by-notice ranges (防灾减灾宣传周 …) carry no dates: the
district enters them each year. Unconfirmed days (domain.md [U]: 4.28, 12.4) are left
out; the district may add them as rules.
"""

from __future__ import annotations

from xuanpei.publicity.choices import RuleKind

NATIONAL_RULES: tuple[dict, ...] = (
    {
        "name": "全国中小学生安全教育日",
        "kind": RuleKind.NTH_WEEKDAY,
        "month": 3,
        "weekday": 0,
        "nth": -1,
        "since_year": 1996,
        "note": "每年3月最后一周的星期一（1996年国家教委等部门确定）",
    },
    {
        "name": "全民国家安全教育日",
        "kind": RuleKind.FIXED_DAY,
        "month": 4,
        "day": 15,
        "since_year": 2016,
        "note": "《国家安全法》（2015）第十四条",
    },
    {
        "name": "《职业病防治法》宣传周",
        "kind": RuleKind.FIXED_RANGE,
        "month": 4,
        "day": 25,
        "end_month": 5,
        "end_day": 1,
        "since_year": 2002,
        "note": "卫生健康部门牵头",
    },
    {
        "name": "全国防灾减灾日",
        "kind": RuleKind.FIXED_DAY,
        "month": 5,
        "day": 12,
        "since_year": 2009,
    },
    {
        "name": "防灾减灾宣传周",
        "kind": RuleKind.BY_NOTICE,
        "note": "5月12日前后7天，日期以当年通知为准（如 2023年5月6日—12日）",
    },
    {
        "name": "安全生产月",
        "kind": RuleKind.MONTH,
        "month": 6,
        "since_year": 2002,
        "note": "全国安全生产月，每年6月",
    },
    {
        "name": "全国安全宣传咨询日",
        "kind": RuleKind.FIXED_DAY,
        "month": 6,
        "day": 16,
        "since_year": 2014,
        "note": "2014年起固定为6月16日（2002—2013年为6月第二个星期日）",
    },
    {
        "name": "安全生产万里行",
        "kind": RuleKind.BY_NOTICE,
        "note": "与安全生产月同期开展，日期以当年通知为准",
    },
    {
        "name": "国际减灾日",
        "kind": RuleKind.FIXED_DAY,
        "month": 10,
        "day": 13,
        "since_year": 2009,
        "note": "2019年起称国际减少灾害风险日",
    },
    {
        "name": "全国消防日",
        "kind": RuleKind.FIXED_DAY,
        "month": 11,
        "day": 9,
        "since_year": 1992,
        "note": "“119”消防日",
    },
    {
        "name": "119消防宣传月",
        "kind": RuleKind.MONTH,
        "month": 11,
        "note": "全国消防宣传月，每年11月",
    },
    {
        "name": "《安全生产法》宣传周",
        "kind": RuleKind.FIXED_RANGE,
        "month": 12,
        "day": 1,
        "end_month": 12,
        "end_day": 7,
        "since_year": 2017,
        "note": "国务院安委会确定，每年12月第一周（1日—7日）",
    },
    {
        "name": "全国交通安全日",
        "kind": RuleKind.FIXED_DAY,
        "month": 12,
        "day": 2,
        "since_year": 2012,
        "note": "“122”全国交通安全日",
    },
    # Periods the district sets each year (the plan's 重点时段, 三(一)5).
    {"name": "岁末年初", "kind": RuleKind.SEASONAL, "note": "可跨年，如12月至次年2月"},
    {"name": "复工复产", "kind": RuleKind.SEASONAL},
    {"name": "暑期", "kind": RuleKind.SEASONAL},
    {"name": "汛期", "kind": RuleKind.SEASONAL},
    {"name": "秋冬季林草地防灭火", "kind": RuleKind.SEASONAL},
)


def load_national_rules(rule_model) -> int:
    """Create the national rules that are missing (by name); returns how many were added."""
    existing = set(rule_model.objects.filter(unit__isnull=True).values_list("name", flat=True))
    new = [
        rule_model(order=(i + 1) * 10, **spec)
        for i, spec in enumerate(NATIONAL_RULES)
        if spec["name"] not in existing
    ]
    rule_model.objects.bulk_create(new)
    return len(new)


def ensure_national_rules() -> int:
    from xuanpei.publicity.models import ThemedDayRule

    return load_national_rules(ThemedDayRule)
