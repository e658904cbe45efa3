"""GB 11643-1999 公民身份号码: examples from domain.md §4.3 and properties.

All numbers here are invented or the published textbook examples; never real people's.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from xuanpei.core.validators import (
    ID_PROVINCE_CODES,
    id_check_char,
    mask_id_number,
    mask_phone,
    parse_id_number,
    validate_id_number,
)

TODAY = date(2025, 6, 1)


def reason(value, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        parse_id_number(value, today=TODAY, **kwargs)
    return exc.value.messages[0]


# Examples ---------------------------------------------------------------------


def test_the_standards_example_is_a_woman_born_on_new_years_eve_1949():
    info = parse_id_number("11010519491231002X", today=TODAY)
    assert info.number == "11010519491231002X"
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "female"
    assert not info.converted


@pytest.mark.parametrize(
    ("number", "born", "gender"),
    [
        ("440524188001010014", date(1880, 1, 1), "male"),
        ("320102199003071239", date(1990, 3, 7), "male"),
    ],
)
def test_the_verified_examples_parse(number, born, gender):
    info = parse_id_number(number, today=TODAY)
    assert (info.birth_date, info.gender) == (born, gender)


def test_a_lowercase_x_is_accepted_and_stored_upper_case():
    assert parse_id_number("11010519491231002x", today=TODAY).number == "11010519491231002X"


def test_full_width_digits_and_stray_spaces_are_normalised():
    assert (
        parse_id_number(" １１０１０５ １９４９１２３１００２Ｘ ", today=TODAY).number
        == "11010519491231002X"
    )


def test_a_wrong_check_character_names_the_expected_one():
    assert reason("110105194912310021") == "身份证号校验位错误（第18位应为X）"


def test_a_wrong_length_says_how_long_it_was():
    assert reason("1101051949123100") == "身份证号应为18位（或15位旧号码），实际为16位"
    assert reason("") == "身份证号应为18位（或15位旧号码），实际为0位"


def test_letters_inside_the_number_are_named():
    assert "A" in reason("1101051949A231002X")
    assert reason("1101051949A231002X").startswith("身份证号含非法字符")
    assert reason("11010519491231002Y").startswith("身份证号含非法字符：Y")


def test_an_unknown_province_code_is_rejected():
    first17 = "99010519491231002"
    assert reason(first17 + id_check_char(first17)) == (
        "身份证号前两位99不是有效的省级行政区划代码"
    )


def test_an_impossible_birth_date_is_rejected():
    first17 = "11010519490230002"
    assert reason(first17 + id_check_char(first17)) == "身份证号中的出生日期19490230不存在"


def test_a_birth_date_in_the_future_is_rejected():
    first17 = "11010520300101002"
    assert reason(first17 + id_check_char(first17)) == ("身份证号中的出生日期2030-01-01晚于今天")


def test_a_legacy_15_digit_number_is_converted():
    info = parse_id_number("110105491231002", today=TODAY)
    assert info.number == "11010519491231002X"
    assert info.converted
    assert info.gender == "female"


def test_a_legacy_number_can_be_refused():
    assert reason("110105491231002", allow_legacy=False) == (
        "不接受15位旧身份证号，请填写18位身份证号"
    )


def test_the_model_validator_refuses_legacy_numbers():
    validate_id_number("11010519491231002X")
    with pytest.raises(ValidationError):
        validate_id_number("110105491231002")


def test_masking_keeps_the_region_prefix_and_the_last_four():
    assert mask_id_number("61010219900307123X") == "610***********123X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""
    assert mask_id_number("12") == "*2"


# Properties -------------------------------------------------------------------

provinces = st.sampled_from(sorted(ID_PROVINCE_CODES))
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
addresses = st.tuples(provinces, st.integers(0, 9999)).map(lambda t: f"{t[0]}{t[1]:04d}")
sequences = st.integers(0, 999).map(lambda n: f"{n:03d}")


@st.composite
def bodies(draw):
    return draw(addresses) + draw(births).strftime("%Y%m%d") + draw(sequences)


@given(bodies())
def test_any_body_with_its_computed_check_character_validates(first17):
    info = parse_id_number(first17 + id_check_char(first17), today=TODAY)
    assert info.number[:17] == first17
    assert info.gender == ("male" if int(first17[16]) % 2 else "female")
    assert info.birth_date.strftime("%Y%m%d") == first17[6:14]


@given(bodies(), st.sampled_from("0123456789X"))
def test_any_other_check_character_fails(first17, other):
    if other == id_check_char(first17):
        other = "0" if other != "0" else "1"
    with pytest.raises(ValidationError, match="校验位错误"):
        parse_id_number(first17 + other, today=TODAY)


@given(
    addresses,
    st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)),
    sequences,
)
def test_a_15_digit_number_converts_to_a_valid_18_digit_one(address, born, seq):
    legacy = address + born.strftime("%y%m%d") + seq
    info = parse_id_number(legacy, today=TODAY)
    assert info.converted and info.birth_date == born
    assert parse_id_number(info.number, today=TODAY, allow_legacy=False).number == info.number


@given(bodies())
def test_masking_keeps_length_and_both_ends(first17):
    number = first17 + id_check_char(first17)
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]
    assert set(masked[3:-4]) == {"*"}


@given(st.text(alphabet="0123456789", min_size=0, max_size=20))
def test_phone_masking_keeps_length(phone):
    assert len(mask_phone(phone)) == len(phone)


# An independent implementation (issue #9 §15) -----------------------------------
# The properties above take the check character from `id_check_char`, the code under
# test. These take it from a second implementation typed from GB 11643-1999 (weights
# written out, ISO 7064 MOD 11-2 table), so a wrong weight or table fails here.

STANDARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
STANDARD_CHECK = {0: "1", 1: "0", 2: "X", 3: "9", 4: "8", 5: "7", 6: "6", 7: "5", 8: "4", 9: "3", 10: "2"}  # fmt: skip


def standard_check(first17: str) -> str:
    return STANDARD_CHECK[
        sum(int(d) * w for d, w in zip(first17, STANDARD_WEIGHTS, strict=True)) % 11
    ]


def test_the_independent_implementation_agrees_with_the_published_examples():
    for number in ("11010519491231002X", "440524188001010014", "320102199003071239"):
        assert standard_check(number[:17]) == number[17]


@given(bodies())
def test_a_number_checked_by_the_standard_validates_and_no_other_check_character_does(first17):
    right = standard_check(first17)
    assert parse_id_number(first17 + right, today=TODAY).number == first17 + right
    for other in "0123456789X".replace(right, ""):
        with pytest.raises(ValidationError, match="校验位错误"):
            parse_id_number(first17 + other, today=TODAY)
