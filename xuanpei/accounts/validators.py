"""Password complexity rule of the security baseline (issue #2)."""

import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    """At least three of: lower-case, upper-case, digit, symbol."""

    classes = (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]")

    def validate(self, password, user=None):
        kinds = sum(1 for pattern in self.classes if re.search(pattern, password))
        if kinds < 3:
            raise ValidationError(
                _("密码须至少包含小写字母、大写字母、数字、符号中的三类"), code="password_simple"
            )

    def get_help_text(self):
        return _("密码须至少包含小写字母、大写字母、数字、符号中的三类。")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with a Chinese error message.

    Django 5.2 reworded this message and its zh_Hans catalogue has no translation
    for the new wording, so users would read it in English.
    """

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符") % {"min_length": self.min_length}
