"""The public certificate check: no login, number + name → valid or not; rate-limited."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from xuanpei.workforce import services
from xuanpei.workforce.factories import CertificateFactory, PersonFactory, PostFactory
from xuanpei.workforce.views_public import check_certificate


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def card(district):
    """A valid 特种作业操作证 of 王五 (number "T" + his ID number) at ent_a1."""
    holder = PersonFactory(name="王五", phone="13700001234")
    PostFactory(person=holder, enterprise=district.ent_a1, special=True)
    return CertificateFactory(
        holder=holder,
        enterprise=district.ent_a1,
        special=True,
        issue_date=timezone.localdate() - timedelta(days=100),
    )


def check(client, number, name, **extra):
    return client.post(reverse("public_check"), {"number": number, "name": name}, **extra)


def test_the_form_needs_no_login(client):
    response = client.get(reverse("public_check"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "证书编号" in body and "持证人姓名" in body and 'name="viewport"' in body


def test_a_valid_certificate_is_reported_valid_with_nothing_about_the_person(client, card):
    response = check(client, card.number, "王五")
    body = response.content.decode()
    assert response.status_code == 200
    assert "证书有效" in body and "有效期至" in body and "特种作业操作证" in body
    # The answer itself says nothing of the person (the form echoes only what was typed).
    answer = body.split('id="check-result"', 1)[1].split("<form", 1)[0]
    holder = card.holder
    assert holder.id_number not in answer and holder.id_number[-4:] not in answer
    assert holder.birth_date.strftime("%Y-%m-%d") not in answer
    for secret in ("13700001234", "东城甲企业", "甲街道"):
        assert secret not in body
    assert response["Cache-Control"] == "no-store"


def test_the_number_is_normalised_and_the_name_forgives_spaces(client, card):
    number = card.number.lower().replace("t", "ｔ") + " "
    assert "证书有效" in check(client, number, " 王 五 ").content.decode()


def test_a_wrong_name_is_answered_like_an_unknown_number(client, card):
    wrong = check(client, card.number, "李四").content.decode()
    unknown = check(client, "T000", "王五").content.decode()
    assert "未查到与该姓名相符的证书" in wrong and "未查到与该姓名相符的证书" in unknown
    assert "特种作业操作证" not in wrong and "有效期至" not in wrong


def test_a_revoked_certificate_is_reported_invalid_with_its_status(client, card, district):
    services.revoke_certificate(card, actor=district.district, reason="伪造")
    body = check(client, card.number, "王五").content.decode()
    assert "证书无效" in body and "已撤销" in body


def test_an_overdue_review_is_reported_invalid(client, district):
    holder = PersonFactory(name="赵六")
    cert = CertificateFactory(
        holder=holder, enterprise=district.ent_a1, special=True, issue_date=date(2019, 1, 10)
    )
    result = check_certificate(number=cert.number, name="赵六", on=date(2022, 6, 1))
    assert result.found and not result.valid and result.status == "review_overdue"
    body = check(client, cert.number, "赵六").content.decode()
    assert "证书无效" in body


def test_a_number_replaced_on_renewal_is_reported_replaced(card, district):
    services.renew_certificate(
        card, actor=district.district, issue_date=timezone.localdate(), number="TNEW1"
    )
    old = check_certificate(number=card.number, name="王五")
    assert old.found and not old.valid and old.status == "superseded"
    assert check_certificate(number="TNEW1", name="王五").valid


def test_missing_fields_are_reported_in_chinese(client):
    body = client.post(reverse("public_check"), {"number": "", "name": ""}).content.decode()
    assert "该字段是必填项" in body


def test_lookups_are_rate_limited_per_client_ip(client, card, settings):
    settings.PUBLIC_CHECK_RATE = "3/m"
    for _ in range(3):
        assert check(client, card.number, "王五").status_code == 200
    response = check(client, card.number, "王五")
    body = response.content.decode()
    assert response.status_code == 429
    assert "查询过于频繁" in body and "证书有效" not in body
    assert response["Retry-After"] == "60"
    # Another client is not affected; showing the form is never limited.
    assert check(client, card.number, "王五", REMOTE_ADDR="10.0.0.9").status_code == 200
    assert client.get(reverse("public_check")).status_code == 200


def test_the_default_limit_is_ten_a_minute(client, card):
    statuses = [check(client, card.number, "王五").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
