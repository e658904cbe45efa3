"""Find the header row and map its cells to an importer's columns.

People add a title row or two above the header ("2024年企业名单"), type headers
with stray spaces or full-width characters, mark required columns with * or
（必填）, and use common variants (信用代码 for 统一社会信用代码). All of these
map to the same column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from xuanpei.core.imports.reader import ImportFileError

# How far down a header row may sit below title rows.
HEADER_SEARCH_ROWS = 20

_SPACES = re.compile(r"\s+")
# A trailing note in brackets, e.g. "企业名称（必填）" or "规模(大型/中型)".
_NOTE = re.compile(r"[(\[【][^)\]】]*[)\]】]$")


def normalize_header(text) -> str:
    """The comparable form of a header cell: NFKC, no spaces, no required marks or notes."""
    value = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    value = _SPACES.sub("", value)
    value = value.strip("*＊")
    value = _NOTE.sub("", value)
    # NFKC again: removing spaces or upper-casing can leave a decomposed sequence.
    return unicodedata.normalize("NFKC", value.strip("*:：").upper())


@dataclass(frozen=True)
class HeaderMap:
    """Where each column sits: `positions[key]` is a 0-based index into the row."""

    row_number: int  # Excel row of the header
    positions: dict[str, int]


def find_header(first_rows: Sequence[tuple[int, list]], columns: Sequence) -> HeaderMap:
    """Pick the row that names the most known columns; it must name every required one."""
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup[normalize_header(name)] = column.key
    best: tuple[int, list[str], dict[str, int]] | None = None
    for number, cells in first_rows[:HEADER_SEARCH_ROWS]:
        positions: dict[str, int] = {}
        duplicates: list[str] = []
        for index, cell in enumerate(cells):
            key = lookup.get(normalize_header(cell))
            if key is None:
                continue
            if key in positions:
                duplicates.append(str(cell).strip())
            positions.setdefault(key, index)
        if positions and (best is None or len(positions) > len(best[2])):
            best = (number, duplicates, positions)
    required = [c for c in columns if c.required]
    if best is None:
        raise ImportFileError(
            _("未找到表头行：请在前 %(n)d 行内写明列名，如 %(names)s")
            % {"n": HEADER_SEARCH_ROWS, "names": "、".join(c.header for c in required)}
        )
    number, dup_names, positions = best
    if dup_names:
        raise ImportFileError(
            _("第 %(row)d 行表头中有重复的列：%(names)s")
            % {"row": number, "names": "、".join(dup_names)}
        )
    missing = [c.header for c in required if c.key not in positions]
    if missing:
        raise ImportFileError(
            _("第 %(row)d 行表头缺少必填列：%(names)s")
            % {"row": number, "names": "、".join(missing)}
        )
    return HeaderMap(row_number=number, positions=positions)
