"""Integrity checks (打击假冒证件): each finding, idempotence, the review queue, the command."""

import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse

from xuanpei.core.validators import mask_id_number
from xuanpei.workforce import integrity, services
from xuanpei.workforce.choices import IntegrityKind, IntegrityStatus
from xuanpei.workforce.factories import (
    CertificateFactory,
    PersonFactory,
    PostFactory,
    make_id_number,
)
from xuanpei.workforce.models import IntegrityFlag

ON = date(2025, 6, 1)


def flags(kind):
    return IntegrityFlag.objects.filter(kind=kind)


@pytest.fixture
def duplicate(district):
    """ "DUP1" was 李四's number until his card was renewed; now 张三 holds a card numbered DUP1."""
    li = PersonFactory(name="李四")
    old = CertificateFactory(holder=li, enterprise=district.ent_b1, number="DUP1")
    services.renew_certificate(
        old, actor=district.district, issue_date=date(2025, 1, 10), number="NEW2"
    )
    zhang = PersonFactory(name="张三")
    CertificateFactory(holder=zhang, enterprise=district.ent_a1, number="DUP1")
    return li, zhang


def test_one_number_held_by_two_people_flags_both(duplicate):
    li, zhang = duplicate
    counts = integrity.run_checks(on=ON)
    assert counts["duplicate_number"] == {"found": 2, "created": 2}
    got = {(f.key, f.person_id) for f in flags(IntegrityKind.DUPLICATE_NUMBER)}
    assert got == {("DUP1", li.pk), ("DUP1", zhang.pk)}
    zhang_flag = flags(IntegrityKind.DUPLICATE_NUMBER).get(person=zhang)
    assert zhang_flag.details["others"] == [{"id": li.pk, "name": "李四"}]
    assert zhang_flag.certificate.is_current


def test_a_renewal_keeping_the_number_is_not_a_duplicate(district):
    cert = CertificateFactory(enterprise=district.ent_a1)
    services.renew_certificate(cert, actor=district.district, issue_date=date(2025, 1, 10))
    assert integrity.run_checks(on=ON)["duplicate_number"]["found"] == 0


def test_running_the_checks_twice_raises_nothing_twice(duplicate, district):
    integrity.run_checks(on=ON)
    before = IntegrityFlag.objects.count()
    counts = integrity.run_checks(on=ON)
    assert IntegrityFlag.objects.count() == before
    assert all(c["created"] == 0 for c in counts.values())
    assert counts["duplicate_number"]["found"] == 2


def test_a_dismissed_flag_stays_dismissed_when_the_checks_run_again(duplicate, district):
    integrity.run_checks(on=ON)
    flag = flags(IntegrityKind.DUPLICATE_NUMBER).first()
    integrity.dismiss_flag(flag, actor=district.district, reason="同名证件，已核实")
    integrity.run_checks(on=ON)
    flag.refresh_from_db()
    assert flag.status == IntegrityStatus.DISMISSED


def test_a_person_on_duty_at_two_enterprises_is_flagged_not_refused(district):
    person = PersonFactory(name="兼职者")
    PostFactory(person=person, enterprise=district.ent_a1)
    PostFactory(person=person, enterprise=district.ent_b1)
    other = PersonFactory()
    PostFactory(person=other, enterprise=district.ent_a1)
    PostFactory(person=other, enterprise=district.ent_b1, end_date=date(2024, 12, 31))
    counts = integrity.run_checks(on=ON)
    assert counts["multiple_employers"] == {"found": 1, "created": 1}
    flag = flags(IntegrityKind.MULTIPLE_EMPLOYERS).get()
    ids = sorted([district.ent_a1.pk, district.ent_b1.pk])
    assert flag.person == person and flag.key == f"{ids[0]},{ids[1]}"
    assert [e["id"] for e in flag.details["enterprises"]] == ids
    assert person.posts.count() == 2  # nothing refused or changed


def test_two_posts_at_one_enterprise_are_not_two_employers(district):
    person = PersonFactory()
    PostFactory(person=person, enterprise=district.ent_a1)
    PostFactory(person=person, enterprise=district.ent_a1, special=True)
    assert integrity.run_checks(on=ON)["multiple_employers"]["found"] == 0


def test_a_special_operation_number_not_matching_the_id_is_flagged(district):
    holder = PersonFactory()
    bad = CertificateFactory(holder=holder, enterprise=district.ent_a1, special=True, number="T123")
    ok_holder = PersonFactory()
    CertificateFactory(holder=ok_holder, enterprise=district.ent_a1, special=True)
    free = CertificateFactory(enterprise=district.ent_a1, number="AQ-ANY")  # kind without a rule
    counts = integrity.run_checks(on=ON)
    assert counts["number_mismatch"] == {"found": 1, "created": 1}
    flag = flags(IntegrityKind.NUMBER_MISMATCH).get()
    assert (flag.person, flag.certificate, flag.key) == (holder, bad, "T123")
    assert not flags(IntegrityKind.NUMBER_MISMATCH).filter(person=free.holder).exists()


def test_the_number_rule_forgives_case_and_spaces(district):
    holder = PersonFactory(id_number=make_id_number(4242, born=date(1980, 1, 1)))
    CertificateFactory(
        holder=holder,
        enterprise=district.ent_a1,
        special=True,
        number=" t" + holder.id_number.lower(),
    )
    assert integrity.run_checks(on=ON)["number_mismatch"]["found"] == 0


@pytest.mark.parametrize(
    ("issued", "flagged"),
    [(date(2018, 3, 4), True), (date(2018, 3, 5), False), (date(2017, 12, 31), True)],
)
def test_a_card_issued_before_the_18th_birthday_is_flagged(district, issued, flagged):
    holder = PersonFactory(id_number=make_id_number(777, born=date(2000, 3, 5)))
    CertificateFactory(holder=holder, enterprise=district.ent_a1, issue_date=issued)
    found = integrity.run_checks(on=ON)["issued_under_18"]["found"]
    assert found == (1 if flagged else 0)


def test_a_first_issue_before_the_18th_birthday_is_flagged_after_a_renewal(district):
    holder = PersonFactory(id_number=make_id_number(778, born=date(2000, 3, 5)))
    cert = CertificateFactory(
        holder=holder,
        enterprise=district.ent_a1,
        issue_date=date(2021, 1, 1),
        first_issue_date=date(2017, 1, 1),
    )
    services.renew_certificate(cert, actor=district.district, issue_date=date(2024, 1, 1))
    integrity.run_checks(on=ON)
    flag = flags(IntegrityKind.ISSUED_UNDER_18).get()
    assert flag.certificate.is_current  # one flag per number, on the newest version
    assert flag.details["first_issue_date"] == "2017-01-01"


def test_a_first_issue_after_the_valid_until_date_is_flagged(district):
    CertificateFactory(
        enterprise=district.ent_a1,
        issue_date=date(2020, 1, 1),
        first_issue_date=date(2024, 1, 1),
        valid_until=date(2023, 1, 1),
    )
    CertificateFactory(enterprise=district.ent_a1, issue_date=date(2020, 1, 1))
    counts = integrity.run_checks(on=ON)
    assert counts["issued_after_expiry"] == {"found": 1, "created": 1}


def test_checks_can_be_limited_to_some_enterprises(district):
    for ent in (district.ent_a1, district.ent_b1):
        CertificateFactory(
            holder=PersonFactory(), enterprise=ent, special=True, number=f"T{ent.pk}X"
        )
    counts = integrity.run_checks(on=ON, enterprise_ids=[district.ent_b1.pk])
    assert counts["number_mismatch"]["found"] == 1
    assert flags(IntegrityKind.NUMBER_MISMATCH).get().enterprise == district.ent_b1


def test_the_checks_use_a_bounded_number_of_queries(district, django_assert_max_num_queries):
    for i in range(20):
        person = PersonFactory()
        PostFactory(person=person, enterprise=district.ent_a1)
        PostFactory(person=person, enterprise=district.ent_b1)
        CertificateFactory(holder=person, enterprise=district.ent_a1, special=True, number=f"T-{i}")
    with django_assert_max_num_queries(25):
        counts = integrity.run_checks(on=ON)
    assert counts["multiple_employers"]["found"] == 20
    assert counts["number_mismatch"]["found"] == 20


# Decisions --------------------------------------------------------------------------------


@pytest.fixture
def flag(duplicate):
    integrity.run_checks(on=ON)
    return flags(IntegrityKind.DUPLICATE_NUMBER).first()


def test_a_district_admin_resolves_a_flag_with_a_reason(flag, district):
    done = integrity.resolve_flag(flag, actor=district.district, reason="证书已撤销")
    flag.refresh_from_db()
    assert flag.status == IntegrityStatus.RESOLVED and done.status == IntegrityStatus.RESOLVED
    assert flag.reviewed_by == district.district and flag.reviewed_at is not None
    assert flag.review_reason == "证书已撤销"


def test_a_decision_needs_a_reason_and_an_open_flag(flag, district):
    with pytest.raises(ValidationError):
        integrity.dismiss_flag(flag, actor=district.district, reason="  ")
    integrity.dismiss_flag(flag, actor=district.district, reason="误报")
    with pytest.raises(ValidationError) as exc:
        integrity.resolve_flag(flag, actor=district.district, reason="再处理")
    assert "已排除" in exc.value.messages[0]


def test_only_district_admins_decide(flag, district):
    with pytest.raises(PermissionDenied):
        integrity.resolve_flag(flag, actor=district.town_a, reason="越权")
    flag.refresh_from_db()
    assert flag.status == IntegrityStatus.OPEN


# The queue ---------------------------------------------------------------------------------


def test_the_queue_is_for_district_admins_only(client, district, flag):
    for user in (district.town_a, district.town_b, district.department, district.enterprise):
        client.force_login(user)
        assert client.get(reverse("workforce:integrityflag_list")).status_code == 403
        url = reverse("workforce:integrityflag_detail", args=[flag.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {"decision": "dismiss", "reason": "x"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == IntegrityStatus.OPEN


def test_the_queue_lists_open_flags_and_filters_by_kind_and_status(client, district, flag):
    client.force_login(district.district)
    body = client.get(reverse("workforce:integrityflag_list")).content.decode()
    assert "张三" in body and "李四" in body and "DUP1" in body
    body = client.get(
        reverse("workforce:integrityflag_list"), {"kind": "multiple_employers"}
    ).content.decode()
    assert "张三" not in body
    integrity.dismiss_flag(flag, actor=district.district, reason="误报")
    body = client.get(reverse("workforce:integrityflag_list"), {"status": "dismissed"}).content
    assert flag.person.name in body.decode()


def test_the_queue_masks_numbers_that_embed_an_id_number(client, district):
    holder = PersonFactory(id_number=make_id_number(99, born=date(2005, 1, 1)))
    CertificateFactory(
        holder=holder, enterprise=district.ent_a1, special=True, issue_date=date(2020, 1, 1)
    )
    integrity.run_checks(on=ON)
    client.force_login(district.district)
    body = client.get(reverse("workforce:integrityflag_list"), {"kind": "issued_under_18"}).content
    assert holder.id_number not in body.decode()
    assert "T" + mask_id_number(holder.id_number) in body.decode()


def test_resolving_from_the_page_records_the_decision(client, district, flag):
    client.force_login(district.district)
    url = reverse("workforce:integrityflag_detail", args=[flag.pk])
    response = client.post(url, {"decision": "resolve", "reason": ""})
    assert response.status_code == 200 and "该字段是必填项" in response.content.decode()
    response = client.post(url, {"decision": "resolve", "reason": "已通报发证机关"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.status == IntegrityStatus.RESOLVED and flag.review_reason == "已通报发证机关"


# The command -------------------------------------------------------------------------------


def test_the_command_prints_counts_as_json(duplicate, capsys):
    call_command("check_integrity", "--on", "2025-06-01", "--json")
    counts = json.loads(capsys.readouterr().out)
    assert counts["duplicate_number"] == {"found": 2, "created": 2}


def test_the_command_limits_to_an_enterprise_and_rejects_unknown_ones(duplicate, district, capsys):
    call_command("check_integrity", "--enterprise", district.ent_b1.uscc)
    out = capsys.readouterr().out
    assert "同一证书编号由不同人员持有：发现 2，新增 2" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="企业不存在"):
        call_command("check_integrity", "--enterprise", "91350100M000100Y43")
    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("check_integrity", "--on", "2025-13-01")
