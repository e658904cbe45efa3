"""Password complexity rule of the security baseline (issue #2)."""

import re

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
