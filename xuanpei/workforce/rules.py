"""The legal rules of certificates and posts, in one module (issue #3 §2).

Pure functions over plain values (`CertificateFacts`, `PostFacts`) and the
certificate-kind data (`KindRules`, read from the `CertificateKind` row), so
that the rules are tested case by case without a database. The SQL form of
"covering on a day" (`querysets.covering_certificate_q`) must agree with
`certificate_status(...) in COVERING_STATUSES`; a test compares the two.

Sources (domain.md §1–2):
- 特种作业操作证 (总局令第30号): valid 6 years (Art. 19); reviewed every 3 years
  (Art. 21), or every 6 years for holders with ≥10 years in the trade; apply
  within the 60 days before the due date (Art. 22); not reviewed on time →
  void (Art. 26); revoked (Art. 30) or cancelled (Art. 31) by the issuer.
- 安全生产知识和管理能力考核合格证 (总局令第44号 Art. 25): valid 3 years, apply
  for an extension ≥30 days before expiry.

Conventions, where the regulation leaves the day open:
- periods count in calendar years from the issue date, and the end day is
  included: issued 2020-01-10 → review due 2023-01-10, valid until 2026-01-10
  (a 29 February start ends on 28 February);
- "期满前60日内" includes the 60th day (民法典 第1259条: 以内 includes the
  number itself), so the window opens on the due date − 60 days: due
  2023-01-10 → review due from 2022-11-11 (issue #9 item 16);
- a review satisfies the latest review point whose window had opened by the
  review date; a review recorded before the first window opened satisfies
  none (it is not that period's review); the schedule stays anchored on the
  issue date;
- the extension to one review every 6 years (Art. 21) needs ≥10 years in the
  trade, counted from the first issue date (初领日期) to the review date, and
  the issuer's consent (`extension_refusal`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from xuanpei.workforce.choices import (
    COVERING_STATUSES,
    CertificateState,
    CertificateStatus,
    NumberRule,
)

# Kind data ---------------------------------------------------------------------


@dataclass(frozen=True)
class KindRules:
    """The rule numbers of one certificate kind (a `CertificateKind` row as plain values)."""

    code: str
    validity_years: int
    post_types: frozenset[str]
    review_interval_years: int | None = None
    extended_review_interval_years: int | None = None
    review_window_days: int = 60
    expiring_window_days: int = 90
    extension_min_years: int = 10
    number_rule: str = NumberRule.FREE
    requires_operation_item: bool = False

    @classmethod
    def of(cls, kind) -> KindRules:
        """From a `CertificateKind` (its post types are read once; prefetch them for lists)."""
        if isinstance(kind, KindRules):
            return kind
        cached = getattr(kind, "_rules_cache", None)
        if cached is None:
            cached = cls(
                code=kind.code,
                validity_years=kind.validity_years,
                post_types=frozenset(pt.code for pt in kind.post_types.all()),
                review_interval_years=kind.review_interval_years,
                extended_review_interval_years=kind.extended_review_interval_years,
                review_window_days=kind.review_window_days,
                expiring_window_days=kind.expiring_window_days,
                extension_min_years=kind.extension_min_years,
                number_rule=kind.number_rule,
                requires_operation_item=kind.requires_operation_item,
            )
            kind._rules_cache = cached
        return cached

    def window_opens(self, due: date) -> date:
        """The first day of the review window: due − N days, the Nth day included (§1259)."""
        return due - timedelta(days=self.review_window_days)

    def allowed_review_intervals(self) -> tuple[int, ...]:
        return tuple(
            i for i in (self.review_interval_years, self.extended_review_interval_years) if i
        )


@dataclass(frozen=True)
class CertificateFacts:
    """One certificate version as plain values (see `models.Certificate`)."""

    kind: KindRules
    issue_date: date
    valid_until: date
    effective_from: date | None = None  # None: the issue date
    review_due_date: date | None = None  # stored value; None: no review pending
    state: str = CertificateState.ACTIVE
    state_changed_on: date | None = None
    superseded_on: date | None = None
    operation_item_id: int | None = None

    @classmethod
    def of(cls, cert) -> CertificateFacts:
        return cls(
            kind=KindRules.of(cert.kind),
            issue_date=cert.issue_date,
            valid_until=cert.valid_until,
            effective_from=cert.effective_from,
            review_due_date=cert.review_due_date,
            state=cert.state,
            state_changed_on=cert.state_changed_on,
            superseded_on=cert.superseded_on,
            operation_item_id=cert.operation_item_id,
        )


@dataclass(frozen=True)
class PostFacts:
    """One post as plain values; `requires_certificate` comes from its `PostType` row."""

    post_type: str
    requires_certificate: bool
    operation_item_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None


# Dates -----------------------------------------------------------------------------


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls back to 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_valid_until(kind, issue_date: date) -> date:
    """有效期至 when the card does not say: issue date + the kind's validity."""
    return add_years(issue_date, KindRules.of(kind).validity_years)


def review_points(
    kind, *, issue_date: date, valid_until: date, interval_years: int | None = None
) -> list[date]:
    """The review due dates of a card, before its expiry (expiry itself is a renewal)."""
    interval = interval_years or KindRules.of(kind).review_interval_years
    if not interval:
        return []
    points, k = [], 1
    while (point := add_years(issue_date, k * interval)) < valid_until:
        points.append(point)
        k += 1
    return points


def next_review_due(
    kind,
    *,
    issue_date: date,
    valid_until: date,
    interval_years: int | None = None,
    last_review_date: date | None = None,
) -> date | None:
    """应复审日期: the next review point not yet satisfied, or None if none is due before expiry.

    `interval_years` overrides the kind's interval (6 under the 10-year extension).
    """
    rules = KindRules.of(kind)
    points = review_points(
        rules, issue_date=issue_date, valid_until=valid_until, interval_years=interval_years
    )
    if not points:
        return None
    if last_review_date is None:
        return points[0]
    opened = [i for i, p in enumerate(points) if last_review_date >= rules.window_opens(p)]
    if not opened:
        return points[0]  # reviewed before any window opened: not this period's review
    satisfied = opened[-1]
    return points[satisfied + 1] if satisfied + 1 < len(points) else None


# Status ----------------------------------------------------------------------------


def certificate_status(cert: CertificateFacts, on: date) -> CertificateStatus:
    """The status of one certificate version on day `on`.

    Manual states win from the day they were set; then the version's own life
    (not yet in force / replaced by a newer version); then expiry, a missed
    review (void), the review window and the expiring window.
    """
    kind = cert.kind
    if cert.state != CertificateState.ACTIVE and (
        cert.state_changed_on is None or on >= cert.state_changed_on
    ):
        return (
            CertificateStatus.REVOKED
            if cert.state == CertificateState.REVOKED
            else CertificateStatus.CANCELLED
        )
    if cert.superseded_on is not None and on >= cert.superseded_on:
        return CertificateStatus.SUPERSEDED
    if on < (cert.effective_from or cert.issue_date):
        return CertificateStatus.NOT_YET_VALID
    if on > cert.valid_until:
        return CertificateStatus.EXPIRED
    due = cert.review_due_date
    if due is not None:
        if on > due:
            return CertificateStatus.REVIEW_OVERDUE
        if on >= kind.window_opens(due):
            return CertificateStatus.REVIEW_DUE
    if on > cert.valid_until - timedelta(days=kind.expiring_window_days):
        return CertificateStatus.EXPIRING
    return CertificateStatus.VALID


def extension_refusal(
    kind,
    *,
    first_issue_date: date,
    review_date: date,
    consent_by: str = "",
    consent_ref: str = "",
) -> str | None:
    """Why the 6-year review interval may not be granted, or None when it may.

    30号令 Art. 21: ≥`extension_min_years` (10) years of continuous work in the
    trade — read from the first issue date of the card — and the consent of the
    original issuer (or the one where the holder works), recorded by whom and
    under which document number.
    """
    rules = KindRules.of(kind)
    if not rules.extended_review_interval_years:
        return str(_("该证书类型不能延长复审周期"))
    years = rules.extension_min_years
    reached = add_years(first_issue_date, years)
    if review_date < reached:
        return str(
            _(
                "延长复审周期须连续从事本工种%(n)s年以上：初领日期%(first)s，"
                "至复审日期%(review)s不满%(n)s年（%(reached)s起满%(n)s年）"
            )
            % {"n": years, "first": first_issue_date, "review": review_date, "reached": reached}
        )
    if not (consent_by or "").strip() or not (consent_ref or "").strip():
        return str(_("延长复审周期须经发证机关同意：请填写同意机关和同意文号"))
    return None


def covers_on(cert: CertificateFacts, on: date) -> bool:
    """Does the certificate let its holder work on day `on` (持证上岗)?"""
    return certificate_status(cert, on) in COVERING_STATUSES


# Numbers ---------------------------------------------------------------------------


def expected_number(kind, id_number: str) -> str | None:
    """The number the convention prescribes ("T" + 身份证号 for 特种作业操作证), or None."""
    if KindRules.of(kind).number_rule == NumberRule.T_PLUS_ID:
        return "T" + id_number
    return None


def number_matches_holder(kind, number: str, id_number: str) -> bool:
    """False only when the kind prescribes a number and this one differs (integrity check)."""
    expected = expected_number(kind, id_number)
    return expected is None or number.strip().upper() == expected


# Posts -----------------------------------------------------------------------------


def post_on_duty(post: PostFacts, on: date) -> bool:
    """On duty that day: started (or start unknown) and not yet left (end day included)."""
    return (post.start_date is None or post.start_date <= on) and (
        post.end_date is None or post.end_date >= on
    )


def certificate_fits_post(cert: CertificateFacts, post: PostFacts) -> bool:
    """The certificate's kind covers the post type (and, for 特种作业, the same 操作项目)."""
    if post.post_type not in cert.kind.post_types:
        return False
    if cert.kind.requires_operation_item:
        return cert.operation_item_id is not None and (
            cert.operation_item_id == post.operation_item_id
        )
    return True


def post_is_compliant(post: PostFacts, certificates: Iterable[CertificateFacts], on: date) -> bool:
    """A post needing no certificate is compliant; otherwise one of the holder's
    certificate versions must fit the post and cover day `on`."""
    if not post.requires_certificate:
        return True
    return any(certificate_fits_post(c, post) and covers_on(c, on) for c in certificates)


def compliance_rate(compliant: int, required: int) -> float | None:
    """持证率 in percent; None when no post requires a certificate (not 100%, not 0%)."""
    if not required:
        return None
    return round(100.0 * compliant / required, 2)
