"""Password rules of the security baseline (issue #2; real variety: issue #9 item 13).

Spaces at either end of a password count for nothing: they are easy to type
unnoticed and add no variety, so `"          1a"` is judged as `"1a"`.
"""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Rows of the keyboard and the alphabet/digit sequences, forwards; runs are also
# looked for backwards. Case-insensitive.
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "!@#$%^&*()",
)


def _core(password: str) -> str:
    return password.strip()


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digit, symbol the password holds (ends' spaces aside)."""
    core = _core(password)
    patterns = (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]")
    return sum(1 for pattern in patterns if re.search(pattern, core, flags=re.ASCII))


def longest_sequence_run(password: str) -> int:
    """The longest stretch of the password that follows one of SEQUENCES (either way)."""
    text = _core(password).lower()
    best = 1 if text else 0
    for seq in SEQUENCES:
        for line in (seq, seq[::-1]):
            run = 1
            for prev, cur in zip(text, text[1:], strict=False):
                i = line.find(prev)
                if i >= 0 and i + 1 < len(line) and line[i + 1] == cur:
                    run += 1
                    best = max(best, run)
                else:
                    run = 1
    return best


def longest_repeat(password: str) -> int:
    """The longest stretch of one character repeated."""
    text = _core(password)
    best = run = 0
    prev = None
    for ch in text:
        run = run + 1 if ch == prev else 1
        prev = ch
        best = max(best, run)
    return best


class ComplexityValidator:
    """At least three of: lower-case, upper-case, digit, symbol (a space at either end is none)."""

    def validate(self, password, user=None):
        if character_classes(password) < 3:
            raise ValidationError(
                _("密码须至少包含小写字母、大写字母、数字、符号中的三类"), code="password_simple"
            )

    def get_help_text(self):
        return _("密码须至少包含小写字母、大写字母、数字、符号中的三类。")


class VarietyValidator:
    """Real variety: enough different characters, no long repeat or run, not the username."""

    def __init__(self, min_distinct=6, max_repeat=3, max_run=4):
        self.min_distinct = min_distinct
        self.max_repeat = max_repeat
        self.max_run = max_run

    def validate(self, password, user=None):
        core = _core(password)
        errors = []
        if len(set(core)) < self.min_distinct:
            errors.append(
                ValidationError(
                    _("密码须至少包含 %(n)d 个不同的字符") % {"n": self.min_distinct},
                    code="password_few_distinct",
                )
            )
        if longest_repeat(core) > self.max_repeat:
            errors.append(
                ValidationError(
                    _("密码不能有连续 %(n)d 个以上相同的字符") % {"n": self.max_repeat},
                    code="password_repeat",
                )
            )
        if longest_sequence_run(core) > self.max_run:
            errors.append(
                ValidationError(
                    _("密码不能含有连续的键盘或字母数字序列（如 123456、abcdef、qwerty）"),
                    code="password_sequence",
                )
            )
        username = (getattr(user, "username", "") or "").strip().lower()
        if len(username) >= 3 and (username in core.lower() or username[::-1] in core.lower()):
            errors.append(ValidationError(_("密码不能包含用户名"), code="password_username"))
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "至少 %(n)d 个不同的字符，不能有连续重复的字符、键盘或字母数字序列，不能包含用户名。"
        ) % {"n": self.min_distinct}


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese error message; spaces at either end do not count.

    Django 5.2 reworded this message and its zh_Hans catalogue has no translation
    for the new wording, so users would read it in English.
    """

    def validate(self, password, user=None):
        super().validate(_core(password), user)

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符") % {"min_length": self.min_length}
