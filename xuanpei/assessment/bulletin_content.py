"""The bulletin's content: figures → sentences, and the score tables (issue #13 item 3).

`generate_texts` writes the draft's editable sections from the platform's figures
(publicity roll-ups, training statistics, the run's scores) with the quarter-on-quarter
change; `document` gathers everything the DOCX, the PDF and the HTML preview print —
the same structure for the three, so they cannot drift apart. Section text is plain
text (one paragraph a line); every renderer escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from xuanpei.assessment.models import AssessedKind, Bulletin, QuarterRun, UnitScore

SECTION_HEADINGS = ("一、总体情况", "二、各单位情况", "三、存在的问题", "四、下一步工作要求")
TABLE_HEADER = ("序号", "单位", "本季度得分", "上季度得分", "较上季度", "年度累计", "同类排名")


def _quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    from xuanpei.assessment.services_bulletins import quarter_last_day

    return date(year, quarter * 3 - 2, 1), quarter_last_day(year, quarter)


def _previous(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def _dec(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return Decimal(0)


def fmt(value) -> str:
    """A score as printed: 2 decimals, or the integer."""
    d = _dec(value).quantize(Decimal("0.01"))
    return f"{d:f}"


# --------------------------------------------------------------------------- figures


def activity_figures(actor, year: int, quarter: int) -> dict:
    """Accepted publicity activities held in the quarter and their reach."""
    from xuanpei.publicity.coverage import accepted
    from xuanpei.publicity.models_ledger import Activity

    start, end = _quarter_bounds(year, quarter)
    got = (
        accepted(Activity.objects.for_user(actor, "view"))
        .filter(held_on__gte=start, held_on__lte=end)
        .aggregate(n=Count("*"), reach=Coalesce(Sum("participants"), 0))
    )
    return {"activities": got["n"], "reach": got["reach"]}


def training_figures(actor, year: int, quarter: int) -> dict:
    """Held or archived training sessions in the quarter, and the people-times."""
    from xuanpei.training.stats import year_sessions

    start, end = _quarter_bounds(year, quarter)
    sessions = year_sessions(actor, year).filter(
        starts_at__date__gte=start, starts_at__date__lte=end
    )
    got = sessions.aggregate(n=Count("pk", distinct=True), people=Count("attendances"))
    return {"sessions": got["n"], "attendances": got["people"]}


def change_text(now: int, before: int, unit: str) -> str:
    """较上季度增加M场（+x%） / 减少 / 持平; a zero base has no percentage."""
    diff = now - before
    if diff == 0:
        return "与上季度持平"
    word = "增加" if diff > 0 else "减少"
    if before:
        pct = Decimal(diff * 100) / Decimal(before)
        return f"较上季度{word}{abs(diff)}{unit}（{pct:+.1f}%）"
    return f"较上季度{word}{abs(diff)}{unit}（上季度为0）"


def overview_text(*, year: int, quarter: int, run, actor, ended: bool) -> str:
    from xuanpei.assessment.services_bulletins import QUARTER_CN

    py, pq = _previous(year, quarter)
    act, act0 = activity_figures(actor, year, quarter), activity_figures(actor, py, pq)
    tr, tr0 = training_figures(actor, year, quarter), training_figures(actor, py, pq)
    lines = []
    if not ended:
        lines.append(
            f"（本季度未结束，以下数据截至{date.today().month}月{date.today().day}日，仅供参考。）"
        )
    lines.append(
        f"{year}年第{QUARTER_CN[quarter]}季度，全区共开展宣传活动{act['activities']}场，"
        f"{change_text(act['activities'], act0['activities'], '场')}；"
        f"参与群众{act['reach']}人次，{change_text(act['reach'], act0['reach'], '人次')}。"
        f"组织安全培训{tr['sessions']}期，{change_text(tr['sessions'], tr0['sessions'], '期')}；"
        f"培训{tr['attendances']}人次，"
        f"{change_text(tr['attendances'], tr0['attendances'], '人次')}。"
    )
    scores = list(run.scores.all()) if run is not None else []
    if scores:
        avg = sum((_dec(s.total) for s in scores), Decimal(0)) / len(scores)
        with_prev = [s for s in scores if s.previous_total is not None]
        sentence = f"参加季度考核的单位共{len(scores)}个，平均得分{fmt(avg)}分"
        if with_prev:
            avg0 = sum((_dec(s.previous_total) for s in with_prev), Decimal(0)) / len(with_prev)
            diff = avg - avg0
            if diff:
                word = "提高" if diff > 0 else "下降"
                sentence += f"，较上季度{word}{fmt(abs(diff))}分"
            else:
                sentence += "，与上季度持平"
        lines.append(sentence + "。")
    else:
        lines.append("本季度考核得分尚未计算。")
    return "\n".join(lines)


def units_text(run) -> str:
    """Per unit type: the ranking in one sentence (the table and the chart follow)."""
    if run is None:
        return ""
    lines = []
    for _kind, label, rows in score_groups(run):
        best = "、".join(f"{s.unit.name}（{fmt(s.total)}分）" for s in rows[:3])
        if len(rows) == 1:
            lines.append(f"{label}共1个单位参加考核：{best}。")
            continue
        lines.append(f"{label}共{len(rows)}个单位参加考核，排名前列的是{best}。")
        if len(rows) > 3:
            last = rows[-1]
            lines.append(f"{label}中得分最低的是{last.unit.name}（{fmt(last.total)}分）。")
    return "\n".join(lines)


# Beyond this many units an indicator's line names them without details (the table and
# the platform's drill-down hold them): the bulletin stays readable for 40 units.
DETAILS_UP_TO = 6
NO_ENTRY = "无录入"  # a manual indicator the district has not entered: not the unit's fault


def problems_text(run) -> str:
    """The units that lost points, named per indicator: a scored indicator below its
    weight (未达标), a deduction (督查扣分) below zero; bonuses are no problem."""
    if run is None:
        return ""
    total = run.scores.count()
    short: dict[str, list[tuple[str, str]]] = {}
    deducted: dict[str, list[tuple[str, str]]] = {}
    for s in run.scores.select_related("unit").order_by("assessed_kind", "rank", "pk"):
        for item in s.items or []:
            kind = item.get("kind") or "scored"
            weight, score = _dec(item.get("weight")), _dec(item.get("score"))
            detail = str(item.get("detail") or "").strip()
            if kind == "scored" and weight > 0 and score < weight and detail != NO_ENTRY:
                target = short
            elif kind == "deduction" and score < 0:
                target = deducted
            else:
                continue
            target.setdefault(str(item.get("name") or item.get("code")), []).append(
                (s.unit.name, detail)
            )
    if not (short or deducted):
        return "本季度各单位各项指标均得满分，未发现扣分情况。"
    cn = "一二三四五六七八九十"
    entries = [(f"{n}未达标", units) for n, units in short.items()]
    entries += list(deducted.items())
    lines = []
    for i, (label, units) in enumerate(entries):
        n = cn[i] if i < len(cn) else str(i + 1)
        if len(units) == total > DETAILS_UP_TO:
            lines.append(f"（{n}）{label}：参加考核的{total}个单位均未得满分。")
            continue
        if len(units) <= DETAILS_UP_TO:
            names = "；".join(f"{u}（{d}）" if d else u for u, d in units)
        else:
            names = "、".join(u for u, _d in units)
        lines.append(f"（{n}）{label}（{len(units)}个单位）：{names}。")
    return "\n".join(lines)


def generate_texts(*, year: int, quarter: int, run, actor, ended: bool) -> dict:
    return {
        "overview": overview_text(year=year, quarter=quarter, run=run, actor=actor, ended=ended),
        "units_text": units_text(run),
        "problems": problems_text(run),
    }


# --------------------------------------------------------------------------- tables


def score_groups(run: QuarterRun) -> list[tuple[str, str, list[UnitScore]]]:
    """(kind, label, scores ranked) per unit type present in the run."""
    scores = list(run.scores.select_related("unit").order_by("assessed_kind", "rank", "pk"))
    groups = []
    for kind, label in AssessedKind.choices:
        rows = [s for s in scores if s.assessed_kind == kind]
        if rows:
            groups.append((kind, str(label), rows))
    return groups


def table_rows(scores: list[UnitScore]) -> list[tuple[str, ...]]:
    rows = []
    for i, s in enumerate(scores, 1):
        prev = "—" if s.previous_total is None else fmt(s.previous_total)
        delta = (
            "—" if s.previous_total is None else f"{_dec(s.total) - _dec(s.previous_total):+.2f}"
        )
        rows.append((str(i), s.unit.name, fmt(s.total), prev, delta, fmt(s.ytd_total), str(s.rank)))
    return rows


@dataclass
class Table:
    caption: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    chart_label: str = ""
    chart: bytes = b""  # PNG


@dataclass
class Document:
    bulletin: Bulletin
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    attachment_title: str = ""
    ended: bool = True

    @property
    def org_mark(self) -> str:
        """发文机关标志: the signer + 文件."""
        return f"{self.bulletin.signer}文件"

    @property
    def org_mark_pt(self) -> int:
        """Its size: at most 36 pt, small enough to fit the 版心's 156 mm on one line."""
        return max(16, min(36, int(156 / 25.4 * 72 / max(1, len(self.org_mark)))))

    @property
    def doc_code(self) -> str:
        return self.bulletin.doc_code

    @property
    def date_text(self) -> str:
        from xuanpei.assessment.services_bulletins import cn_date

        return cn_date(self.bulletin.signed_on) if self.bulletin.signed_on else ""


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def document(bulletin: Bulletin, *, charts: bool = True) -> Document:
    from xuanpei.assessment.services_bulletins import QUARTER_CN, quarter_ended

    doc = Document(bulletin=bulletin, ended=quarter_ended(bulletin.year, bulletin.quarter))
    texts = (bulletin.overview, bulletin.units_text, bulletin.problems, bulletin.next_steps)
    doc.sections = [(h, paragraphs(t)) for h, t in zip(SECTION_HEADINGS, texts, strict=True)]
    doc.attachment_title = (
        f"{bulletin.year}年第{QUARTER_CN[bulletin.quarter]}季度宣传教育培训工作考核得分表"
    )
    if bulletin.run_id is not None:
        from xuanpei.assessment import bulletin_charts

        for _kind, label, rows in score_groups(bulletin.run):
            table = Table(f"{label}考核得分及排名", TABLE_HEADER, table_rows(rows))
            if charts:
                table.chart_label = f"{label}本季度得分"
                table.chart = bulletin_charts.bar_chart(
                    table.chart_label, [s.unit.name for s in rows], [_dec(s.total) for s in rows]
                )
            doc.tables.append(table)
    return doc
