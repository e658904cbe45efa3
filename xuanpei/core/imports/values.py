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


def clean_cell(raw) -> str:
    """Normalise a cell; raise ValidationError for a formula.

    An export neutralises a cell that starts with = + - @ by prefixing a single
    quote; exactly that quote is removed again here, so an export re-imports
    unchanged.
    """
    text = unicodedata.normalize("NFKC", cell_text(raw)).strip()
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
