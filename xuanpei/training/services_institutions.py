"""Training institutions and exam sites (issue #12 §8): inspections, rectifications with
a deadline and evidence, closed (销号) by the inspector; the sessions each delivered and
their pass rates.

The inspector is the institution's 监管单位 (`Institution.unit`): whoever may change the
institution (that unit, the units above it, the district) records inspections and
closes rectifications. Institutions have no accounts of their own, so the overseeing
unit also records the evidence the institution hands in; a rectification is closed only
once some evidence is on it, and only once (a row lock: two clicks close it once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core import uploads
from xuanpei.core.concurrency import lock
from xuanpei.core.views import ensure_in_scope
from xuanpei.training.models import (
    Enrolment,
    Inspection,
    Institution,
    Rectification,
    TrainingSession,
)


def may_inspect(user, institution: Institution) -> bool:
    """Inspections and 销号 belong to the institution's overseeing unit (and above)."""
    return Institution.objects.for_user(user, "change").filter(pk=institution.pk).exists()


def _refuse_unless_inspector(actor, institution: Institution) -> None:
    if actor is not None and not may_inspect(actor, institution):
        raise PermissionDenied(_("只有该机构的监管单位可以执行此操作"))


def record_inspection(
    institution: Institution,
    *,
    actor,
    inspected_on: date,
    findings: str,
    inspectors: str = "",
    perfunctory: bool = False,
    problems: str = "",
) -> Inspection:
    """Record an inspection of an institution; "走过场" needs the problems described."""
    _refuse_unless_inspector(actor, institution)
    if perfunctory and not (problems or "").strip():
        raise ValidationError({"problems": _("发现“走过场”问题时请写明存在的问题")})
    with transaction.atomic(), acting_as(actor):
        inspection = Inspection(
            institution=institution,
            inspected_on=inspected_on,
            inspectors=inspectors,
            findings=findings,
            perfunctory=perfunctory,
            problems=problems,
            created_by=actor,
        )
        inspection.full_clean()
        inspection.save()
    return inspection


def add_rectification(
    inspection: Inspection, *, actor, requirement: str, due_on: date
) -> Rectification:
    """Require a rectification by a deadline no earlier than the inspection."""
    _refuse_unless_inspector(actor, inspection.institution)
    if due_on < inspection.inspected_on:
        raise ValidationError({"due_on": _("整改期限不能早于检查日期")})
    with transaction.atomic(), acting_as(actor):
        item = Rectification(inspection=inspection, requirement=requirement, due_on=due_on)
        item.full_clean()
        item.save()
        if actor is not None:
            ensure_in_scope(item, actor, "add")
    return item


def submit_evidence(rectification: Rectification, *, actor, text: str, upload=None):
    """Record the rectification's evidence (text, and a checked file); open ones only."""
    text = (text or "").strip()
    if not text and upload is None:
        raise ValidationError({"evidence": _("请填写整改情况或上传佐证材料")})
    checked = uploads.check_file(upload, clean_photo=True) if upload is not None else None
    old_name = ""
    with uploads.atomic_with_files(), acting_as(actor):
        lock(rectification)
        if rectification.closed_at:
            raise ValidationError(_("该整改事项已销号，不能再提交佐证"))
        fields = ["evidence"]
        rectification.evidence = text or rectification.evidence
        if checked is not None:
            old_name = rectification.evidence_file.name
            content = checked.content if checked.content is not None else checked.upload.read()
            rectification.evidence_file.save(checked.name, ContentFile(content), save=False)
            uploads.remember_stored(rectification.evidence_file.name)
            fields.append("evidence_file")
        rectification.save(update_fields=fields)
        if actor is not None:
            ensure_in_scope(rectification, actor, "change")
        if old_name:
            transaction.on_commit(lambda: uploads.delete_files([old_name]))
    return rectification


def close_rectification(rectification: Rectification, *, actor, now=None) -> Rectification:
    """销号: by the inspector's unit, once, and only with evidence on it."""
    institution = rectification.inspection.institution
    _refuse_unless_inspector(actor, institution)
    with transaction.atomic(), acting_as(actor):
        lock(rectification)
        if rectification.closed_at:
            raise ValidationError(_("该整改事项已销号"))
        if not rectification.evidence.strip() and not rectification.evidence_file:
            raise ValidationError(_("尚未提交整改情况或佐证，不能销号"))
        rectification.closed_at = now or timezone.now()
        rectification.closed_by = actor
        rectification.save(update_fields=["closed_at", "closed_by"])
    return rectification


# --------------------------------------------------------------------------- pass rates


@dataclass
class PassRate:
    with_result: int
    passed: int

    @property
    def rate(self) -> float | None:
        """合格率 = passed / enrolments with an exam result; None without any result."""
        return self.passed / self.with_result if self.with_result else None


def delivered_sessions(institution: Institution, user):
    """The sessions the user may see that this institution delivered, with exam counts."""
    return (
        TrainingSession.objects.for_user(user, "view")
        .filter(institution=institution)
        .annotate(
            with_result=Count("roster", filter=Q(roster__passed__isnull=False)),
            passed_count=Count("roster", filter=Q(roster__passed=True)),
            enrolled=Count("roster"),
        )
        .order_by("-starts_at", "-pk")
    )


def pass_rate(institution: Institution, user) -> PassRate:
    """Over every delivered session the user may see (one aggregate query)."""
    sessions = TrainingSession.objects.for_user(user, "view").filter(institution=institution)
    totals = Enrolment.objects.filter(session__in=sessions.values("pk")).aggregate(
        with_result=Count("pk", filter=Q(passed__isnull=False)),
        passed=Count("pk", filter=Q(passed=True)),
    )
    return PassRate(totals["with_result"], totals["passed"])
