"""Manual entries of the assessment (issue #13 §1): 督查 deductions and bonuses, typical
cases adopted (bonus by level), manual indicators' values — entered, corrected and
removed by the district.

The rules, the same for a new entry and an edited one (`entry_errors`): a reason is
required; a deduction (a deduction indicator, or negative points) needs evidence too — a
file already stored on the entry counts, and an edit without a new file keeps it; points
may be left out for a typical case whose level gives them (`params["levels"]`);
deductions are stored negative. An entry of a quarter whose run is published (frozen)
is neither edited nor deleted, and none is moved into such a quarter: the frozen scores
would no longer match their records. (A new entry for a published quarter is still
recorded — the frozen run ignores it — as before.)
"""

from __future__ import annotations

import posixpath
import uuid
from decimal import Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xuanpei.assessment.formulas import assessed_kind
from xuanpei.assessment.models import Indicator, ManualEntry, QuarterRun
from xuanpei.core import uploads
from xuanpei.core.imports.changes import display
from xuanpei.core.permissions import is_district_admin
from xuanpei.orgs.models import Unit

DEDUCTION_NEEDS = gettext_lazy("扣分必须填写事由并上传佐证材料")
# The fields an edit may change, in the order the confirmation lists them.
EDITABLE = ("indicator", "unit", "year", "quarter", "points", "level", "reason", "evidence")


def entry_errors(
    *, indicator: Indicator, unit: Unit, year: int, quarter: int, points, reason, evidence, level
) -> dict[str, str]:
    """{field: Chinese reason} for a manual entry that cannot be saved (empty = fine)."""
    errors: dict[str, str] = {}
    if indicator.source != "manual":
        errors["indicator"] = _("指标“%(name)s”由平台数据计算，不能手工录入") % {
            "name": indicator.name
        }
    kind = assessed_kind(unit)
    if kind is None or kind not in (indicator.applies_to or []):
        errors["unit"] = _("指标“%(name)s”不适用于“%(unit)s”") % {
            "name": indicator.name,
            "unit": unit,
        }
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = _("季度应为 1–4")
    if year != indicator.indicator_set.year:
        errors["year"] = _("年度与指标体系的年度（%(year)s）不一致") % {
            "year": indicator.indicator_set.year
        }
    levels = (indicator.params or {}).get("levels") or {}
    if level and level not in ManualEntry.Level.values:
        errors["level"] = _("采用级别无效")
    if points is None and not (level and level in levels):
        errors["points"] = _("请填写分值")
    elif points is not None and Decimal(points) == 0:
        errors["points"] = _("分值不能为 0")
    is_deduction = indicator.kind == Indicator.Kind.DEDUCTION or (
        points is not None and Decimal(points) < 0
    )
    if is_deduction and (not (reason or "").strip() or not evidence):
        errors["evidence" if (reason or "").strip() else "reason"] = DEDUCTION_NEEDS
    elif not (reason or "").strip():
        errors["reason"] = _("请填写事由")
    return errors


def published_quarters() -> set[tuple[int, int]]:
    """(year, quarter) of the district's published (frozen) runs: one query for a list."""
    root = Unit.objects.get_first_root_node()
    runs = QuarterRun.objects.filter(unit=root, status=QuarterRun.Status.PUBLISHED)
    return set(runs.values_list("year", "quarter"))


def quarter_published(year: int, quarter: int) -> bool:
    """Is the district's run of the quarter published (its scores frozen)?"""
    return (year, quarter) in published_quarters()


def _check_open(year: int, quarter: int) -> None:
    if quarter_published(year, quarter):
        raise ValidationError(
            _("%(year)s年第%(quarter)s季度考核已发布，不能再修改该季度的录入")
            % {"year": year, "quarter": quarter},
            code="published",
        )


def _check_actor(actor) -> None:
    if actor is not None and not is_district_admin(actor):
        raise PermissionDenied(_("只有区级管理员可以录入考核分"))


def _points(indicator: Indicator, points, level: str) -> Decimal:
    if points is None:
        points = Decimal(str(indicator.params["levels"][level]))
    points = Decimal(points)
    return -abs(points) if indicator.kind == Indicator.Kind.DEDUCTION else points


@transaction.atomic
def save_manual_entry(
    *,
    indicator: Indicator,
    unit: Unit,
    year: int,
    quarter: int,
    points=None,
    reason: str = "",
    evidence=None,
    level: str = "",
    actor,
) -> ManualEntry:
    """Record a manual entry (the rules: the module docstring)."""
    _check_actor(actor)
    errors = entry_errors(
        indicator=indicator,
        unit=unit,
        year=year,
        quarter=quarter,
        points=points,
        reason=reason,
        evidence=evidence,
        level=level,
    )
    if errors:
        raise ValidationError(errors)
    entry = ManualEntry(
        indicator=indicator,
        unit=unit,
        year=year,
        quarter=quarter,
        points=_points(indicator, points, level),
        reason=reason.strip(),
        level=level or "",
        created_by=actor,
    )
    if evidence:
        entry.evidence = evidence
    entry.save()
    return entry


def _merged(entry: ManualEntry, fields: dict) -> dict:
    """The entry's values with `fields` over them; a blank evidence keeps the stored file."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    values = {name: getattr(entry, name) for name in EDITABLE}
    values.update({k: v for k, v in fields.items() if k != "evidence"})
    values["reason"] = (values["reason"] or "").strip()
    values["level"] = values["level"] or ""
    if fields.get("evidence"):
        values["evidence"] = fields["evidence"]
    return values


def _check_update(entry: ManualEntry, values: dict) -> None:
    errors = entry_errors(**values)
    if errors:
        raise ValidationError(errors)
    _check_open(entry.year, entry.quarter)
    if (values["year"], values["quarter"]) != (entry.year, entry.quarter):
        _check_open(values["year"], values["quarter"])


def entry_changes(entry: ManualEntry, **fields) -> list[tuple[str, str, str]]:
    """(field label, old, new) for each field the edit would change, as a person reads
    them — what the confirmation page lists. Raises the ValidationError the save would."""
    values = _merged(entry, fields)
    _check_update(entry, values)
    values["points"] = _points(values["indicator"], values["points"], values["level"])
    changes = []
    for name in EDITABLE:
        old, new = getattr(entry, name), values[name]
        model_field = ManualEntry._meta.get_field(name)
        if name == "evidence":
            if new is old or not new:
                continue
            old = posixpath.basename(old.name) if old else ""
            new = posixpath.basename(new.name)
        elif old == new:
            continue
        label = str(model_field.verbose_name)
        changes.append((label, display(old, model_field), display(new, model_field)))
    return changes


@transaction.atomic
def update_manual_entry(entry: ManualEntry, *, actor, **fields) -> ManualEntry:
    """Correct an entry (the same rules as a new one). Refused when its quarter, or the
    quarter it is moved to, is published. A new evidence file replaces the stored one
    (removed once the change is committed); a blank one keeps it."""
    _check_actor(actor)
    entry = ManualEntry.objects.select_for_update().get(pk=entry.pk)
    values = _merged(entry, fields)
    _check_update(entry, values)
    old_file = entry.evidence.name if entry.evidence else ""
    values["points"] = _points(values["indicator"], values["points"], values["level"])
    for name in EDITABLE:
        if name != "evidence":
            setattr(entry, name, values[name])
    if fields.get("evidence"):
        entry.evidence = fields["evidence"]
    entry.save()
    if old_file and entry.evidence.name != old_file:
        transaction.on_commit(lambda: uploads.delete_files([old_file]))
    return entry


@transaction.atomic
def delete_manual_entry(entry: ManualEntry, *, actor) -> None:
    """Remove an entry (and its evidence file once committed); refused when its quarter
    is published."""
    _check_actor(actor)
    entry = ManualEntry.objects.select_for_update().get(pk=entry.pk)
    _check_open(entry.year, entry.quarter)
    name = entry.evidence.name if entry.evidence else ""
    entry.delete()
    if name:
        transaction.on_commit(lambda: uploads.delete_files([name]))


# --- the confirmation step's evidence ---------------------------------------------------
# The edit page posts to a confirmation that lists old → new, then saves. A browser does
# not send a chosen file twice, so a new evidence file is kept under a generated name
# between the two steps, named by a signed token (this entry, this user, one hour).

PENDING_DIR = "assessment/evidence/pending"
PENDING_SALT = "assessment.entry-evidence"
PENDING_MAX_AGE = 3600  # seconds


def stash_evidence(upload, *, entry: ManualEntry, actor) -> str:
    """Keep a checked upload until the edit is confirmed; the signed token naming it."""
    ext = uploads.extension(upload.name)
    name = default_storage.save(f"{PENDING_DIR}/{uuid.uuid4().hex}.{ext}", upload)
    return signing.dumps(
        {"name": name, "orig": upload.name, "entry": entry.pk, "user": actor.pk},
        salt=PENDING_SALT,
    )


def stashed_evidence(token: str, *, entry: ManualEntry, actor) -> File:
    """The file `stash_evidence` kept, opened under its original name; a ValidationError
    (ask to choose it again) when the token is forged, expired or not this edit's."""
    gone = ValidationError(
        {"evidence": _("上传的佐证材料已失效，请重新选择文件")}, code="evidence_gone"
    )
    try:
        data = signing.loads(token, salt=PENDING_SALT, max_age=PENDING_MAX_AGE)
    except signing.BadSignature as exc:
        raise gone from exc
    if data.get("entry") != entry.pk or data.get("user") != actor.pk:
        raise gone
    name = data.get("name", "")
    if not name.startswith(PENDING_DIR + "/") or not default_storage.exists(name):
        raise gone
    return File(default_storage.open(name), name=posixpath.basename(data.get("orig") or name))


def drop_stashed(token: str) -> None:
    """Remove a kept file once the edit is saved (or abandoned with a new choice)."""
    try:
        name = signing.loads(token, salt=PENDING_SALT).get("name", "")
    except signing.BadSignature:
        return
    if name.startswith(PENDING_DIR + "/"):
        uploads.delete_files([name])
