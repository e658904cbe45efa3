"""The indicator library kept as data, one set per year (issue #13 item 1).

`DEFAULT_LIBRARY` is the default set, each entry citing the plan section it scores
(the 2022 district plan's numbering, `plans/template2022.py`); `ensure_default_set`
writes it for a year. A district may then edit its year's set (weights, rules, params)
— `validate_weights` keeps each unit type's SCORED indicators at 100 points; bonus and
deduction items (加分项/扣分项) come on top, each capped at its weight.

Weights per unit type (scored): plan 20, publicity 15, campaigns 10, training 15, new
media 15, 持证率 15 (a department: of the enterprises it supervises) for every type, then
新城 and 镇街 grid training 10, 行业部门 the district's quarterly rating of the sector's
work (manual) 10 = 100 each.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xuanpei.assessment.models import AssessedKind, Indicator, IndicatorSet

ALL = [AssessedKind.NEW_TOWN, AssessedKind.TOWN_STREET, AssessedKind.DEPARTMENT]
TERRITORIAL = [AssessedKind.NEW_TOWN, AssessedKind.TOWN_STREET]
SCORED, BONUS, DEDUCTION = Indicator.Kind.SCORED, Indicator.Kind.BONUS, Indicator.Kind.DEDUCTION

# Points a typical case (典型经验/案例) earns by the level that adopted it (四(三) 经验报送).
LEVEL_POINTS = {"national": "3", "province": "2", "city": "1", "district": "0.5"}

DEFAULT_LIBRARY: list[dict] = [
    {
        "code": "plan_on_time",
        "name": "计划任务按期完成",
        "section": "三、工作安排；四(六) 督导考核",
        "kind": SCORED,
        "applies_to": ALL,
        "weight": "20",
        "source": "plan_on_time",
        "params": {},
        "rule": "区级年度计划分解到本单位的任务，截至季度末未逾期的比例 × 分值。",
    },
    {
        "code": "publicity_activities",
        "name": "宣传活动开展及覆盖人数",
        "section": "三(一)3 持续推进全民安全宣传教育（“五进”）",
        "kind": SCORED,
        "applies_to": ALL,
        "weight": "15",
        "source": "publicity_activities",
        "params": {
            "quota": {"new_town": 6, "town_street": 3, "department": 2},
            "reach": {"new_town": 600, "town_street": 300, "department": 100},
        },
        "rule": "本季度已审核宣传活动次数、参与人数分别对照指标（各占一半），达到即得满分。",
    },
    {
        "code": "campaign_coverage",
        "name": "主题宣传活动覆盖",
        "section": "三(一)5 多措并举开展主题宣传教育活动",
        "kind": SCORED,
        "applies_to": ALL,
        "weight": "10",
        "source": "campaign_coverage",
        "params": {},
        "rule": "本季度进行中的区级主题活动（安全生产月等），本单位开展了关联活动的比例 × 分值。",
    },
    {
        "code": "training_sessions",
        "name": "培训班次及人次",
        "section": "三(二) 教育培训；附件2 培训计划",
        "kind": SCORED,
        "applies_to": ALL,
        "weight": "15",
        "source": "training_sessions",
        "params": {
            "quota": {"new_town": 3, "town_street": 2, "department": 2},
            "people": {"new_town": 150, "town_street": 60, "department": 60},
        },
        "rule": "本季度已举办培训期数、培训人次分别对照计划指标（各占一半），达到即得满分。",
    },
    {
        "code": "media_output",
        "name": "新媒体宣传",
        "section": "四(四) 新媒体载体",
        "kind": SCORED,
        "applies_to": ALL,
        "weight": "15",
        "source": "media_output",
        "params": {"quota": {"new_town": 12, "town_street": 6, "department": 6}},
        "rule": "本季度新媒体发布条数对照指标，达到即得满分。",
    },
    {
        "code": "post_compliance",
        "name": "三项岗位人员持证率",
        "section": "三(二)2(1) 三项岗位培训取证（持证率100%）",
        "kind": SCORED,
        "applies_to": ALL,
        "weight": "15",
        "source": "post_compliance",
        "params": {},
        "rule": "季度末辖区（行业部门：所监管）企业三项岗位人员持证率 × 分值（100% 得满分）。",
    },
    {
        "code": "grid_training",
        "name": "网格员季度培训",
        "section": "三(二)2(2) 网格员每季度培训（每季度至少一次）",
        "kind": SCORED,
        "applies_to": TERRITORIAL,
        "weight": "10",
        "source": "grid_training",
        "params": {"minimum": 1},
        "rule": "本季度辖区至少举办一次网格员培训得满分，未举办不得分。",
    },
    {
        "code": "sector_rating",
        "name": "行业领域宣传培训督导评价",
        "section": "四(六) 督导考核",
        "kind": SCORED,
        "applies_to": [AssessedKind.DEPARTMENT],
        "weight": "10",
        "source": "manual",
        "params": {},
        "rule": "区安委办按季度评定行业部门督促本行业领域企业开展宣传教育培训的情况，手工录入得分。",
    },
    {
        "code": "typical_cases",
        "name": "经验做法和典型案例被采用",
        "section": "四(三) 经验报送",
        "kind": BONUS,
        "applies_to": ALL,
        "weight": "5",
        "source": "manual",
        "params": {"levels": LEVEL_POINTS},
        "rule": "被国家级采用加3分、省级2分、市级1分、区级0.5分，本项最多加5分。",
    },
    {
        "code": "inspection_bonus",
        "name": "督查加分",
        "section": "四(六) 督导考核",
        "kind": BONUS,
        "applies_to": ALL,
        "weight": "3",
        "source": "manual",
        "params": {},
        "rule": "督查中工作突出的，据实加分，须写明事由，本项最多加3分。",
    },
    {
        "code": "inspection_deduction",
        "name": "督查扣分",
        "section": "四(六) 督导考核",
        "kind": DEDUCTION,
        "applies_to": ALL,
        "weight": "10",
        "source": "manual",
        "params": {},
        "rule": "督查发现问题的，据实扣分，须写明事由并上传佐证材料，本项最多扣10分。",
    },
]


def validate_weights(indicator_set: IndicatorSet) -> None:
    """Refuse a set whose SCORED indicators do not add up to 100 for each unit type."""
    rows = list(indicator_set.indicators.filter(kind=SCORED).values_list("applies_to", "weight"))
    for kind in AssessedKind:
        total = sum((w for applies, w in rows if kind.value in (applies or [])), Decimal(0))
        if total != 100:
            raise ValidationError(
                _("“%(set)s”计分指标权重合计为 %(sum)s，应为 100（%(kind)s）")
                % {"set": indicator_set, "sum": _number(total), "kind": kind.label},
                code="weights",
            )


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text


@transaction.atomic
def ensure_default_set(year: int, *, unit) -> IndicatorSet:
    """The year's set of `unit` (the district), created from DEFAULT_LIBRARY if missing."""
    found = IndicatorSet.objects.filter(unit=unit, year=year).first()
    if found:
        return found
    indicator_set = IndicatorSet.objects.create(
        unit=unit,
        year=year,
        title=_("%(year)s年宣传教育培训工作考核指标") % {"year": year},
        notes=_("默认指标库，依据区年度宣传教育培训工作计划。"),
    )
    Indicator.objects.bulk_create(
        Indicator(
            indicator_set=indicator_set,
            code=row["code"],
            name=row["name"],
            kind=row["kind"],
            applies_to=[str(k) for k in row["applies_to"]],
            weight=Decimal(row["weight"]),
            rule=f"{row['rule']}（依据：{row['section']}）",
            source=row["source"],
            params=row["params"],
            sort_order=i,
        )
        for i, row in enumerate(DEFAULT_LIBRARY)
    )
    return indicator_set


def snapshot(indicator_set: IndicatorSet) -> dict:
    """The set as it stands: what a published run keeps (names, weights, rules, sources)."""
    return {
        "set": {"id": indicator_set.pk, "title": indicator_set.title, "year": indicator_set.year},
        "indicators": [
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "applies_to": i.applies_to,
                "weight": str(i.weight),
                "rule": i.rule,
                "source": i.source,
                "params": i.params,
            }
            for i in indicator_set.indicators.order_by("sort_order", "pk")
        ],
    }
