"""Use cases on certificates. Each is atomic, keeps history and is audit-logged.

A review or a renewal never edits a version: it closes the current one
(`is_current=False`, `superseded_on`) and adds a successor pointing back at it,
so the history stays (issue #3 §2). Revocation and cancellation are the only
manual state changes and happen here, never in views.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.workforce import rules
from xuanpei.workforce.choices import CertificateOrigin, CertificateState
from xuanpei.workforce.models import Certificate

# Fields a new version copies from its predecessor unless the use case changes them.
_CARRIED = (
    "holder_id",
    "kind_id",
    "operation_item_id",
    "enterprise_id",
    "number",
    "issuing_authority",
    "first_issue_date",
    "issue_date",
    "valid_until",
    "review_interval_years",
    "last_review_date",
    "extension_consent_by",
    "extension_consent_ref",
)


def _locked_current(cert: Certificate) -> Certificate:
    """Re-read the version under a row lock and refuse a stale or inactive one."""
    locked = Certificate.objects.select_for_update().select_related("kind").get(pk=cert.pk)
    if not locked.is_current:
        raise ValidationError(_("证书%(n)s已有更新的版本，请刷新后重试") % {"n": locked.number})
    return locked


def _require_active(cert: Certificate) -> None:
    if cert.state != CertificateState.ACTIVE:
        raise ValidationError(
            _("证书%(n)s%(state)s，不能办理")
            % {"n": cert.number, "state": cert.get_state_display()}
        )


def _supersede(old: Certificate, *, on: date, actor, **changes) -> Certificate:
    """Close `old` on day `on` and save its successor with `changes` applied."""
    if on < old.effective_from:
        raise ValidationError(
            _("办理日期不能早于当前版本的生效日期%(d)s") % {"d": old.effective_from}
        )
    new = Certificate(**{f: getattr(old, f) for f in _CARRIED})
    for field, value in changes.items():
        setattr(new, field, value)
    new.previous = old
    new.created_by = actor
    new.review_due_date = None  # recomputed by fill_derived from the new facts
    old.is_current, old.superseded_on = False, on
    old.save(update_fields=["is_current", "superseded_on", "updated_at"])
    new.full_clean(exclude=["previous"])
    new.save()
    return new


@transaction.atomic
def issue_certificate(
    *,
    actor,
    holder,
    kind,
    enterprise,
    number: str,
    issue_date: date,
    valid_until: date | None = None,
    first_issue_date: date | None = None,
    operation_item=None,
    issuing_authority: str = "",
    review_interval_years: int | None = None,
    last_review_date: date | None = None,
    review_due_date: date | None = None,
) -> Certificate:
    """Register a certificate (its first version here). Derived dates follow `rules.py`."""
    cert = Certificate(
        holder=holder,
        kind=kind,
        enterprise=enterprise,
        number=number.strip().upper(),
        issue_date=issue_date,
        valid_until=valid_until,
        first_issue_date=first_issue_date or issue_date,
        operation_item=operation_item,
        issuing_authority=issuing_authority,
        review_interval_years=review_interval_years,
        last_review_date=last_review_date,
        review_due_date=review_due_date,
        created_by=actor,
    )
    cert.fill_derived()
    with acting_as(actor):
        cert.full_clean()
        cert.save()
    return cert


@transaction.atomic
def record_review(
    cert: Certificate,
    *,
    actor,
    review_date: date,
    interval_years: int | None = None,
    consent_by: str = "",
    consent_ref: str = "",
) -> Certificate:
    """复审: a new version reviewed on `review_date`; the next review follows the schedule.

    `interval_years` is the kind's interval (3 for 特种作业) or its extended one (6,
    30号令 Art. 21): granted only with ≥10 years from the first issue date and the
    issuer's consent (`consent_by`, `consent_ref`, recorded on the version). A
    review before the window opens (due − 60 days, Art. 22) is refused: it would
    not be that period's review; one after the due date too: the card is already
    void (Art. 26).
    """
    with acting_as(actor):
        old = _locked_current(cert)
        _require_active(old)
        kind = rules.KindRules.of(old.kind)
        allowed = kind.allowed_review_intervals()
        if not allowed:
            raise ValidationError(_("%(kind)s无需复审") % {"kind": old.kind})
        interval = interval_years or kind.review_interval_years
        if interval not in allowed:
            raise ValidationError(
                _("复审周期只能是%(allowed)s年") % {"allowed": "或".join(str(i) for i in allowed)}
            )
        if review_date > old.valid_until:
            raise ValidationError(_("证书已过有效期，应办理延期复审（换证）"))
        if old.review_due_date is not None and review_date > old.review_due_date:
            raise ValidationError(
                _("已超过应复审日期%(d)s，未按期复审的证书失效，不能补办复审")
                % {"d": old.review_due_date}
            )
        if old.review_due_date is not None and review_date < kind.window_opens(old.review_due_date):
            raise ValidationError(
                _("复审应在应复审日期%(d)s前%(n)s日内办理（%(from)s起），该日期过早")
                % {
                    "d": old.review_due_date,
                    "n": kind.review_window_days,
                    "from": kind.window_opens(old.review_due_date),
                }
            )
        consent = {}
        if interval != kind.review_interval_years:
            reason = rules.extension_refusal(
                kind,
                first_issue_date=old.first_issue_date or old.issue_date,
                review_date=review_date,
                consent_by=consent_by,
                consent_ref=consent_ref,
            )
            if reason:
                raise ValidationError({"interval_years": reason})
            consent = {
                "extension_consent_by": consent_by.strip(),
                "extension_consent_ref": consent_ref.strip(),
            }
        return _supersede(
            old,
            on=review_date,
            actor=actor,
            origin=CertificateOrigin.REVIEWED,
            effective_from=review_date,
            last_review_date=review_date,
            review_interval_years=interval if interval != kind.review_interval_years else None,
            **consent,
        )


@transaction.atomic
def renew_certificate(
    cert: Certificate,
    *,
    actor,
    issue_date: date,
    valid_until: date | None = None,
    number: str | None = None,
    issuing_authority: str | None = None,
) -> Certificate:
    """换证 / 延期复审: a new card (new issue and expiry dates) as the next version.

    The review schedule restarts from the new issue date at the kind's interval.
    """
    with acting_as(actor):
        old = _locked_current(cert)
        _require_active(old)
        changes = {
            "origin": CertificateOrigin.RENEWED,
            "issue_date": issue_date,
            "valid_until": valid_until or rules.default_valid_until(old.kind, issue_date),
            "effective_from": issue_date,
            "last_review_date": None,
            "review_interval_years": None,
            "extension_consent_by": "",
            "extension_consent_ref": "",
        }
        if number:
            changes["number"] = number.strip().upper()
        if issuing_authority is not None:
            changes["issuing_authority"] = issuing_authority
        return _supersede(old, on=issue_date, actor=actor, **changes)


def _set_state(cert: Certificate, *, actor, state: str, reason: str, on: date | None):
    if not reason or not reason.strip():
        raise ValidationError(_("请填写原因"))
    with acting_as(actor):
        locked = _locked_current(cert)
        if state == CertificateState.REVOKED:
            _require_active(locked)
        elif locked.state == CertificateState.CANCELLED:
            raise ValidationError(_("证书%(n)s已注销") % {"n": locked.number})
        locked.state = state
        locked.state_changed_on = on or date.today()
        locked.state_reason = reason.strip()
        locked.save(update_fields=["state", "state_changed_on", "state_reason", "updated_at"])
    return locked


@transaction.atomic
def revoke_certificate(cert: Certificate, *, actor, reason: str, on: date | None = None):
    """撤销 (30号令 Art. 30), effective from `on` (default today)."""
    return _set_state(cert, actor=actor, state=CertificateState.REVOKED, reason=reason, on=on)


@transaction.atomic
def cancel_certificate(cert: Certificate, *, actor, reason: str, on: date | None = None):
    """注销 (Art. 31: death, own request, or after revocation), effective from `on`."""
    return _set_state(cert, actor=actor, state=CertificateState.CANCELLED, reason=reason, on=on)
