"""Certificate use cases: versions, history, refusals in Chinese, audit log."""

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from xuanpei.workforce import services
from xuanpei.workforce.choices import (
    CertificateKindCode,
    CertificateOrigin,
    CertificateState,
    CertificateStatus,
)
from xuanpei.workforce.factories import CertificateFactory, PersonFactory, operation_item
from xuanpei.workforce.models import Certificate, CertificateKind


@pytest.fixture
def card(district):
    """A 特种作业操作证 issued 2020-01-10 to a person of ent_a1."""
    return CertificateFactory(
        enterprise=district.ent_a1, special=True, issue_date=date(2020, 1, 10)
    )


def test_a_new_card_gets_its_number_and_dates_from_the_rules(card):
    assert card.number == "T" + card.holder.id_number
    assert (card.valid_until, card.review_due_date) == (date(2026, 1, 10), date(2023, 1, 10))
    assert card.effective_from == card.issue_date and card.is_current


def test_issuing_a_certificate_normalises_and_validates(district):
    holder = PersonFactory()
    cert = services.issue_certificate(
        actor=district.district,
        holder=holder,
        kind=CertificateKind.objects.get(pk=CertificateKindCode.SPECIAL_OPERATION),
        enterprise=district.ent_a1,
        number=" t" + holder.id_number.lower(),
        issue_date=date(2024, 1, 1),
        operation_item=operation_item("1.1"),
    )
    assert cert.number == "T" + holder.id_number
    assert cert.first_issue_date == date(2024, 1, 1)
    with pytest.raises(ValidationError) as exc:
        services.issue_certificate(
            actor=district.district,
            holder=holder,
            kind=CertificateKind.objects.get(pk=CertificateKindCode.SPECIAL_OPERATION),
            enterprise=district.ent_a1,
            number="X1",
            issue_date=date(2024, 1, 1),
        )
    assert exc.value.message_dict["operation_item"] == ["特种作业操作证须填写操作项目"]


def test_a_review_adds_a_version_and_keeps_the_history(card, district):
    new = services.record_review(card, actor=district.district, review_date=date(2022, 12, 1))
    card.refresh_from_db()
    assert (card.is_current, card.superseded_on) == (False, date(2022, 12, 1))
    assert new.is_current and new.previous == card and new.origin == CertificateOrigin.REVIEWED
    assert (new.number, new.issue_date, new.valid_until) == (
        card.number,
        card.issue_date,
        card.valid_until,
    )
    assert (new.last_review_date, new.review_due_date) == (date(2022, 12, 1), None)
    assert new.versions() == [new, card]
    assert new.status_on(date(2023, 6, 1)) == CertificateStatus.VALID
    assert Certificate.objects.current().filter(number=card.number).get() == new


def test_a_review_with_the_extended_interval_records_the_consent(district):
    # First issued 2010-03-01: ten years in the trade long before the 2022-12-01 review.
    card = CertificateFactory(
        enterprise=district.ent_a1,
        special=True,
        issue_date=date(2020, 1, 10),
        first_issue_date=date(2010, 3, 1),
    )
    new = services.record_review(
        card,
        actor=district.district,
        review_date=date(2022, 12, 1),
        interval_years=6,
        consent_by="测试市应急管理局",
        consent_ref="测应急复〔2022〕12号",
    )
    new.refresh_from_db()
    assert new.review_interval_years == 6 and new.review_due_date is None
    assert (new.extension_consent_by, new.extension_consent_ref) == (
        "测试市应急管理局",
        "测应急复〔2022〕12号",
    )


def test_the_extended_interval_is_refused_under_ten_years_in_the_trade(card, district):
    # card: first issued 2020-01-10, so under 3 years in the trade on 2022-12-01.
    with pytest.raises(ValidationError, match="连续从事本工种10年以上") as exc:
        services.record_review(
            card,
            actor=district.district,
            review_date=date(2022, 12, 1),
            interval_years=6,
            consent_by="测试市应急管理局",
            consent_ref="测应急复〔2022〕12号",
        )
    assert "2030-01-10起满10年" in exc.value.message_dict["interval_years"][0]
    assert Certificate.objects.get() == card


def test_the_extended_interval_is_refused_without_the_issuers_consent(district):
    card = CertificateFactory(
        enterprise=district.ent_a1,
        special=True,
        issue_date=date(2020, 1, 10),
        first_issue_date=date(2010, 3, 1),
    )
    with pytest.raises(ValidationError, match="须经发证机关同意"):
        services.record_review(
            card, actor=district.district, review_date=date(2022, 12, 1), interval_years=6
        )
    assert Certificate.objects.count() == 1


def test_a_review_on_the_sixtieth_day_before_the_due_date_is_accepted(card, district):
    # Due 2023-01-10; 60 days before, counted by hand, is 2022-11-11 (民法典 第1259条).
    new = services.record_review(card, actor=district.district, review_date=date(2022, 11, 11))
    assert new.review_due_date is None and new.last_review_date == date(2022, 11, 11)


def test_a_review_before_the_window_opens_is_refused(card, district):
    with pytest.raises(ValidationError, match="2022-11-11起"):
        services.record_review(card, actor=district.district, review_date=date(2022, 11, 10))
    with pytest.raises(ValidationError, match="该日期过早"):
        services.record_review(card, actor=district.district, review_date=date(2022, 6, 1))
    card.refresh_from_db()
    assert card.is_current and Certificate.objects.count() == 1


def test_an_interval_the_rules_do_not_know_is_refused(card, district):
    with pytest.raises(ValidationError, match="复审周期只能是3或6年"):
        services.record_review(
            card, actor=district.district, review_date=date(2022, 12, 1), interval_years=4
        )


def test_a_review_after_the_due_date_is_refused_because_the_card_is_void(card, district):
    with pytest.raises(ValidationError, match="未按期复审的证书失效"):
        services.record_review(card, actor=district.district, review_date=date(2023, 1, 11))
    card.refresh_from_db()
    assert card.is_current and Certificate.objects.count() == 1


def test_a_certificate_without_reviews_cannot_be_reviewed(district):
    cert = CertificateFactory(enterprise=district.ent_a1)
    with pytest.raises(ValidationError, match="无需复审"):
        services.record_review(cert, actor=district.district, review_date=date(2024, 6, 1))


def test_an_old_version_cannot_be_reviewed_again(card, district):
    services.record_review(card, actor=district.district, review_date=date(2022, 12, 1))
    with pytest.raises(ValidationError, match="已有更新的版本"):
        services.record_review(card, actor=district.district, review_date=date(2022, 12, 2))


def test_a_renewal_issues_a_new_card_as_the_next_version(card, district):
    new = services.renew_certificate(card, actor=district.district, issue_date=date(2025, 12, 20))
    assert new.origin == CertificateOrigin.RENEWED and new.previous == card
    assert (new.valid_until, new.review_due_date) == (date(2031, 12, 20), date(2028, 12, 20))
    assert new.first_issue_date == date(2020, 1, 10)
    card.refresh_from_db()
    assert card.superseded_on == date(2025, 12, 20)


def test_a_renewal_may_change_the_number(district):
    cert = CertificateFactory(enterprise=district.ent_a1, number="AQ-OLD")
    new = services.renew_certificate(
        cert, actor=district.district, issue_date=date(2026, 12, 1), number="aq-new"
    )
    assert new.number == "AQ-NEW"
    assert new.valid_until == date(2029, 12, 1)


def test_revoking_needs_a_reason_and_keeps_the_version(card, district):
    with pytest.raises(ValidationError, match="请填写原因"):
        services.revoke_certificate(card, actor=district.district, reason=" ")
    revoked = services.revoke_certificate(
        card, actor=district.district, reason="以欺骗手段取得", on=date(2021, 3, 1)
    )
    assert revoked.pk == card.pk and revoked.state == CertificateState.REVOKED
    assert revoked.status_on(date(2021, 3, 1)) == CertificateStatus.REVOKED
    with pytest.raises(ValidationError, match="已撤销"):
        services.record_review(revoked, actor=district.district, review_date=date(2022, 12, 1))


def test_a_revoked_card_may_then_be_cancelled_but_not_twice(card, district):
    services.revoke_certificate(card, actor=district.district, reason="事故责任")
    cancelled = services.cancel_certificate(card, actor=district.district, reason="撤销后注销")
    assert cancelled.state == CertificateState.CANCELLED
    with pytest.raises(ValidationError, match="已注销"):
        services.cancel_certificate(card, actor=district.district, reason="重复")


def test_two_current_certificates_cannot_share_a_number(card, district):
    other = CertificateFactory.build(
        holder=PersonFactory(), enterprise=district.ent_a1, number=card.number
    )
    with pytest.raises(ValidationError) as exc:
        other.validate_constraints()
    assert exc.value.messages == ["该证书编号已登记"]
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_every_change_is_audit_logged_with_its_actor(card, district):
    new = services.record_review(card, actor=district.district, review_date=date(2022, 12, 1))
    entries = LogEntry.objects.get_for_objects(Certificate.objects.filter(pk__in=[card.pk, new.pk]))
    assert entries.count() >= 3  # card created, card closed, new version created
    assert {e.actor for e in entries.filter(object_pk__in=[str(new.pk)])} == {district.district}
