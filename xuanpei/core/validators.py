"""Check-character algorithms for Chinese identity codes (domain.md §4).

Pure functions, no Django imports beyond ValidationError, so that importers,
forms and property tests share exactly one implementation.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# GB 32100-2015 统一社会信用代码 ------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalize_code(value: str) -> str:
    """Full-width → half-width, strip spaces, upper-case: how people type codes in Excel."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """Return a Chinese reason why `code` is not a valid USCC, or None when it is."""
    if len(code) != 18:
        return _("统一社会信用代码应为18位，实际为%(n)d位") % {"n": len(code)}
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return _("统一社会信用代码含非法字符：%(chars)s（不使用I、O、S、V、Z）") % {
            "chars": "".join(bad)
        }
    if not USCC_PATTERN.match(code):
        return _("统一社会信用代码第3至8位应为数字行政区划码")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return _("统一社会信用代码校验位错误（第18位应为%(c)s）") % {"c": expected}
    return None


def validate_uscc(value: str) -> None:
    """Django validator for GB 32100-2015 codes (expects a normalized value)."""
    reason = uscc_error(normalize_code(value))
    if reason:
        raise ValidationError(reason, code="uscc")


# GB 11643-1999 公民身份号码 ----------------------------------------------------

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]
