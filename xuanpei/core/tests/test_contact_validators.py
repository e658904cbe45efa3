"""Phone, e-mail and web-link validators (issue #8 item 7): property tests and real formats."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.core.validators import (
    normalize_phone,
    normalize_phones,
    validate_email_address,
    validate_phone,
    validate_phones,
    validate_url,
)

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")

mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text("0123456789", min_size=9, max_size=9),
)
area_codes = st.one_of(
    st.just("010"),
    st.builds(lambda d: f"02{d}", st.sampled_from("0123456789")),
    st.builds(
        lambda a, b: f"0{a}{b}",
        st.sampled_from("3456789"),
        st.text("0123456789", min_size=2, max_size=2),
    ),
)
local_numbers = st.builds(
    lambda first, rest: f"{first}{rest}",
    st.sampled_from("23456789"),
    st.text("0123456789", min_size=6, max_size=7),
)
landlines = st.builds(
    lambda area, sep, local, ext: f"{area}{sep}{local}{ext}",
    area_codes,
    st.sampled_from(["-", ""]),
    local_numbers,
    st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=6).map(lambda e: "-" + e)),
)
phones = st.one_of(mobiles, landlines)


def rejects(validator, value) -> str:
    with pytest.raises(ValidationError) as exc:
        validator(value)
    return exc.value.messages[0]


@given(phones)
def test_generated_phones_are_accepted(phone):
    validate_phone(phone)
    validate_phones(phone)


@given(phones)
def test_full_width_and_spaced_phones_are_accepted_and_normalised(phone):
    typed = " ".join(phone.translate(FULL_WIDTH))

    validate_phone(typed)
    assert normalize_phone(typed) == phone


@given(st.lists(phones, min_size=2, max_size=4), st.sampled_from(["、", ";", "；", "，"]))
def test_a_contact_field_takes_several_numbers(numbers, separator):
    value = separator.join(numbers)

    validate_phones(value)
    assert normalize_phones(value) == "、".join(numbers)


@given(st.text(min_size=1).filter(lambda t: not any(c.isdigit() for c in t) and t.strip()))
def test_text_without_digits_is_never_a_phone(text):
    rejects(validate_phone, text)
    rejects(validate_phones, text)


@given(st.text("0123456789", min_size=1, max_size=20).filter(lambda t: len(t) < 10))
def test_too_few_digits_are_rejected(digits):
    rejects(validate_phone, digits)


@given(mobiles, st.text("0123456789", min_size=1, max_size=3))
def test_a_mobile_with_extra_digits_is_rejected(mobile, extra):
    rejects(validate_phone, mobile + extra)


# Outside examples: numbers as people publish them ---------------------------------

REAL_PHONES = [
    "13912345678",  # 中国移动 mobile
    "18629001234",
    "029-88886666",  # 西安 landline
    "02988886666",
    "029-8888666-123",  # with an extension
    "029-88886666转8001",
    "(029)88886666",
    "010-62751234",  # 北京
    "0917-3212345",  # 宝鸡: four-digit area code, 7-digit number
    "400-810-8888",  # a service number
    "+86 139 1234 5678",
    "１３９１２３４５６７８",  # full-width
]


@pytest.mark.parametrize("value", REAL_PHONES)
def test_published_phone_formats_are_accepted(value):
    validate_phone(value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc-不是电话", "格式不正确"),
        ("12345678901", "格式不正确"),  # no mobile prefix 12
        ("88886666", "缺少区号"),
        ("139****5678", "脱敏"),
        ("029-88886666-1234567", "格式不正确"),
    ],
)
def test_bad_phones_get_a_chinese_reason(value, reason):
    assert reason in rejects(validate_phone, value)


def test_two_numbers_run_together_are_told_to_use_a_separator():
    assert "、" in rejects(validate_phones, "029-88886666 13912345678")


def test_a_contact_field_names_the_bad_number():
    message = rejects(validate_phones, "029-88886666、abc")
    assert "“abc”" in message


@pytest.mark.parametrize(
    "value",
    [
        "zhang.san@xa.gov.cn",
        "ops+alerts@example.com",
        "ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        " a@b.cn ",
    ],
)
def test_real_email_addresses_are_accepted(value):
    validate_email_address(value)


@pytest.mark.parametrize("value", ["zhang.san", "a@", "@example.com", "a@b", "a@@b.cn"])
def test_bad_email_addresses_are_rejected_in_chinese(value):
    assert "电子邮箱" in rejects(validate_email_address, value)


@pytest.mark.parametrize(
    "value", ["https://www.gov.cn/", "http://yjglj.xa.gov.cn/zwgk/index.html", "www.xa.gov.cn"]
)
def test_real_web_links_are_accepted(value):
    validate_url(value)


@pytest.mark.parametrize(
    "value", ["不是网址", "ftp://example.com/x", "http://", "javascript:alert(1)"]
)
def test_bad_web_links_are_rejected_in_chinese(value):
    assert "网址" in rejects(validate_url, value)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_validators_answer_any_text_with_a_chinese_reason_or_nothing(text):
    for validator in (validate_phone, validate_phones, validate_email_address, validate_url):
        try:
            validator(text)
        except ValidationError as exc:
            assert any("\u4e00" <= c <= "\u9fff" for c in exc.messages[0])
