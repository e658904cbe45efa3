"""Passwords need real variety (issue #9 item 13): properties and outside examples."""

import string

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from xuanpei.accounts.models import User


def accepted(password, user=None) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return False
    return True


def messages(password, user=None) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    return exc.value.messages


# Outside examples: the two from the probe, and the shapes that NIST SP 800-63B
# §5.1.1.2 names for a blocklist ("repetitive or sequential characters (e.g.
# 'aaaaaa', '1234abcd')", "context-specific words, such as ... the username").
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (" " * 10 + "1a", "密码须至少包含小写字母、大写字母、数字、符号中的三类"),
        ("aaaaaaaaa1#", "密码须至少包含 6 个不同的字符"),
        ("Aaaaaa-7bcXy", "密码不能有连续 3 个以上相同的字符"),
        ("Zq123456-xy", "密码不能含有连续的键盘或字母数字序列（如 123456、abcdef、qwerty）"),
        ("Abcdefg-9xz", "密码不能含有连续的键盘或字母数字序列（如 123456、abcdef、qwerty）"),
        ("Qwerty-8zmv", "密码不能含有连续的键盘或字母数字序列（如 123456、abcdef、qwerty）"),
        ("Mn-98765-kz", "密码不能含有连续的键盘或字母数字序列（如 123456、abcdef、qwerty）"),
        ("   Ab1-xyz   ", "密码太短，至少需要 10 个字符"),
    ],
)
def test_trivial_passwords_are_refused_with_the_reason(password, reason):
    assert reason in messages(password)


def test_a_password_holding_the_username_is_refused():
    user = User(username="zhangwei")
    assert "密码不能包含用户名" in messages("Zhangwei-2026!", user)
    assert "密码不能包含用户名" in messages("Q9-iewgnahz-x", user)  # reversed


@pytest.mark.parametrize(
    "password",
    [
        "Xuanpei-Test-2026",
        "Neue-Passwort-2026",
        "correct-Horse-7battery",
        "Jg#4m!Vr9q",
        "应急Pass-2026",
    ],
)
def test_passwords_with_real_variety_pass(password):
    validate_password(password, User(username="someone"))


def classes(text: str) -> int:
    """Character classes counted independently of the code under test."""
    return sum(
        any(c in group for c in text)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not (c in string.ascii_letters or c in string.digits) for c in text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii", exclude_categories=["Cc"]), max_size=24))
def test_every_accepted_password_has_variety_and_length_without_its_end_spaces(password):
    if accepted(password):
        core = password.strip()
        assert len(core) >= 10
        assert classes(core) >= 3
        assert len(set(core)) >= 6
        assert not any(
            core[i] == core[i + 1] == core[i + 2] == core[i + 3] for i in range(len(core) - 3)
        )


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=string.ascii_letters + string.digits + "-_!#", min_size=1, max_size=16),
    st.integers(0, 12),
    st.integers(0, 12),
)
def test_spaces_at_the_ends_never_turn_a_refusal_into_an_acceptance(core, left, right):
    padded = " " * left + core + " " * right
    assert accepted(padded) == accepted(core)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(string.ascii_letters),
    st.integers(8, 30),
    st.sampled_from(string.digits),
    st.sampled_from("!#$%-_@"),
)
def test_one_character_repeated_with_a_digit_and_a_symbol_never_passes(ch, n, digit, symbol):
    assert not accepted(ch * n + digit + symbol)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl"]),
    st.integers(0, 4),
    st.booleans(),
)
def test_a_run_of_five_in_a_sequence_is_refused_anywhere(sequence, start, backwards):
    run = sequence[start : start + 5]
    run = run[::-1] if backwards else run
    assert len(run) == 5
    assert not accepted("Kj#" + run + "Wm!9")
