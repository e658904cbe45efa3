"""Check-character algorithms for Chinese identity codes (domain.md §4).

Pure functions, no Django imports beyond ValidationError, so that importers,
forms and property tests share exactly one implementation.
"""

import re
import unicodedata
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# GB 32100-2015 统一社会信用代码 ------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
USCC_PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalize_code(value: str) -> str:
    """Full-width → half-width, strip spaces, upper-case: how people type codes in Excel."""
    text = str(value or "")
    if text.isascii():
        # NFKC leaves ASCII as it is, and str.split() drops what \s matches: the same
        # result without the normaliser and the regex (a 1M-row import normalises 2M codes).
        return "".join(text.split()).upper()
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()
    # NFKC again: removing spaces or upper-casing can leave a decomposed sequence,
    # which would make the normalisation not idempotent.
    return unicodedata.normalize("NFKC", text)


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


def validate_not_in_future(value: date) -> None:
    """A date that has already happened (a founding date, say): today at the latest."""
    from django.utils import timezone

    if value and value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天"), code="future")


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


# Province-level codes of GB/T 2260 (first two digits of an address code), plus
# 71 台湾 and 81/82/83 for the 港澳台居民居住证 numbers, which share the
# algorithm (domain.md §4.1, [U]).
_ID_PROVINCES = (
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83"
)
ID_PROVINCE_CODES = frozenset(_ID_PROVINCES.split())
ID18_PATTERN = re.compile(r"^\d{17}[\dX]$")
ID15_PATTERN = re.compile(r"^\d{15}$")


class IdInfo(NamedTuple):
    """What a 公民身份号码 tells: the normalized 18-character number, birth date and gender."""

    number: str
    birth_date: date
    gender: str  # "male" (odd sequence digit) or "female" (even)
    converted: bool = False  # True when upgraded from a 15-digit legacy number


def _id_invalid(message: str) -> ValidationError:
    return ValidationError(message, code="id_number")


def _id_birth_date(digits: str, today: date) -> date:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise _id_invalid(_("身份证号中的出生日期%(d)s不存在") % {"d": digits}) from None
    if born > today:
        raise _id_invalid(_("身份证号中的出生日期%(d)s晚于今天") % {"d": born.isoformat()})
    return born


def parse_id_number(value, *, allow_legacy: bool = True, today: date | None = None) -> IdInfo:
    """Validate a GB 11643-1999 number and read it; raise ValidationError with a Chinese reason.

    Tolerates what people type in Excel (full-width digits, spaces, a lowercase x).
    A 15-digit number (GB 11643-1989) is converted to 18 digits ("19" inserted
    after the address code, check character computed) when `allow_legacy`,
    otherwise rejected.
    """
    number = normalize_code(value)
    today = today or date.today()
    if len(number) == 15:
        if not allow_legacy:
            raise _id_invalid(_("不接受15位旧身份证号，请填写18位身份证号"))
        if not ID15_PATTERN.match(number):
            raise _id_invalid(_("15位身份证号只能由数字组成"))
        first17 = number[:6] + "19" + number[6:]
        number, converted = first17 + id_check_char(first17), True
    elif len(number) == 18:
        if not ID18_PATTERN.match(number):
            bad = "".join(sorted({c for c in number[:17] if not c.isdigit()}))
            if number[17] not in "0123456789X":
                bad += number[17]
            raise _id_invalid(
                _("身份证号含非法字符：%(chars)s（前17位应为数字，第18位为数字或X）")
                % {"chars": bad}
            )
        converted = False
    else:
        raise _id_invalid(_("身份证号应为18位（或15位旧号码），实际为%(n)d位") % {"n": len(number)})
    if number[:2] not in ID_PROVINCE_CODES:
        raise _id_invalid(
            _("身份证号前两位%(code)s不是有效的省级行政区划代码") % {"code": number[:2]}
        )
    born = _id_birth_date(number[6:14], today)
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise _id_invalid(_("身份证号校验位错误（第18位应为%(c)s）") % {"c": expected})
    gender = "male" if int(number[16]) % 2 else "female"
    return IdInfo(number=number, birth_date=born, gender=gender, converted=converted)


def validate_id_number(value: str) -> None:
    """Django validator for stored 18-character numbers (legacy numbers are converted before)."""
    parse_id_number(value, allow_legacy=False)


def _mask(value: str, head: int, tail: int) -> str:
    """Keep `head` leading and `tail` trailing characters, star the rest (same length)."""
    value = str(value or "")
    if len(value) <= head + tail:
        # Too short to keep both ends and still hide something: hide all but the last.
        return "*" * (len(value) - 1) + value[-1:] if value else ""
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def mask_id_number(value: str) -> str:
    """610***********123X: the region's first 3 and the last 4 characters stay (issue #3 §7)."""
    return _mask(value, 3, 4)


def mask_phone(value: str) -> str:
    """138****1234: operator prefix and last 4 digits stay."""
    return _mask(value, 3, 4)


# Phones, e-mail addresses and web links (issue #8 item 7) ---------------------
#
# People type these in Excel and on phones: full-width digits, spaces inside the
# number, Chinese dashes. Each `normalize_*` turns the input into the form we
# store; each `validate_*` checks the normalised form, so a model field carrying
# the validator accepts what its form, import and API will store.

_DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d\u30fc]")
_EXTENSION = re.compile(r"(?:转|分机|#|ext\.?|EXT\.?)")
_PHONE_SEPARATORS = re.compile(r"[、;；,，/]+")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# 区号 (010, 02x, or 0 and three digits), a 7- or 8-digit local number that does
# not start with 0 or 1, and an optional extension of up to 6 digits.
LANDLINE_PATTERN = re.compile(r"^(?:010|02\d|0[3-9]\d{2})-?[2-9]\d{6,7}(?:-\d{1,6})?$")
SERVICE_PATTERN = re.compile(r"^[48]00-?\d{3}-?\d{4}$")  # 400 / 800 service numbers
PHONE_HINT = gettext_lazy(
    "手机号为11位、以1开头；固定电话须带区号，如 029-88886666、029-8888666-123"
)


def _half_width(value) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or "")))


def normalize_phone(value) -> str:
    """One number as stored: half-width, no spaces, "-" as the only dash, "(029)" → "029-"."""
    text = _DASHES.sub("-", _half_width(value))
    text = _EXTENSION.sub("-", text)
    text = re.sub(r"^\((0\d{2,3})\)-?", r"\1-", text)
    text = re.sub(r"^(\+86|0086)-(?=1\d{10}$)", r"\1", text)
    return text


def normalize_phones(value) -> str:
    """Several numbers as stored: each normalised, separated by 、."""
    parts = _PHONE_SEPARATORS.split(_half_width(value))
    return "、".join(normalize_phone(p) for p in parts if p)


def phone_error(value) -> str | None:
    """A Chinese reason why the normalised `value` is not one phone number, or None."""
    number = normalize_phone(value)
    mobile = re.sub(r"^(?:\+86|0086)(?=1\d{10}$)", "", number)
    if MOBILE_PATTERN.match(mobile) or LANDLINE_PATTERN.match(number):
        return None
    if SERVICE_PATTERN.match(number):
        return None
    if "*" in number:
        return _("电话号码“%(value)s”为脱敏数据，请填写完整号码") % {"value": value}
    if re.fullmatch(r"[2-9]\d{6,7}(?:-\d{1,6})?", number):
        return _("固定电话“%(value)s”缺少区号，如 029-88886666") % {"value": value}
    return _("电话号码“%(value)s”格式不正确：%(hint)s") % {"value": value, "hint": PHONE_HINT}


def validate_phone(value) -> None:
    """One phone number: a mobile (1[3-9] and 9 digits) or a landline with its area code."""
    reason = phone_error(value) if str(value or "").strip() else None
    if reason:
        raise ValidationError(reason, code="phone")


def validate_phones(value) -> None:
    """A contact field: one or more phone numbers separated by 、 ; ，"""
    text = _half_width(value)
    parts = [p for p in _PHONE_SEPARATORS.split(text) if p]
    if text and not parts:  # separators only
        parts = [text]
    reasons = [reason for reason in map(phone_error, parts) if reason]
    if reasons:
        # Two numbers typed with only a space between them run together.
        merged = len(parts) == 1 and len(re.sub(r"\D", "", parts[0])) > 12
        hint = _("（多个号码请用“、”或“；”分隔）") if merged else ""
        raise ValidationError(reasons[0] + hint, code="phone")


def clean_phone(value) -> str:
    """Check one phone number and return it as stored (for importers' columns)."""
    validate_phone(value)
    return normalize_phone(value)


def clean_phones(value) -> str:
    """Check a contact field's numbers and return them as stored (for importers' columns)."""
    validate_phones(value)
    return normalize_phones(value)


def phone_links(value) -> list[dict]:
    """Each number of a phone field as {"text", "href"}: a tel: link only for a valid number.

    Data stored before the check (issue #8 item 7) may hold anything; it is shown
    as text, never dialled.
    """
    links = []
    for part in _PHONE_SEPARATORS.split(str(value or "")):
        part = part.strip()
        if not part:
            continue
        href = None
        if phone_error(part) is None:
            main, ext = _split_extension(normalize_phone(part))
            href = "tel:" + main.replace("-", "") + ("," + ext if ext else "")
        links.append({"text": part, "href": href})
    return links


def _split_extension(number: str) -> tuple[str, str]:
    """029-8888666-123 or 02988886666-123 → (the number, "123"); no extension → (number, "")."""
    if not LANDLINE_PATTERN.match(number):
        return number, ""
    parts = number.split("-")
    if len(parts) == 3:
        return "-".join(parts[:2]), parts[2]
    if len(parts) == 2 and len(parts[0]) >= 10:  # area code and number written together
        return parts[0], parts[1]
    return number, ""


def normalize_email(value) -> str:
    """Half-width, no spaces, the domain lower-cased (＠ → @)."""
    text = _half_width(value)
    local, at, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}" if at else text


def validate_email_address(value) -> None:
    """An e-mail address (after `normalize_email`), with a Chinese message."""
    text = normalize_email(value)
    if not text:
        return
    try:
        EmailValidator()(text)
    except ValidationError:
        raise ValidationError(
            _("电子邮箱“%(value)s”格式不正确，应如 name@example.com") % {"value": value},
            code="email",
        ) from None


def normalize_url(value) -> str:
    """Half-width, no spaces; a bare host (www.xa.gov.cn) gets http://."""
    text = _half_width(value)
    if text and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        text = "http://" + text
    return text


def validate_url(value) -> None:
    """A web link: http or https, a real host name."""
    if not str(value or "").strip():
        return
    try:
        URLValidator(schemes=["http", "https"])(normalize_url(value))
    except ValidationError:
        raise ValidationError(
            _("网址“%(value)s”格式不正确，应如 https://www.example.com") % {"value": value},
            code="url",
        ) from None


# What each validator's field stores: forms, imports and the API normalise with it.
NORMALIZERS = {
    validate_phone: normalize_phone,
    validate_phones: normalize_phones,
    validate_email_address: normalize_email,
    validate_url: normalize_url,
}


def contact_validator(model_field):
    """(validator, normaliser) of `model_field` when it is a phone, e-mail or link field."""
    for validator in getattr(model_field, "validators", ()):
        for known, normalize in NORMALIZERS.items():
            if validator is known:
                return known, normalize
    return None
