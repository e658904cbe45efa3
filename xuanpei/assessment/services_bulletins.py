"""Use cases of the quarterly bulletin (季度通报, issue #13 item 3).

`draft_bulletin` writes the district's draft from the quarter's run (computing the run
when there is none yet), `update_bulletin` saves the browser's edits, `issue_bulletin`
checks and assigns the 发文字号 (机关代字〔YYYY〕N号, GB/T 9704 — domain.md §5), writes
the DOCX and the PDF, names the recipients (the units of the score table) and drops
one message in each recipient's inbox. Who reads a bulletin is the scoping mechanism's
rule (`Bulletin.objects.for_user`): the district all, drafts included; a unit the issued
bulletins naming it (`SCOPE_ADDRESSED`).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.assessment.models import Bulletin, QuarterRun
from xuanpei.core.scoping import UserScope
from xuanpei.notifications.models import Notification, NotificationLevel
from xuanpei.notifications.services import raise_notifications
from xuanpei.orgs.models import Unit

QUARTER_CN = {1: "一", 2: "二", 3: "三", 4: "四"}
# GB/T 9704-2012 (domain.md §5): 机关代字〔full year〕number号, no 第, no leading zero.
DOC_CODE_RE = re.compile(r"^(\S+?)〔(\d{4})〕([1-9]\d*)号$")
NOTIFICATION_KIND = "assessment.bulletin"

DEFAULT_NEXT_STEPS = "\n".join(
    [
        "（一）压实工作责任。各单位要对照考核指标，逐项查找差距，明确责任人和完成时限，"
        "确保年度宣传教育培训任务按期完成。",
        "（二）补齐短板弱项。持证率未达100%的单位要组织相关人员参加培训取证；"
        "网格员季度培训未覆盖的单位要于下季度首月内完成补训。",
        "（三）规范台账管理。各单位要及时在平台录入宣传活动、培训签到等记录，"
        "做到数据真实、佐证齐全、可追溯。",
    ]
)


# --------------------------------------------------------------------------- settings


def district_root() -> Unit:
    return Unit.objects.get_first_root_node()


def doc_prefix_default(root: Unit) -> str:
    return getattr(settings, "BULLETIN_DOC_PREFIX", "") or f"{root.name.removesuffix('区')}安委办"


def signer_default(root: Unit) -> str:
    return getattr(settings, "BULLETIN_SIGNER", "") or f"{root.name}安全生产委员会办公室"


def addressees_default() -> str:
    return (
        getattr(settings, "BULLETIN_ADDRESSEES", "") or "各新城、镇街安委办，区安委会各成员单位："
    )


def bulletin_title(year: int, quarter: int) -> str:
    return f"关于{year}年第{QUARTER_CN[quarter]}季度全区应急管理宣传教育培训工作情况的通报"


def quarter_last_day(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, quarter * 3 + 1, 1) - timedelta(days=1)


def quarter_ended(year: int, quarter: int, today: date | None = None) -> bool:
    return (today or timezone.localdate()) > quarter_last_day(year, quarter)


def cn_date(day: date) -> str:
    """成文日期 in Arabic numerals without leading zeros: 2026年7月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


# --------------------------------------------------------------------------- access


def is_district(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and UserScope.of(user).everything)


def _require_district(user) -> None:
    if not is_district(user):
        raise PermissionDenied(_("只有区安委办可以编制和印发季度通报"))


# --------------------------------------------------------------------------- draft


def _run_for(year: int, quarter: int, actor, progress=None) -> QuarterRun | None:
    run = QuarterRun.objects.for_user(actor, "view").filter(year=year, quarter=quarter).first()
    if run is not None:
        return run
    try:
        from xuanpei.assessment.services_scoring import compute_run
    except ImportError:  # scoring not installed yet: a bulletin without a table
        return None
    return compute_run(year=year, quarter=quarter, actor=actor, progress=progress)


@transaction.atomic
def draft_bulletin(*, year: int, quarter: int, actor, progress=None) -> Bulletin:
    """The district's draft for the quarter: the existing draft, or a new one written
    from the figures (a quarter not ended yet is marked 未结束 in its text)."""
    from xuanpei.assessment import bulletin_content

    _require_district(actor)
    if quarter not in QUARTER_CN:
        raise ValidationError({"quarter": _("季度须为1至4")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("年度不正确")})
    existing = (
        Bulletin.objects.for_user(actor, "change")
        .filter(year=year, quarter=quarter, status=Bulletin.Status.DRAFT)
        .first()
    )
    if existing is not None:
        return existing
    root = district_root()
    run = _run_for(year, quarter, actor, progress)
    texts = bulletin_content.generate_texts(
        year=year, quarter=quarter, run=run, actor=actor, ended=quarter_ended(year, quarter)
    )
    return Bulletin.objects.create(
        unit=root,
        run=run,
        year=year,
        quarter=quarter,
        doc_prefix=doc_prefix_default(root),
        title=bulletin_title(year, quarter),
        addressees=addressees_default(),
        signer=signer_default(root),
        next_steps=DEFAULT_NEXT_STEPS,
        **texts,
    )


# --------------------------------------------------------------------------- 发文字号


def parse_doc_code(text: str) -> tuple[str, int, int]:
    """机关代字〔YYYY〕N号 → (prefix, year, number); a Chinese reason otherwise."""
    text = (text or "").strip()
    match = DOC_CODE_RE.match(text)
    if not match:
        if re.search(r"〔\d{4}〕0\d*号$", text):
            reason = _("序号须为正整数，不加“第”，不编虚位（如“1号”，不是“01号”或“0号”）")
        elif "〔" not in text or "〕" not in text:
            reason = _("年份须用六角括号〔〕括入，如“东安委办〔2026〕3号”")
        else:
            reason = _("格式应为“机关代字〔年份〕序号号”，如“东安委办〔2026〕3号”")
        raise ValidationError(
            {"doc_code": _("发文字号“%(c)s”不正确：%(r)s") % {"c": text, "r": reason}}
        )
    return match.group(1), int(match.group(2)), int(match.group(3))


def next_doc_number(prefix: str, year: int, unit: Unit) -> int:
    got = Bulletin.objects.filter(
        unit=unit, doc_prefix=prefix, doc_year=year, status=Bulletin.Status.ISSUED
    ).aggregate(n=Max("doc_number"))["n"]
    return (got or 0) + 1


def suggested_doc_code(bulletin: Bulletin, today: date | None = None) -> str:
    if bulletin.doc_code:
        return bulletin.doc_code
    year = (today or timezone.localdate()).year
    n = next_doc_number(bulletin.doc_prefix, year, bulletin.unit)
    return f"{bulletin.doc_prefix}〔{year}〕{n}号"


def _check_doc_code(bulletin: Bulletin, prefix: str, year: int, number: int, today: date):
    if year != today.year:
        raise ValidationError(
            {
                "doc_code": _("发文字号的年份须为印发年份%(y)s年，不是%(g)s年")
                % {"y": today.year, "g": year}
            }
        )
    clash = (
        Bulletin.objects.filter(
            unit=bulletin.unit,
            doc_prefix=prefix,
            doc_year=year,
            doc_number=number,
            status=Bulletin.Status.ISSUED,
        )
        .exclude(pk=bulletin.pk)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "doc_code": _("发文字号“%(c)s”已被《%(t)s》使用")
                % {"c": f"{prefix}〔{year}〕{number}号", "t": clash.title}
            }
        )


# --------------------------------------------------------------------------- edit


EDITABLE = ("title", "addressees", "overview", "units_text", "problems", "next_steps", "signer")


@transaction.atomic
def update_bulletin(bulletin: Bulletin, *, actor, doc_code: str = "", **fields) -> Bulletin:
    """Save the draft's edited text (and its 发文字号 when given)."""
    _require_district(actor)
    bulletin = Bulletin.objects.for_user(actor, "change").select_for_update().get(pk=bulletin.pk)
    if bulletin.status != Bulletin.Status.DRAFT:
        raise ValidationError(_("已印发的通报不能修改"))
    for name, value in fields.items():
        if name not in EDITABLE:
            raise ValueError(name)
        setattr(bulletin, name, value)
    if doc_code.strip():
        prefix, year, number = parse_doc_code(doc_code)
        bulletin.doc_prefix, bulletin.doc_year, bulletin.doc_number = prefix, year, number
    else:
        bulletin.doc_year = bulletin.doc_number = None
    bulletin.full_clean(exclude=["docx", "pdf", "recipients"])
    bulletin.save()
    return bulletin


# --------------------------------------------------------------------------- issue


def score_units(bulletin: Bulletin) -> list[int]:
    if bulletin.run_id is None:
        return []
    return list(bulletin.run.scores.values_list("unit_id", flat=True))


def safe_filename(bulletin: Bulletin, ext: str) -> str:
    name = re.sub(r"[\\/:*?\"<>|\s]+", "", bulletin.title)[:80] or "bulletin"
    return f"{name}.{ext}"


ISSUE_STEPS = 5  # checks, charts, DOCX, PDF, saving and notifying


def _check_issuable(bulletin: Bulletin, doc_code: str, today: date) -> tuple[str, int, int]:
    """The 发文字号 (prefix, year, number) to issue `bulletin` under, or a Chinese refusal."""
    if bulletin.status != Bulletin.Status.DRAFT:
        raise ValidationError(_("该通报已印发"))
    if not quarter_ended(bulletin.year, bulletin.quarter, today):
        raise ValidationError(
            _("%(y)s年第%(q)s季度未结束，通报只能作为草稿，不能印发")
            % {"y": bulletin.year, "q": QUARTER_CN[bulletin.quarter]}
        )
    if bulletin.run_id is None or not bulletin.run.scores.exists():
        raise ValidationError(_("该季度尚无考核得分，不能印发"))
    code = doc_code.strip() or suggested_doc_code(bulletin, today)
    prefix, year, number = parse_doc_code(code)
    _check_doc_code(bulletin, prefix, year, number, today)
    return prefix, year, number


def check_issuable(bulletin: Bulletin, *, actor, doc_code: str = "", today=None) -> None:
    """The checks of `issue_bulletin`, before a background job is started for it (the
    form shows a refusal at once; the job checks again under the lock)."""
    _require_district(actor)
    bulletin = Bulletin.objects.for_user(actor, "change").get(pk=bulletin.pk)
    _check_issuable(bulletin, doc_code, today or timezone.localdate())


def _text_of(bulletin: Bulletin) -> tuple:
    """What the files are written from: a draft edited meanwhile makes them stale."""
    return (bulletin.run_id, *(getattr(bulletin, name) for name in EDITABLE))


def issue_bulletin(
    bulletin: Bulletin, *, actor, doc_code: str = "", today: date | None = None, progress=None
) -> Bulletin:
    """印发: check the quarter ended and the 发文字号, write DOCX and PDF, name the
    recipients and notify each. Nothing is saved when any step fails.

    The files are rendered before the row is locked (the long part, with `progress`), then
    the checks run again under the lock and everything is saved in one transaction."""
    from xuanpei.assessment import bulletin_content, bulletin_docx, bulletin_pdf

    report = progress or (lambda done, total: None)
    _require_district(actor)
    today = today or timezone.localdate()
    staged = Bulletin.objects.for_user(actor, "change").select_related("run").get(pk=bulletin.pk)
    report(0, ISSUE_STEPS)
    prefix, year, number = _check_issuable(staged, doc_code, today)
    staged.doc_prefix, staged.doc_year, staged.doc_number = prefix, year, number
    staged.signed_on = staged.signed_on or today
    content = bulletin_content.document(staged)  # one set of charts for both files
    report(1, ISSUE_STEPS)
    docx = bulletin_docx.render(staged, content=content)
    report(2, ISSUE_STEPS)
    pdf = bulletin_pdf.render(staged, content=content)
    report(3, ISSUE_STEPS)
    with transaction.atomic():
        bulletin = (
            Bulletin.objects.for_user(actor, "change").select_for_update().get(pk=bulletin.pk)
        )
        if _check_issuable(bulletin, doc_code, today) != (prefix, year, number):
            raise ValidationError(_("发文字号在印发期间已被占用，请重新印发"))
        if _text_of(bulletin) != _text_of(staged):
            raise ValidationError(_("通报草稿在印发期间被修改，请核对后重新印发"))
        bulletin.doc_prefix, bulletin.doc_year, bulletin.doc_number = prefix, year, number
        bulletin.signed_on = staged.signed_on
        bulletin.status = Bulletin.Status.ISSUED
        bulletin.issued_at = timezone.now()
        bulletin.issued_by = actor
        bulletin.docx.save(safe_filename(bulletin, "docx"), ContentFile(docx), save=False)
        bulletin.pdf.save(safe_filename(bulletin, "pdf"), ContentFile(pdf), save=False)
        bulletin.save()
        units = score_units(bulletin)
        bulletin.recipients.set(units)
        url = reverse("assessment:bulletin_detail", args=[bulletin.pk])
        raise_notifications(
            Notification(
                unit_id=unit_id,
                kind=NOTIFICATION_KIND,
                key=f"assessment:bulletin:{bulletin.pk}:issued:{unit_id}",
                level=NotificationLevel.INFO,
                title=(_("季度通报已印发：%(t)s") % {"t": bulletin.title})[:200],
                body=bulletin.doc_code,
                url=url,
            )
            for unit_id in units
        )
    report(ISSUE_STEPS, ISSUE_STEPS)
    return bulletin


# --------------------------------------------------------------------------- jobs

DRAFT_JOB = "assessment_bulletin_draft"
ISSUE_JOB = "assessment_bulletin_issue"


def _job_result(bulletin: Bulletin, message: str, link: str) -> dict:
    return {
        "bulletin": bulletin.pk,
        "message": message,
        "url": reverse("assessment:bulletin_detail", args=[bulletin.pk]),
        "link": link,
        "forward": True,
    }


def run_draft_job(job, progress) -> dict:
    """Job handler: params {year, quarter}; scoring the quarter first when not scored."""
    from xuanpei.core.jobs import JobError

    try:
        bulletin = draft_bulletin(
            year=int(job.params["year"]),
            quarter=int(job.params["quarter"]),
            actor=job.user,
            progress=progress,
        )
    except ValidationError as exc:
        raise JobError("；".join(exc.messages)) from exc
    return _job_result(bulletin, _("已生成通报草稿，请核对后印发"), _("打开通报草稿"))


def run_issue_job(job, progress) -> dict:
    """Job handler: params {bulletin, doc_code}; a refusal is the job's message."""
    from xuanpei.core.jobs import JobError

    bulletin = Bulletin.objects.for_user(job.user, "change").filter(pk=job.params["bulletin"])
    if not bulletin.exists():
        raise JobError(_("通报不存在或已无权印发"))
    try:
        issued = issue_bulletin(
            bulletin.get(),
            actor=job.user,
            doc_code=job.params.get("doc_code", ""),
            progress=progress,
        )
    except ValidationError as exc:
        raise JobError("；".join(exc.messages)) from exc
    return _job_result(
        issued,
        _("通报已印发（%(c)s），已通知被通报单位") % {"c": issued.doc_code},
        _("查看已印发的通报"),
    )
