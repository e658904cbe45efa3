"""Helpers for tests of importers: build spreadsheet files in memory."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook


def xlsx_bytes(rows: list[list], *, title_rows: list[list] | None = None) -> bytes:
    """An xlsx whose first sheet holds `title_rows` then `rows` (header first)."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [*(title_rows or []), *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8") -> bytes:
    """A csv in `encoding` ("utf-8-sig" for a BOM, "gbk" as Excel on Chinese Windows)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding)
