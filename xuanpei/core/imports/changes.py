"""Blank, clear and change: what an import does to a record that already exists (issue #8).

- A blank cell in an update leaves the field as it is: a file that fills only
  the required columns must not erase what others recorded.
- Clearing takes the explicit marker （清空） (or (清空), any width or spacing).
  A required column cannot be cleared.
- Every field an update changes is listed as a `FieldChange` (Chinese column
  label, choices by label, related objects by name), on the preview and in the
  report's 变更明细 sheet.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

CLEAR_MARKER = "（清空）"
_CLEAR_KEY = "(清空)"


def is_clear_marker(text: str) -> bool:
    """（清空） / (清空) / （ 清空 ）: NFKC makes the brackets half-width."""
    if not text or "空" not in text:  # a fast way out for the millions of ordinary cells
        return False
    return "".join(unicodedata.normalize("NFKC", text).split()) == _CLEAR_KEY


def clear_note() -> str:
    """The 填写说明 sheet's line on blank and clear (the same words as the import pages)."""
    return _(
        "更新已有记录时，选填列留空表示保持原值不变；要清空某一项，请在该格填写“%(marker)s”。"
        "必填列不能清空。"
    ) % {"marker": CLEAR_MARKER}


@dataclass(frozen=True)
class FieldChange:
    """One field an import changes on an existing record: row, record, field label, old → new."""

    row: int
    object: str
    field: str
    old: str
    new: str


def display(value, model_field=None) -> str:
    """A value as a person reads it: choices by label, objects by name, lists joined by 、."""
    if value is None or value == "":
        return ""
    if model_field is not None and getattr(model_field, "choices", None):
        labels = dict(model_field.flatchoices)
        if value in labels:
            return str(labels[value])
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(sorted(display(v) for v in value))
    return str(value)
