"""The plan's two attachment tables (issue #4 §4): columns, titles and the cell texts.

附件1 宣传计划重点任务清单 holds the publicity tasks, 附件2 教育培训计划安排一览表 the
training tasks. Both are written and read back (`importers.py`) with the columns
below. Two cells carry structure as text a person writes:

- 完成时限: 全年 / 2022年6月1日至6月30日 / 每季度 / 每月, a note in brackets
  (每季度（至少一次）); `format_timeframe` writes it, `parse_timeframe` reads it
  and many looser spellings (2022-06-01至2022-06-30, 6月, 2022年11月30日前).
- 工作目标: 网格员培训≥1次（每季度）；持证率=100% — `format_targets` /
  `parse_targets`. "（每季度）" marks a target each period must meet.

Parsing reads `format_*` output back to the same value (a property test checks
it). The text is taken as typed, not NFKC-normalised: names and notes keep their
full-width punctuation; the syntax around them is matched in either width.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.core.imports import Column
from xuanpei.plans.choices import Comparator, TaskKind, Timeframe

# Tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One attachment table: which tasks it lists and in which columns."""

    key: str  # "publicity" / "training" (the ?table= of the pages)
    kind: str  # TaskKind
    attachment: str  # 附件1
    title_suffix: str  # appended to "XX区2022年"
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    @property
    def label(self) -> str:
        return self.title_suffix.removeprefix("应急管理")


_UNIT_HELP = gettext_lazy(
    "单位名称，多个用“、”分隔；可写“各新城”“各镇街”“各行业部门”代表全部；重名时写成路径，如 沣河新城/某街道"
)
_TIMEFRAME_HELP = gettext_lazy(
    "可填：全年、每季度、每月、2022年6月1日至6月30日、2022-06-01至2022-06-30、6月；"
    "说明写在括号中，如 每季度（至少一次）；留空为全年"
)
_TARGET_HELP = gettext_lazy(
    "写成“名称≥数值单位”，多项用“；”或换行分隔，每期都须达到的在后面加“（每季度）”或“（每月）”，"
    "如 网格员培训≥1次（每季度）；持证率=100%；比较可用 ≥、=、≤"
)

# The task fields one 完成时限 cell gives.
TIMEFRAME_FIELDS = ("timeframe", "start_date", "end_date", "timeframe_note")

SEQ = Column(
    "seq", "序号", aliases=("编号序号",), help=gettext_lazy("导入时不读取，新任务排在最后")
)
NUMBER = Column(
    "number",
    "任务编号",
    aliases=("编号",),
    required=True,
    help=gettext_lazy("如 三(一)5；本计划中已有的编号将更新该任务，没有的新建"),
)
LEAD = Column("lead_units", "牵头单位", aliases=("责任单位",), required=True, help=_UNIT_HELP)
COOPERATING = Column("cooperating_units", "配合单位", aliases=("协办单位",), help=_UNIT_HELP)
TIMEFRAME = Column(
    "timeframe_text",
    "完成时限",
    aliases=("时间安排", "完成时间", "时限"),
    help=_TIMEFRAME_HELP,
    normalize=False,
    fields=TIMEFRAME_FIELDS,  # a blank cell in an update keeps all four
)
TARGETS = Column(
    "targets_text",
    "工作目标",
    aliases=("量化目标", "目标"),
    help=_TARGET_HELP,
    normalize=False,
    fields=("target_values",),
)


def _text(key: str, header: str, *aliases: str, required: bool = False) -> Column:
    return Column(key, header, aliases=aliases, required=required, normalize=False)


PUBLICITY = Table(
    key="publicity",
    kind=TaskKind.PUBLICITY,
    attachment="附件1",
    title_suffix="应急管理宣传计划重点任务清单",
    columns=(
        SEQ,
        NUMBER,
        _text("title", "重点任务", "任务名称", required=True),
        _text("content", "任务内容", "具体内容"),
        LEAD,
        COOPERATING,
        TIMEFRAME,
        TARGETS,
        _text("deliverables", "工作成果", "成果形式"),
    ),
)
TRAINING = Table(
    key="training",
    kind=TaskKind.TRAINING,
    attachment="附件2",
    title_suffix="应急管理教育培训计划安排一览表",
    columns=(
        SEQ,
        NUMBER,
        _text("title", "培训项目", "培训名称", "培训班名称", required=True),
        _text("content", "培训内容", "主要内容"),
        _text("audience", "培训对象", "参训对象"),
        _text("method", "培训方式", "培训形式"),
        LEAD,
        COOPERATING,
        TIMEFRAME,
        TARGETS,
    ),
)
TABLES = {t.key: t for t in (PUBLICITY, TRAINING)}


def table_for(key: str | None) -> Table:
    """The table named by a page's ?table= (publicity by default); unknown → ValueError."""
    if not key:
        return PUBLICITY
    try:
        return TABLES[key]
    except KeyError:
        raise ValueError(f"unknown table {key!r}") from None


_TITLE_ISSUER = re.compile(r"^(?P<who>.*?)(?P<year>\d{4})年")


def table_title(plan, table: Table) -> str:
    """ "XX区2022年应急管理宣传计划重点任务清单": the issuer as the plan's title names it."""
    match = _TITLE_ISSUER.match(plan.title or "")
    who = match["who"] if match and match["who"] else plan.unit.name
    return f"{who}{plan.year}年{table.title_suffix}"


# Text helpers --------------------------------------------------------------------------


def _folded(text: str) -> tuple[str, list[int]]:
    """NFKC per character, and where each folded character came from in `text`.

    Patterns match the folded text (full-width digits and brackets become ASCII);
    names and notes are cut from the original with the position map, as typed.
    """
    out: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded)
        where.extend([index] * len(folded))
    where.append(len(text))
    return "".join(out), where


def cn_date(d: date, *, year: bool = True) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if year else f"{d.month}月{d.day}日"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# 完成时限 --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeframeValue:
    """A task's timeframe fields as one value: what a 完成时限 cell says."""

    timeframe: str = Timeframe.ALL_YEAR
    start: date | None = None
    end: date | None = None
    note: str = ""


def format_timeframe(value: TimeframeValue) -> str:
    """全年 / 2022年6月1日至6月30日 / 每季度 / 每月, optional dates, note in brackets."""
    if value.timeframe == Timeframe.DATE_RANGE and value.start and value.end:
        same_year = value.start.year == value.end.year
        text = cn_date(value.start)
        if value.end != value.start:  # a one-day task (6月16日 安全宣传咨询日) is its date
            text += f"至{cn_date(value.end, year=not same_year)}"
    else:
        parts = [str(Timeframe(value.timeframe).label)]
        if value.start:
            parts.append(f"{cn_date(value.start)}起")
        if value.end:
            parts.append(f"{cn_date(value.end)}前")
        text = "，".join(parts)
    return f"{text}（{value.note}）" if value.note else text


_DATE = (
    r"(?:(?P<{p}y>\d{{4}})\s*[年./-]\s*)?(?P<{p}m>\d{{1,2}})\s*[月./-]\s*(?P<{p}d>\d{{1,2}})\s*日?"
)
# The second date of a range may leave out its year, or year and month: 6月1日至30日.
_END_DATE = (
    r"(?:(?P<{p}y>\d{{4}})\s*[年./-]\s*(?P<{p}m>\d{{1,2}})\s*[月./-]\s*"
    r"|(?P<{p}m2>\d{{1,2}})\s*[月./-]\s*)?(?P<{p}d>\d{{1,2}})\s*日?"
)
_MONTH = r"(?:(?P<{p}y>\d{{4}})\s*年\s*)?(?P<{p}m>\d{{1,2}})\s*月份?"
_TO = r"\s*(?:至|到|~|—|–)\s*"

_HEADS: list[tuple[str, re.Pattern]] = [
    ("all_year", re.compile(r"(?:全年度?|年内|长期|常态化|年底前)")),
    ("quarterly", re.compile(r"(?:每个?季度?|按季度?|季度)")),
    ("monthly", re.compile(r"(?:每个?月度?|按月)")),
    ("range", re.compile(_DATE.format(p="a") + _TO + _END_DATE.format(p="b"))),
    ("month_range", re.compile(_MONTH.format(p="a") + _TO + _MONTH.format(p="b") + r"(?:底)?")),
    (
        "before",
        re.compile(r"(?:" + _DATE.format(p="a") + r"|" + _MONTH.format(p="b") + r"底)\s*前"),
    ),
    ("day", re.compile(_DATE.format(p="a"))),
    ("month", re.compile(_MONTH.format(p="a"))),
]
_QUALIFIER = re.compile(
    r"\s*[,;]\s*(?:" + _DATE.format(p="s") + r"\s*起|" + _DATE.format(p="e") + r"\s*前)"
)


def _timeframe_error(text: str) -> ValidationError:
    return ValidationError(
        _(
            "无法识别的完成时限“%(value)s”：可填 全年、每季度、每月、2022年6月1日至6月30日、"
            "2022-06-01至2022-06-30 或 6月，说明写在括号中，如 每季度（至少一次）"
        )
        % {"value": text},
        code="timeframe",
    )


def _make_date(text: str, y, m, d) -> date:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        raise ValidationError(
            _("完成时限“%(value)s”中的日期不存在") % {"value": text}, code="date"
        ) from None


def _month_bounds(text: str, y, m) -> tuple[date, date]:
    start = _make_date(text, y, m, 1)
    return start, _month_end(start.year, start.month)


def _head(kind: str, match: re.Match, text: str, year: int) -> TimeframeValue:
    g = match.groupdict()
    if kind in ("all_year", "quarterly", "monthly"):
        return TimeframeValue(kind)
    if kind == "range":
        start = _make_date(text, g["ay"] or year, g["am"], g["ad"])
        end_month = g["bm"] or g["bm2"] or start.month
        end = _make_date(text, g["by"] or start.year, end_month, g["bd"])
        return TimeframeValue(Timeframe.DATE_RANGE, start, end)
    if kind == "month_range":
        start, _end = _month_bounds(text, g["ay"] or year, g["am"])
        _start, end = _month_bounds(text, g["by"] or start.year, g["bm"])
        return TimeframeValue(Timeframe.DATE_RANGE, start, end)
    if kind == "before":
        if g["am"]:
            end = _make_date(text, g["ay"] or year, g["am"], g["ad"])
        else:
            _start, end = _month_bounds(text, g["by"] or year, g["bm"])
        return TimeframeValue(Timeframe.ALL_YEAR, None, end)
    if kind == "day":
        day = _make_date(text, g["ay"] or year, g["am"], g["ad"])
        return TimeframeValue(Timeframe.DATE_RANGE, day, day)
    start, end = _month_bounds(text, g["ay"] or year, g["am"])
    return TimeframeValue(Timeframe.DATE_RANGE, start, end)


def parse_timeframe(text: str, *, year: int) -> TimeframeValue:
    """Read a 完成时限 cell; dates without a year are in `year` (the plan's).

    Raises ValidationError with a Chinese reason. An empty cell is 全年.
    """
    original = text.strip()
    if not original:
        return TimeframeValue()
    folded, where = _folded(original)
    for kind, pattern in _HEADS:
        match = pattern.match(folded)
        if match:
            value = _head(kind, match, original, year)
            break
    else:
        raise _timeframe_error(original)
    pos = match.end()
    start, end = value.start, value.end
    if value.timeframe != Timeframe.DATE_RANGE:
        while qualifier := _QUALIFIER.match(folded, pos):
            g = qualifier.groupdict()
            if g["sm"]:
                start = _make_date(original, g["sy"] or year, g["sm"], g["sd"])
            else:
                end = _make_date(original, g["ey"] or year, g["em"], g["ed"])
            pos = qualifier.end()
    note = _note(original, folded, where, pos)
    if start and end and end < start:
        raise ValidationError(
            _("完成时限“%(value)s”的截止日期早于开始日期") % {"value": original}, code="order"
        )
    return TimeframeValue(value.timeframe, start, end, note)


def _note(original: str, folded: str, where: list[int], pos: int) -> str:
    """What follows the timeframe: "（说明）", or "，说明" written without brackets."""
    rest = folded[pos:]
    stripped = rest.strip()
    if not stripped:
        return ""
    start = where[pos + (len(rest) - len(rest.lstrip()))]
    raw = original[start:].strip()
    if stripped[0] == "(" and stripped[-1] == ")":
        return raw[1:-1].strip()
    if stripped[0] in ",;:":
        return raw[1:].strip()
    raise _timeframe_error(original)


# 工作目标 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetValue:
    """One quantified target as a 工作目标 cell writes it: 网格员培训≥1次（每季度）."""

    name: str
    comparator: str
    value: Decimal
    unit_label: str = ""
    per_period: bool = False


PER_PERIOD_WORDS = {
    Timeframe.QUARTERLY: "每季度",
    Timeframe.MONTHLY: "每月",
}
_SYMBOLS = {Comparator.AT_LEAST: "≥", Comparator.EXACTLY: "=", Comparator.AT_MOST: "≤"}
_COMPARATORS = {
    ">=": Comparator.AT_LEAST,
    "≥": Comparator.AT_LEAST,
    "≧": Comparator.AT_LEAST,
    "不少于": Comparator.AT_LEAST,
    "不低于": Comparator.AT_LEAST,
    "大于等于": Comparator.AT_LEAST,
    "至少": Comparator.AT_LEAST,
    "<=": Comparator.AT_MOST,
    "≤": Comparator.AT_MOST,
    "≦": Comparator.AT_MOST,
    "不超过": Comparator.AT_MOST,
    "不多于": Comparator.AT_MOST,
    "不高于": Comparator.AT_MOST,
    "小于等于": Comparator.AT_MOST,
    "至多": Comparator.AT_MOST,
    "=": Comparator.EXACTLY,
    "==": Comparator.EXACTLY,
    "达到": Comparator.EXACTLY,
}
_CMP = "|".join(sorted((re.escape(k) for k in _COMPARATORS), key=len, reverse=True))
_TARGET = re.compile(
    rf"(?P<name>.+?)\s*(?P<cmp>{_CMP})\s*(?P<value>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>[^()\d\s.]*?)\s*(?:\((?P<per>[^()]*)\))?\s*",
    re.DOTALL,
)
_TARGET_SEPARATORS = re.compile(r"[；;\n]+")
MAX_VALUE = Decimal("9999999999.99")  # Target.value: 12 digits, 2 decimals
NAME_MAX, UNIT_MAX = 100, 20


def format_value(value: Decimal) -> str:
    """100.00 → "100", 1.50 → "1.5" (what a person writes)."""
    text = format(Decimal(value).normalize(), "f")
    return text


def format_target(target: TargetValue, timeframe: str) -> str:
    text = f"{target.name}{_SYMBOLS[target.comparator]}{format_value(target.value)}"
    text += target.unit_label
    if target.per_period:
        text += f"（{PER_PERIOD_WORDS.get(timeframe, '每期')}）"
    return text


def format_targets(targets, timeframe: str) -> str:
    """Targets (TargetValue or Target rows) joined with "；"."""
    return "；".join(format_target(to_value(t), timeframe) for t in targets)


def to_value(target) -> TargetValue:
    if isinstance(target, TargetValue):
        return target
    return TargetValue(
        target.name, target.comparator, Decimal(target.value), target.unit_label, target.per_period
    )


def parse_targets(text: str) -> list[TargetValue]:
    """Read a 工作目标 cell: items "名称≥数值单位（每季度）" separated by ；, ; or newlines."""
    items = [p.strip() for p in _TARGET_SEPARATORS.split(text or "")]
    items = [p for p in items if p]
    found = []
    for index, item in enumerate(items, 1):
        found.append(_parse_target(item, index))
    return found


def _target_error(item: str, index: int, reason: str) -> ValidationError:
    return ValidationError(
        _("第 %(n)d 项目标“%(item)s”%(reason)s") % {"n": index, "item": item, "reason": reason},
        code="target",
    )


def _parse_target(item: str, index: int) -> TargetValue:
    folded, where = _folded(item)
    match = _TARGET.fullmatch(folded)
    if not match:
        raise _target_error(
            item,
            index,
            _("无法识别：应写成“名称≥数值单位”，如 网格员培训≥1次（每季度）、持证率=100%"),
        )

    def cut(group: str) -> str:
        return item[where[match.start(group)] : where[match.end(group)]].strip()

    name, unit = cut("name"), cut("unit")
    per = match["per"]
    if per is not None and not per.strip().startswith("每"):
        raise _target_error(item, index, _("括号中只能写每期的要求，如（每季度）、（每月）"))
    try:
        value = Decimal(match["value"])
    except InvalidOperation:  # pragma: no cover - the pattern allows digits only
        raise _target_error(item, index, _("目标值不是数字")) from None
    if value > MAX_VALUE:
        raise _target_error(item, index, _("目标值过大"))
    if value != value.quantize(Decimal("0.01")):
        raise _target_error(item, index, _("目标值最多保留两位小数"))
    if not name:
        raise _target_error(item, index, _("缺少指标名称"))
    if len(name) > NAME_MAX:
        raise _target_error(item, index, _("指标名称超过 %(n)d 个字") % {"n": NAME_MAX})
    if len(unit) > UNIT_MAX:
        raise _target_error(item, index, _("单位超过 %(n)d 个字") % {"n": UNIT_MAX})
    return TargetValue(
        name=name,
        comparator=_COMPARATORS[match["cmp"]],
        value=value,
        unit_label=unit,
        per_period=per is not None,
    )
