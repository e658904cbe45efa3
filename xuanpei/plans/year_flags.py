"""Year-bound text in a copied plan (issue #8 §11): flagged for review before issue.

`services.copy_plan` moves "2022年" to the new year, but a plan's text also carries
what a copy cannot know is still true: cited document numbers (XX咸应急发〔2022〕3号),
dated events (迎接党的“二十大”, 十九届六中全会), 疫情防控, anniversaries, the Nth 安全生产月.
`find` spots them (pure, property-tested); `scan` stores where they sit on the copy
(`Plan.year_flags`); the plan page lists them; `issue_plan` refuses while any is left
(`require_reviewed`). A flag leaves when its text is changed or when the issuer
confirms it is still right (`clear_flags`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}  # fmt: skip
NUM = "0-9一二三四五六七八九十百"

# 机关代字〔年份〕序号号 (GB/T 9704): the whole number, so the flag reads as cited.
DOC_NUMBER = re.compile(r"[^\s，。；、：:（）()《》“”\"'，]*〔(\d{4})〕\d*号?")
# A year in Arabic digits that is not inside 〔〕 and not part of a longer number.
# ("2021年", "2020—2022年"; not "2000人").
ARABIC_YEAR = re.compile(r"(?<![\d〔])((?:19|20)\d{2})(?![\d〕])(?=\s*年|[-./—–~～]\d)")
CHINESE_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})年")
EVENTS: tuple[tuple[re.Pattern, str], ...] = (
    (
        re.compile(r"[一二三四五六七八九十]{2,3}大(?![学厦街道楼桥队类项])"),
        gettext_lazy("党的代表大会的届次"),
    ),
    (
        re.compile(r"[一二三四五六七八九十]+届[一二三四五六七八九十]+中全会"),
        gettext_lazy("全会的届次"),
    ),
    (re.compile(r"(?:新冠)?疫情(?:防控)?"), gettext_lazy("疫情防控的要求")),
    (re.compile(rf"[{NUM}]+周年"), gettext_lazy("纪念的周年数")),
    (re.compile(rf"第[{NUM}]+个"), gettext_lazy("逐年递增的届次（如第N个“安全生产月”）")),
    (re.compile(r"(?:冬奥|亚运|奥运|全运|世博|进博)会?"), gettext_lazy("特定年份举办的活动")),
    (re.compile(r"专项整治三年行动"), gettext_lazy("有起止年限的专项行动")),
)


@dataclass(frozen=True)
class Finding:
    text: str
    reason: str


def chinese_year(text: str) -> int:
    return int("".join(str(CN_DIGITS[c]) for c in text))


def find(text: str, *, year: int) -> list[Finding]:
    """Year-bound phrases in `text` of a plan for `year`, in order, each once."""
    found: list[tuple[int, Finding]] = []
    for m in DOC_NUMBER.finditer(text):
        if int(m.group(1)) < year:
            reason = _("引用的是%(y)s年的文件，请确认是否仍然有效") % {"y": m.group(1)}
            found.append((m.start(), Finding(m.group(0), reason)))
    for m in ARABIC_YEAR.finditer(text):
        if int(m.group(1)) < year:
            reason = _("写的是%(y)s年，不是本年度") % {"y": m.group(1)}
            found.append((m.start(), Finding(m.group(1), reason)))
    for m in CHINESE_YEAR.finditer(text):
        if chinese_year(m.group(1)) < year:
            reason = _("写的是%(y)s年，不是本年度") % {"y": chinese_year(m.group(1))}
            found.append((m.start(), Finding(m.group(0), reason)))
    for pattern, what in EVENTS:
        for m in pattern.finditer(text):
            reason = _("%(what)s与年份有关，请确认本年度是否仍然适用") % {"what": what}
            found.append((m.start(), Finding(m.group(0), reason)))
    seen, result = set(), []
    for _pos, f in sorted(found, key=lambda item: item[0]):
        if f.text not in seen:
            seen.add(f.text)
            result.append(f)
    return result


# Where text sits on a plan: (key, label, value) for every field a flag can point to.


def places(plan) -> list[tuple[str, str, str]]:
    rows = [
        ("plan:title", _("计划标题"), plan.title),
        ("plan:doc_number", _("发文字号"), plan.doc_number),
        ("plan:preamble", _("导语"), plan.preamble),
    ]
    for s in plan.sections.all():
        name = f"{s.number}{s.heading}"
        rows.append((f"section:{s.pk}:heading", _("章节“%(s)s”标题") % {"s": name}, s.heading))
        rows.append((f"section:{s.pk}:body", _("章节“%(s)s”") % {"s": name}, s.body))
    fields = (("title", _("名称")), ("content", _("内容")), ("timeframe_note", _("时限说明")),
              ("deliverables", _("工作成果")), ("audience", _("培训对象")))  # fmt: skip
    for t in plan.tasks.all():
        for field, label in fields:
            where = _("任务 %(n)s %(f)s") % {"n": t.number, "f": label}
            rows.append((f"task:{t.pk}:{field}", where, getattr(t, field)))
    return rows


def _context(value: str, text: str, width: int = 24) -> str:
    at = value.find(text)
    start, end = max(0, at - width), min(len(value), at + len(text) + width)
    return ("…" if start else "") + value[start:end] + ("…" if end < len(value) else "")


def scan(plan) -> list[dict]:
    """The flags of a plan: one per year-bound phrase per place."""
    flags = []
    for where, label, value in places(plan):
        for f in find(value or "", year=plan.year):
            flags.append({"key": f"{where}|{f.text}", "where": where, "place": str(label),
                          "text": f.text, "reason": f.reason})  # fmt: skip
    return flags


def outstanding(plan) -> list[dict]:
    """The stored flags whose text is still where it was (changed text clears its flag),
    with the surrounding words and the page where it is edited."""
    if not plan.year_flags:
        return []
    values = {where: (label, value or "") for where, label, value in places(plan)}
    left = []
    for flag in plan.year_flags:
        label, value = values.get(flag["where"], ("", ""))
        if flag["text"] and flag["text"] in value:
            left.append({**flag, "place": str(label) or flag["place"],
                         "context": _context(value, flag["text"]),
                         "edit_url": _edit_url(plan, flag["where"])})  # fmt: skip
    return left


def _edit_url(plan, where: str) -> str:
    from django.urls import reverse

    kind, _sep, rest = where.partition(":")
    if kind == "task":
        return reverse("plans:task_edit", args=[int(rest.split(":")[0])])
    return reverse("plans:plan_edit", args=[plan.pk])


def require_reviewed(plan) -> None:
    """Refuse to issue while year-bound text is neither changed nor confirmed."""
    left = outstanding(plan)
    if not left:
        return
    named = "、".join(f"{f['place']}“{f['text']}”" for f in left[:5])
    more = _("等 %(n)d 处") % {"n": len(left)} if len(left) > 5 else ""
    raise ValidationError(
        _(
            "还有与年份相关的内容未复核：%(items)s%(more)s。请修改这些文字，或在计划页面逐项确认保留后再印发"
        )
        % {"items": named, "more": more}
    )


@transaction.atomic
def clear_flags(plan, *, actor, keys: list[str] | None = None):
    """The issuer confirms flagged text is still right for the year (all when `keys` is None)."""
    from xuanpei.plans import services

    if not services.can_manage(actor, plan):
        raise PermissionDenied(_("您没有权限执行此操作"))
    known = {f["key"] for f in plan.year_flags}
    if keys is not None and not set(keys) <= known:
        raise ValidationError(_("该条待复核内容不存在或已处理"))
    plan.year_flags = [] if keys is None else [f for f in plan.year_flags if f["key"] not in keys]
    plan.save(update_fields=["year_flags", "updated_at"])
    return plan
