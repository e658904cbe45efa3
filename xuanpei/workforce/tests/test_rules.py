"""The certificate rules, case by case from the regulations (domain.md §1–2), and properties.

Pure tests: `KindRules` values equal the seeded `CertificateKind` rows (checked in
test_catalogue.py), so these cases test the rules the application runs with.
"""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.workforce.choices import COVERING_STATUSES, CertificateState
from xuanpei.workforce.choices import CertificateStatus as S
from xuanpei.workforce.rules import (
    CertificateFacts,
    KindRules,
    PostFacts,
    add_years,
    certificate_status,
    compliance_rate,
    default_valid_until,
    expected_number,
    extension_refusal,
    next_review_due,
    number_matches_holder,
    post_is_compliant,
    post_on_duty,
    review_points,
)

SPECIAL = KindRules(
    code="special_operation",
    validity_years=6,
    post_types=frozenset({"special_operation"}),
    review_interval_years=3,
    extended_review_interval_years=6,
    review_window_days=60,
    expiring_window_days=90,
    number_rule="T+ID",
    requires_operation_item=True,
)
SAFETY = KindRules(
    code="safety_competence",
    validity_years=3,
    post_types=frozenset({"principal", "safety_manager"}),
    review_window_days=60,
    expiring_window_days=90,
)
ITEM_LOW_VOLTAGE, ITEM_WELDING = 12, 21
ISSUED = date(2020, 1, 10)


def cert(
    kind=SPECIAL,
    issue_date=ISSUED,
    *,
    reviewed=None,
    interval=None,
    effective_from=None,
    item=ITEM_LOW_VOLTAGE,
    **kwargs,
) -> CertificateFacts:
    """A version as the services store it: derived dates computed by the rules."""
    valid_until = kwargs.pop("valid_until", None) or default_valid_until(kind, issue_date)
    due = next_review_due(
        kind,
        issue_date=issue_date,
        valid_until=valid_until,
        interval_years=interval,
        last_review_date=reviewed,
    )
    return CertificateFacts(
        kind=kind,
        issue_date=issue_date,
        valid_until=valid_until,
        effective_from=effective_from or reviewed or issue_date,
        review_due_date=due,
        operation_item_id=item,
        **kwargs,
    )


def status(c, y, m, d):
    return certificate_status(c, date(y, m, d))


# 特种作业操作证: 6 years, review every 3, window 60 days ------------------------------


def test_a_special_operations_card_is_valid_six_years_to_the_day():
    assert cert().valid_until == date(2026, 1, 10)


def test_its_first_review_falls_due_three_years_after_issue():
    assert cert().review_due_date == date(2023, 1, 10)


# Due 2023-01-10. "期满前60日内" includes the 60th day (民法典 第1259条: 以内
# includes the number): counted back by hand, 10 days of January + 31 of December
# + 19 of November = 60, so the window opens on 2022-11-11 and 2022-11-10 is
# outside it (issue #9 item 16).
WINDOW_OPENS = date(2022, 11, 11)
DAY_BEFORE_WINDOW = date(2022, 11, 10)


def test_it_is_valid_until_the_review_window_opens():
    assert status(cert(), 2020, 1, 10) == S.VALID
    assert certificate_status(cert(), DAY_BEFORE_WINDOW) == S.VALID


def test_the_review_window_opens_on_the_sixtieth_day_before_the_due_date():
    assert certificate_status(cert(), WINDOW_OPENS) == S.REVIEW_DUE
    assert SPECIAL.window_opens(date(2023, 1, 10)) == WINDOW_OPENS


def test_the_due_date_itself_is_still_inside_the_window():
    assert status(cert(), 2023, 1, 10) == S.REVIEW_DUE


def test_a_missed_review_voids_the_card_the_next_day_and_for_good():
    assert status(cert(), 2023, 1, 11) == S.REVIEW_OVERDUE
    assert status(cert(), 2025, 12, 31) == S.REVIEW_OVERDUE
    assert status(cert(), 2026, 1, 11) == S.EXPIRED


def test_a_review_inside_the_window_carries_the_card_to_its_expiry():
    reviewed = cert(reviewed=date(2022, 12, 1))
    assert reviewed.review_due_date is None  # the next point, 2026-01-10, is the expiry
    assert status(reviewed, 2023, 1, 11) == S.VALID
    assert status(reviewed, 2025, 10, 12) == S.VALID


def test_near_expiry_the_card_is_expiring_then_expired():
    reviewed = cert(reviewed=date(2022, 12, 1))
    assert status(reviewed, 2025, 10, 13) == S.EXPIRING  # 90 days before 2026-01-10
    assert status(reviewed, 2026, 1, 10) == S.EXPIRING
    assert status(reviewed, 2026, 1, 11) == S.EXPIRED


def test_with_the_ten_year_extension_no_review_is_due_at_three_years():
    extended = cert(interval=6)
    assert extended.review_due_date is None
    assert status(extended, 2023, 1, 11) == S.VALID
    assert status(extended, 2026, 1, 11) == S.EXPIRED


def test_an_extension_granted_at_the_first_review_also_ends_reviews():
    assert (
        next_review_due(
            SPECIAL,
            issue_date=ISSUED,
            valid_until=date(2026, 1, 10),
            interval_years=6,
            last_review_date=date(2022, 12, 1),
        )
        is None
    )


def test_a_review_on_the_sixtieth_day_before_the_due_date_counts():
    assert cert(reviewed=WINDOW_OPENS).review_due_date is None


def test_a_review_the_day_before_the_window_opens_does_not_count():
    assert cert(reviewed=DAY_BEFORE_WINDOW).review_due_date == date(2023, 1, 10)


def test_a_review_months_before_the_window_is_not_that_periods_review():
    early = cert(reviewed=date(2022, 6, 1))
    assert early.review_due_date == date(2023, 1, 10)
    assert status(early, 2023, 1, 11) == S.REVIEW_OVERDUE


# The 6-year interval (30号令 Art. 21): ≥10 years in the trade and the issuer's consent.


def test_the_extension_needs_ten_years_from_the_first_issue_date():
    # First issued 2012-12-01: ten years are complete on 2022-12-01, not a day before.
    ok = extension_refusal(
        SPECIAL,
        first_issue_date=date(2012, 12, 1),
        review_date=date(2022, 12, 1),
        consent_by="测试市应急管理局",
        consent_ref="测应急复〔2022〕12号",
    )
    assert ok is None
    short = extension_refusal(
        SPECIAL,
        first_issue_date=date(2012, 12, 2),
        review_date=date(2022, 12, 1),
        consent_by="测试市应急管理局",
        consent_ref="测应急复〔2022〕12号",
    )
    assert "不满10年" in short and "2012-12-02" in short


def test_the_extension_needs_the_issuers_consent_on_record():
    reason = extension_refusal(
        SPECIAL, first_issue_date=date(2008, 5, 1), review_date=date(2022, 12, 1)
    )
    assert reason == "延长复审周期须经发证机关同意：请填写同意机关和同意文号"
    assert extension_refusal(
        SPECIAL,
        first_issue_date=date(2008, 5, 1),
        review_date=date(2022, 12, 1),
        consent_by="测试市应急管理局",
    )


def test_a_kind_without_an_extended_interval_cannot_be_extended():
    assert extension_refusal(
        SAFETY, first_issue_date=date(2000, 1, 1), review_date=date(2024, 1, 1)
    )


def test_longer_cards_have_one_review_point_per_interval():
    kind = KindRules(code="x", validity_years=10, post_types=frozenset(), review_interval_years=3)
    kwargs = {"issue_date": ISSUED, "valid_until": date(2030, 1, 10)}
    assert review_points(kind, **kwargs) == [
        date(2023, 1, 10),
        date(2026, 1, 10),
        date(2029, 1, 10),
    ]
    assert next_review_due(kind, **kwargs) == date(2023, 1, 10)
    assert next_review_due(kind, **kwargs, last_review_date=date(2023, 1, 1)) == date(2026, 1, 10)
    assert next_review_due(kind, **kwargs, last_review_date=date(2025, 12, 1)) == date(2029, 1, 10)
    assert next_review_due(kind, **kwargs, last_review_date=date(2028, 12, 1)) is None


def test_a_card_issued_on_29_february_counts_to_28_february():
    leap = cert(issue_date=date(2020, 2, 29))
    assert leap.review_due_date == date(2023, 2, 28)
    assert leap.valid_until == date(2026, 2, 28)
    assert add_years(date(2020, 2, 29), 4) == date(2024, 2, 29)


# 安全生产知识和管理能力考核合格证: 3 years, no review ------------------------------


def test_a_safety_competence_certificate_is_valid_three_years_without_review():
    c = cert(SAFETY, date(2024, 3, 1), item=None)
    assert c.valid_until == date(2027, 3, 1)
    assert c.review_due_date is None
    assert status(c, 2025, 3, 1) == S.VALID


def test_it_is_expiring_in_its_last_ninety_days():
    c = cert(SAFETY, date(2024, 3, 1), item=None)
    assert status(c, 2026, 12, 1) == S.VALID
    assert status(c, 2026, 12, 2) == S.EXPIRING
    assert status(c, 2027, 3, 1) == S.EXPIRING
    assert status(c, 2027, 3, 2) == S.EXPIRED


# Manual states and versions ---------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [(CertificateState.REVOKED, S.REVOKED), (CertificateState.CANCELLED, S.CANCELLED)],
)
def test_revocation_and_cancellation_win_from_their_day(state, expected):
    c = cert(state=state, state_changed_on=date(2021, 5, 1))
    assert status(c, 2021, 4, 30) == S.VALID
    assert status(c, 2021, 5, 1) == expected
    assert status(c, 2023, 1, 11) == expected  # over review overdue
    assert status(c, 2030, 1, 1) == expected  # over expired


def test_a_manual_state_without_a_date_applies_always():
    assert status(cert(state=CertificateState.REVOKED), 2020, 1, 10) == S.REVOKED


def test_a_version_counts_from_its_effective_day_until_its_successor_took_over():
    old = cert(superseded_on=date(2022, 12, 1))
    new = cert(reviewed=date(2022, 12, 1))
    assert status(old, 2022, 11, 30) == S.REVIEW_DUE
    assert status(old, 2022, 12, 1) == S.SUPERSEDED
    assert status(new, 2022, 11, 30) == S.NOT_YET_VALID
    assert status(new, 2022, 12, 1) == S.VALID


def test_a_certificate_is_not_valid_before_it_was_issued():
    assert status(cert(), 2020, 1, 9) == S.NOT_YET_VALID


# Numbers ----------------------------------------------------------------------------


def test_a_special_operations_number_is_t_plus_the_id_number():
    assert expected_number(SPECIAL, "11010519491231002X") == "T11010519491231002X"
    assert expected_number(SAFETY, "11010519491231002X") is None


def test_a_number_matches_its_holder_only_when_the_convention_holds():
    assert number_matches_holder(SPECIAL, "t11010519491231002x", "11010519491231002X")
    assert not number_matches_holder(SPECIAL, "T440524188001010014", "11010519491231002X")
    assert number_matches_holder(SAFETY, "AQ-2024-001", "11010519491231002X")


# Posts ------------------------------------------------------------------------------

ELECTRICIAN = PostFacts("special_operation", True, ITEM_LOW_VOLTAGE, date(2019, 1, 1))
MANAGER = PostFacts("safety_manager", True)
WORKER = PostFacts("other", False)
ON = date(2024, 6, 1)


def test_a_post_is_compliant_with_a_valid_card_for_its_operation_item():
    assert post_is_compliant(ELECTRICIAN, [cert(issue_date=date(2023, 1, 1))], ON)


def test_a_card_for_another_operation_item_does_not_cover_the_post():
    assert not post_is_compliant(
        ELECTRICIAN, [cert(issue_date=date(2023, 1, 1), item=ITEM_WELDING)], ON
    )


def test_a_special_operations_post_without_an_item_is_never_covered():
    post = PostFacts("special_operation", True, None)
    assert not post_is_compliant(post, [cert(issue_date=date(2023, 1, 1), item=None)], ON)


def test_a_card_inside_its_review_window_or_expiring_still_covers():
    assert post_is_compliant(ELECTRICIAN, [cert()], date(2022, 12, 1))  # review due
    reviewed = cert(reviewed=date(2022, 12, 1))
    assert post_is_compliant(ELECTRICIAN, [reviewed], date(2025, 12, 1))  # expiring


def test_an_overdue_expired_or_revoked_card_does_not_cover():
    assert not post_is_compliant(ELECTRICIAN, [cert()], date(2023, 1, 11))
    assert not post_is_compliant(ELECTRICIAN, [cert(interval=6)], date(2026, 1, 11))
    revoked = cert(interval=6, state=CertificateState.REVOKED, state_changed_on=date(2021, 1, 1))
    assert not post_is_compliant(ELECTRICIAN, [revoked], ON)


def test_the_safety_certificate_covers_managers_but_not_special_operations():
    safety = cert(SAFETY, date(2023, 1, 1), item=None)
    assert post_is_compliant(MANAGER, [safety], ON)
    assert post_is_compliant(PostFacts("principal", True), [safety], ON)
    assert not post_is_compliant(ELECTRICIAN, [safety], ON)


def test_one_covering_certificate_among_several_suffices():
    assert post_is_compliant(ELECTRICIAN, [cert(), cert(issue_date=date(2024, 1, 1))], ON)
    assert not post_is_compliant(MANAGER, [], ON)


def test_a_post_that_needs_no_certificate_is_compliant():
    assert post_is_compliant(WORKER, [], ON)


def test_on_duty_includes_the_first_and_the_last_day():
    post = PostFacts("other", False, None, date(2024, 1, 1), date(2024, 6, 30))
    assert not post_on_duty(post, date(2023, 12, 31))
    assert post_on_duty(post, date(2024, 1, 1))
    assert post_on_duty(post, date(2024, 6, 30))
    assert not post_on_duty(post, date(2024, 7, 1))
    assert post_on_duty(PostFacts("other", False), date(1990, 1, 1))


def test_the_rate_is_a_percentage_and_undefined_without_certified_posts():
    assert compliance_rate(3, 4) == 75.0
    assert compliance_rate(0, 0) is None


# Properties -------------------------------------------------------------------------

days = st.dates(min_value=date(2010, 1, 1), max_value=date(2040, 12, 31))
kinds = st.sampled_from([SPECIAL, SAFETY])


@st.composite
def certificates(draw):
    kind = draw(kinds)
    issue = draw(st.dates(min_value=date(2012, 1, 1), max_value=date(2030, 12, 31)))
    interval = draw(st.sampled_from([None, 6])) if kind is SPECIAL else None
    reviewed = draw(st.none() | st.just(issue + timedelta(days=draw(st.integers(0, 2000)))))
    if reviewed and reviewed > default_valid_until(kind, issue):
        reviewed = None
    state = draw(st.sampled_from(list(CertificateState)))
    changed = draw(st.none() | days) if state != CertificateState.ACTIVE else None
    return cert(
        kind,
        issue,
        reviewed=reviewed,
        interval=interval,
        state=state,
        state_changed_on=changed,
    )


@given(certificates(), days)
def test_no_certificate_covers_a_day_after_its_valid_until(c, on):
    if on > c.valid_until:
        assert certificate_status(c, on) not in COVERING_STATUSES


@given(certificates(), days, days)
def test_once_void_expired_revoked_or_cancelled_a_card_never_covers_again(c, d1, d2):
    d1, d2 = min(d1, d2), max(d1, d2)
    final = {S.EXPIRED, S.REVIEW_OVERDUE, S.REVOKED, S.CANCELLED}
    if certificate_status(c, d1) in final:
        assert certificate_status(c, d2) not in COVERING_STATUSES


@given(certificates(), days, days)
def test_once_expired_a_card_stays_expired_unless_revoked_or_cancelled(c, d1, d2):
    d1, d2 = min(d1, d2), max(d1, d2)
    if certificate_status(c, d1) == S.EXPIRED:
        assert certificate_status(c, d2) in {S.EXPIRED, S.REVOKED, S.CANCELLED}


@given(certificates(), days)
def test_covering_is_exactly_the_stored_date_predicate_the_sql_uses(c, on):
    """Mirror of querysets.covering_certificate_q, evaluated in Python."""
    sql_like = (
        (c.effective_from <= on <= c.valid_until)
        and (c.superseded_on is None or c.superseded_on > on)
        and (c.review_due_date is None or c.review_due_date >= on)
        and (
            c.state == CertificateState.ACTIVE
            or (c.state_changed_on is not None and c.state_changed_on > on)
        )
    )
    assert (certificate_status(c, on) in COVERING_STATUSES) == sql_like


@given(certificates(), days)
def test_a_certificate_is_never_review_due_without_a_review_interval(c, on):
    if c.kind is SAFETY:
        assert certificate_status(c, on) not in {S.REVIEW_DUE, S.REVIEW_OVERDUE}
