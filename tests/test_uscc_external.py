"""GB 32100-2015 统一社会信用代码 against examples and an implementation the code did not make.

Every other "valid" code in the suite comes from the factories, which call the code
under test: a wrong weight table would make both sides agree. Here the expectations
come from outside — the published examples of domain.md §4.3 and a second
implementation typed from the standard below (its own alphabet and weights, nothing
imported from xuanpei) — so a change to the algorithm fails this file (issue #9 §15).
"""

import random

import pytest
from django.core.exceptions import ValidationError

from xuanpei.core.validators import uscc_error, validate_uscc

# GB 32100-2015 §4.2 / 附录: the 31 characters (no I, O, S, V, Z) and the weights of
# positions 1–17, written out as the standard prints them (not computed).
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def reference_check(first17: str) -> str:
    """The check character as the standard defines it: C = 31 − (Σ value×weight mod 31), 31 → 0."""
    total = 0
    for char, weight in zip(first17, WEIGHTS, strict=True):
        total += ALPHABET.index(char) * weight
    c = 31 - total % 31
    return ALPHABET[0 if c == 31 else c]


def reference_codes(n: int, seed: int = 32100) -> list[str]:
    """`n` codes with the layout of §4.2: 2 characters, a 6-digit area code, 9 characters, check."""
    rng = random.Random(seed)
    codes = []
    for _ in range(n):
        body = (
            rng.choice("159Y")
            + rng.choice("1239")
            + "".join(rng.choice("0123456789") for _ in range(6))
            + "".join(rng.choice(ALPHABET) for _ in range(9))
        )
        codes.append(body + reference_check(body))
    return codes


PUBLISHED_VALID = [
    "91350100M000100Y43",  # the common textbook example (domain.md §4.3)
    "91110108MA01C2D015",  # invented; its inner code MA01C2D01 passes GB 11714 too
]


@pytest.mark.parametrize("code", PUBLISHED_VALID)
def test_the_published_examples_are_valid(code):
    assert uscc_error(code) is None
    validate_uscc(code)


def test_the_published_negative_example_is_refused_and_names_r_as_the_check_character():
    assert uscc_error("911100001000013270") == "统一社会信用代码校验位错误（第18位应为R）"
    with pytest.raises(ValidationError):
        validate_uscc("911100001000013270")


def test_the_reference_implementation_agrees_with_the_published_examples():
    """The second implementation is itself pinned to the outside examples."""
    assert reference_check("91350100M000100Y4") == "3"
    assert reference_check("91110108MA01C2D01") == "5"
    assert reference_check("91110000100001327") == "R"


def test_three_hundred_codes_computed_by_the_standard_are_valid():
    wrong = [code for code in reference_codes(300) if uscc_error(code) is not None]
    assert not wrong, wrong[:5]


def test_any_other_check_character_is_refused():
    accepted = []
    for code in reference_codes(300, seed=11):
        other = ALPHABET[(ALPHABET.index(code[17]) + 1 + len(accepted)) % 31]
        if uscc_error(code[:17] + other) is None:
            accepted.append(code[:17] + other)
    assert not accepted, accepted[:5]


def test_a_check_value_of_31_becomes_zero():
    """The edge of the formula: bodies whose weighted sum is a multiple of 31 end in 0."""
    zeros = [code for code in reference_codes(2000, seed=7) if code[17] == "0"]
    assert zeros, "the sample should hold codes whose check value wraps to 0"
    assert all(uscc_error(code) is None for code in zeros)
