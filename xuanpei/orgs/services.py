"""Use cases for enterprises: create, update, close (style.md §12).

Pages, the API, imports and commands all go through these functions. Each one
is atomic, validates the row as a whole, re-checks the actor's scope inside the
transaction (so a write that would leave the actor's scope is rolled back), and
records who acted in the audit log (django-auditlog is registered on Enterprise).
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core.concurrency import transition
from xuanpei.core.validators import normalize_code
from xuanpei.core.views import ScopeViolation, ensure_in_scope
from xuanpei.orgs.models import Enterprise, Unit

# Fields a caller may set through create_enterprise / update_enterprise.
ENTERPRISE_FIELDS = (
    "name",
    "uscc",
    "unit",
    "sector",
    "scale",
    "risk_level",
    "address",
    "legal_representative",
    "safety_contact",
    "safety_phone",
)


def _audited(actor):
    """Name `actor` on the audit entries written inside (None: a system write, e.g. the demo)."""
    return acting_as(actor) if actor is not None else contextlib.nullcontext()


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise TypeError(f"unknown enterprise fields: {', '.join(sorted(unknown))}")
    if "uscc" in fields:
        # Codes arrive typed by hand or pasted from Excel (full-width, lower case).
        fields["uscc"] = normalize_code(fields["uscc"])


def _save(enterprise: Enterprise, *, update_fields=None) -> None:
    enterprise.full_clean(validate_unique=False)
    # The USCC is the only unique field; say so in the bureau's words, not Django's.
    duplicate = Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk)
    if duplicate.exists():
        raise ValidationError({"uscc": _("该统一社会信用代码已登记")})
    try:
        # A savepoint, so that a lost race on the USCC leaves the caller's
        # transaction usable for reporting the error.
        with transaction.atomic():
            enterprise.save(update_fields=update_fields)
    except IntegrityError as exc:
        # Another request registered the same USCC between the check and the save.
        raise ValidationError({"uscc": _("该统一社会信用代码已登记")}) from exc


def _check_scope(enterprise: Enterprise, actor, action: str) -> None:
    if actor is not None:
        ensure_in_scope(enterprise, actor, action)


def create_enterprise(*, actor, departments: Iterable[Unit] = (), **fields) -> Enterprise:
    """Register a new enterprise; raises ValidationError or ScopeViolation, writing nothing."""
    _check_fields(fields)
    with transaction.atomic(), _audited(actor):
        enterprise = Enterprise(**fields)
        if actor is not None and getattr(actor, "pk", None):
            enterprise.created_by = actor
        _save(enterprise)
        departments = list(departments)
        if departments:
            enterprise.departments.set(departments)
        _check_scope(enterprise, actor, "add")
    return enterprise


def update_enterprise(
    enterprise: Enterprise, *, actor, departments: Iterable[Unit] | None = None, **fields
) -> Enterprise:
    """Change the given fields (None departments = leave them); saves only what changed."""
    _check_fields(fields)
    with transaction.atomic(), _audited(actor):
        changed = [name for name, value in fields.items() if getattr(enterprise, name) != value]
        for name in changed:
            setattr(enterprise, name, fields[name])
        if changed:
            _save(enterprise, update_fields=[*changed, "updated_at"])
        if departments is not None:
            wanted = {d.pk for d in departments}
            if wanted != set(enterprise.departments.values_list("pk", flat=True)):
                enterprise.departments.set(list(departments))
        _check_scope(enterprise, actor, "change")
    return enterprise


def close_enterprise(
    enterprise: Enterprise, *, actor, closed_at: datetime.date, reason: str
) -> Enterprise:
    """Mark an enterprise closed (停业/注销/迁出): it stays on record, out of active counts."""
    if not enterprise.is_active:
        raise ValidationError(_("该企业已关闭"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写关闭原因")})
    with transaction.atomic(), _audited(actor):
        transition(  # once, under a row lock (issue #9)
            enterprise,
            field="is_active",
            from_states=[True],
            changes={"is_active": False, "closed_at": closed_at, "closed_reason": reason},
            refused=_("该企业已关闭"),
        )
        _check_scope(enterprise, actor, "delete")
    return enterprise


__all__ = [
    "ENTERPRISE_FIELDS",
    "ScopeViolation",
    "close_enterprise",
    "create_enterprise",
    "update_enterprise",
]
