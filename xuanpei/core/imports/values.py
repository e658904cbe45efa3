"""Cell values: raw spreadsheet value → clean text, and small parsers built on it.

Every importer sees text: calamine's numbers and dates are turned back into what
the cell showed, then NFKC-normalised (full-width letters and digits become
half-width) and stripped.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Characters that make a spreadsheet treat a cell as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@")


def cell_text(raw) -> str:
    """What the cell shows, as text: 13800000000.0 → "13800000000", dates as ISO."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return _("是") if raw else _("否")
    if isinstance(raw, float):
        return str(int(raw)) if raw.is_integer() else repr(raw)
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat() if raw.time() == datetime.time() else raw.isoformat(" ")
    if isinstance(raw, datetime.date | datetime.time):
        return raw.isoformat()
    return str(raw)


def clean_cell(raw, *, normalize: bool = True) -> str:
    """Normalise a cell; raise ValidationError for a formula.

    An export neutralises a cell that starts with = + - @ by prefixing a single
    quote; exactly that quote is removed again here, so an export re-imports
    unchanged. `normalize=False` keeps the text as typed (no NFKC): free Chinese
    text keeps its full-width punctuation （，：；）, which NFKC would make ASCII.
    """
    if type(raw) is str and raw.isascii():
        # The usual cell, answered at once (a 1M-row import has 16M cells): ASCII text
        # is already NFKC, and one not starting with = or ' has nothing to refuse or unquote.
        text = raw.strip()
        if not text.startswith(("=", "'")):
            return text
    text = raw if type(raw) is str else cell_text(raw)
    if normalize and not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.strip()
    if text.startswith("="):
        raise ValidationError(
            _("单元格内容以“=”开头（公式，如 =HYPERLINK(...)），请改为纯文本"), code="formula"
        )
    if text.startswith("'") and text[1:2] in FORMULA_PREFIXES and len(text) > 1:
        text = text[1:]
    return text


def neutralise(value: str) -> str:
    """Prefix a quote so a spreadsheet shows the text instead of evaluating it."""
    if value and value[0] in FORMULA_PREFIXES:
        return "'" + value
    return value


def safe_row(values) -> list:
    """One row for any xlsx writer: every text cell neutralised, other values as they are.

    Every spreadsheet the platform writes (exports, error reports, templates, the plan
    tables, their title rows) appends its rows through this, so nothing typed by one
    user runs as a formula in another's Excel (issue #9 item 10).
    """
    return [neutralise(v) if isinstance(v, str) else v for v in values]


_NAME_SEPARATORS = re.compile(r"[、,，;；\n]+")


def split_names(text: str) -> list[str]:
    """ "教育局、住建局" / "教育局,住建局" / "教育局；住建局" → ["教育局", "住建局"], order kept."""
    names = [part.strip() for part in _NAME_SEPARATORS.split(text)]
    return list(dict.fromkeys(n for n in names if n))


def choice_parser(
    choices, *, label: str, strip_words: tuple[str, ...] = (), extra: dict | None = None
) -> Callable[[str], str]:
    """Parse a TextChoices label (or its value, or an alias from `extra`) into its value.

    Labels are compared without brackets and without `strip_words`, so that
    "重大风险（红）", "重大风险", "重大" and "红" all give the same value.
    """

    def key(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).replace(" ", "").lower()
        text = re.sub(r"\(.*?\)", "", text)
        for word in strip_words:
            text = text.replace(word, "")
        return text

    table: dict[str, str] = {}
    for value, choice_label in choices.choices:
        table[key(str(value))] = value
        table[key(str(choice_label))] = value
    for alias, value in (extra or {}).items():
        table[key(alias)] = value

    def parse(text: str) -> str:
        if not text:
            return ""
        found = table.get(key(text))
        if found is None:
            allowed = "、".join(str(lbl) for _v, lbl in choices.choices)
            raise ValidationError(
                _("无法识别的%(label)s“%(value)s”，可填：%(allowed)s")
                % {"label": label, "value": text, "allowed": allowed},
                code="choice",
            )
        return found

    return parse


# Dates --------------------------------------------------------------------------

# Excel's day 0 is 1899-12-30 (its 1900 leap-year bug makes serials from 61 on
# count from there); serials below 61 are not dates anyone types in a roster.
EXCEL_EPOCH = datetime.date(1899, 12, 30)
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 61, 2958465  # 1900-03-01 … 9999-12-31
_DATE_PATTERN = re.compile(
    r"(?P<y>\d{4})\s*(?:[-/.年]\s*)(?P<m>\d{1,2})\s*(?:[-/.月]\s*)(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]00:00(?::00(?:\.0+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_SERIAL = re.compile(r"\d{2,7}(?:\.\d+)?")


def parse_date(text: str) -> datetime.date:
    """A date as people write it in a roster; raise ValidationError with a Chinese reason.

    Accepts 2022-03-05, 2022/3/5, 2022.3.5, 2022年3月5日 (stray spaces allowed),
    20220305, an ISO date-time at midnight (what `cell_text` makes of an Excel
    date cell) and an Excel date serial (44625 → 2022-03-05, what a date cell
    formatted as a number shows). Expects text already cleaned by `clean_cell`.
    """
    text = text.strip()
    match = _DATE_PATTERN.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        try:
            return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            raise ValidationError(
                _("日期“%(value)s”不存在") % {"value": text}, code="date"
            ) from None
    if _SERIAL.fullmatch(text):
        serial = int(float(text))
        if EXCEL_SERIAL_MIN <= serial <= EXCEL_SERIAL_MAX:
            return EXCEL_EPOCH + datetime.timedelta(days=serial)
    raise ValidationError(
        _("无法识别的日期“%(value)s”，请写成 2022-03-05、2022/3/5、2022.3.5 或 2022年3月5日")
        % {"value": text},
        code="date",
    )
