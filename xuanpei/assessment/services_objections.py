"""Objections to a published score (issue #13 §2): a unit raises one, the district answers.

Keyword-only and atomic; a refusal is a ValidationError with a Chinese message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.assessment.models import Objection, QuarterRun, UnitScore
from xuanpei.core.permissions import is_district_admin

NOT_PUBLISHED = "考核结果尚未发布，不能提出异议"


@transaction.atomic
def raise_objection(*, score: UnitScore, text: str, actor, indicator_code: str = "") -> Objection:
    """Record an objection to `score`; refused while its run is not published."""
    run = QuarterRun.objects.select_for_update().get(pk=score.run_id)
    if run.status != QuarterRun.Status.PUBLISHED:
        raise ValidationError(_(NOT_PUBLISHED))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写异议内容")})
    codes = {item.get("code") for item in score.items or []}
    if indicator_code and indicator_code not in codes:
        raise ValidationError({"indicator_code": _("该得分中没有这项指标")})
    return Objection.objects.create(
        score=score, text=text, indicator_code=indicator_code, raised_by=actor, created_by=actor
    )


@transaction.atomic
def answer_objection(*, objection: Objection, answer: str, actor) -> Objection:
    """The district's answer; the objection becomes 已答复 (an answer may be revised)."""
    if not is_district_admin(actor):
        raise PermissionDenied(_("只有区安委办答复考核异议"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容")})
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    objection.answer = answer
    objection.status = Objection.Status.ANSWERED
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "status", "answered_by", "answered_at", "updated_at"])
    return objection
