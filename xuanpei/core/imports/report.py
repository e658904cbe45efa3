"""The downloadable import report, and the rows the preview pages through (issue #8 item 10).

The report's sheets:
  1. the original sheet (title rows, header, data) with each bad cell filled red
     and commented with its reason, and a 错误原因 column appended — fix the red
     cells and upload the same file again;
  2. 错误列表: one row per rejected cell (行号, 列, 内容, 错误原因);
  3. 变更明细: one row per field an update changes (行号, 对象, 字段, 原值, 新值).
Sheet 1 needs the uploaded file (`ReportSource`); without it the report starts at 2.

Writing sheet 1 also collects the bad rows as the file has them (`detail`), which
the preview shows a page at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from itertools import chain, islice

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from xuanpei.core.imports.changes import FieldChange
from xuanpei.core.imports.headers import HEADER_SEARCH_ROWS, find_header
from xuanpei.core.imports.reader import ImportFileError, read_table
from xuanpei.core.imports.result import RowError
from xuanpei.core.imports.values import cell_text, neutralise, safe_row

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
# Sheet 1 copies every row of files up to this size; past it only the header and
# the bad rows (a million-row roster's report stays quick to write and to open).
FULL_SHEET_MAX_ROWS = 100_000
# The bad rows and changes kept for the preview's pages; the report has all of them.
DETAIL_LIMIT = 20_000


@dataclass(frozen=True)
class ReportSource:
    """The uploaded file and the importer's columns, to copy the original sheet."""

    data: object  # bytes or a path
    filename: str
    columns: Sequence


def _error(error) -> RowError:
    return RowError(**error) if isinstance(error, dict) else error


def _change(change) -> FieldChange:
    return FieldChange(**change) if isinstance(change, dict) else change


def _bold_row(sheet, values) -> list:
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def _value(raw):
    """A cell as the file had it; text is neutralised (it echoes what someone typed)."""
    [value] = safe_row([raw])
    return value


def _original_sheet(workbook, source: ReportSource, by_row: dict[int, list[RowError]]) -> dict:
    """Copy the file's first sheet with the bad cells marked; return the preview's detail."""
    table = read_table(source.data, filename=source.filename, max_bytes=0)
    rows = iter(table.rows)
    head = list(islice(rows, HEADER_SEARCH_ROWS))
    header = find_header(head, source.columns)
    index_of = {
        str(c.header): header.positions[c.key] for c in source.columns if c.key in header.positions
    }
    sheet = workbook.create_sheet(str(_("原表（标出错误）")))
    header_cells: list[str] = []
    bad_rows: list[dict] = []
    copied = 0
    reason_header = str(_("错误原因"))
    width = 0
    for number, cells in chain(head, rows):
        if number < header.row_number:
            sheet.append([_value(v) for v in cells])
            continue
        if number == header.row_number:
            header_cells = [cell_text(v) for v in cells]
            width = len(header_cells)
            sheet.append(_bold_row(sheet, [*cells, reason_header]))
            continue
        errors = by_row.get(number)
        if not errors:
            copied += 1
            if copied <= FULL_SHEET_MAX_ROWS:
                sheet.append([_value(v) for v in cells])
            continue
        values = list(cells) + [""] * (width - len(cells))
        marks: dict[int, list[str]] = {}
        for error in errors:
            index = index_of.get(error.column)
            if index is not None:  # else (no such column in the file) only the reason says it
                marks.setdefault(index, []).append(error.message)
        out = []
        for index, raw in enumerate(values):
            cell = WriteOnlyCell(sheet, value=_value(raw))
            if index in marks:
                cell.fill = BAD_FILL
                cell.font = BAD_FONT
                cell.comment = Comment("；".join(marks[index]), "宣培通", width=240, height=80)
            out.append(cell)
        reasons = [f"{e.column}：{e.message}" if e.column else e.message for e in errors]
        reason = WriteOnlyCell(sheet, value=neutralise("；".join(reasons)))
        reason.font = BAD_FONT
        sheet.append([*out, reason])
        if len(bad_rows) < DETAIL_LIMIT:
            bad_rows.append(
                {
                    "row": number,
                    "cells": [cell_text(v) for v in values],
                    "marks": {str(i): "；".join(m) for i, m in marks.items()},
                    "reasons": reasons,  # all of them: the first thing a phone shows
                }
            )
    return {"header": header_cells, "rows": bad_rows}


def write_error_report(
    errors: Iterable[RowError | dict],
    target,
    *,
    changes: Iterable[FieldChange | dict] = (),
    source: ReportSource | None = None,
) -> dict:
    """Write the report to `target` (a path or a binary file object); return the detail.

    The detail is what the preview pages through: the bad rows as in the file
    (`header`, `rows` with `cells` and `marks` by column index) and the changes.
    """
    from xuanpei.core.exports import write_sheet  # exports imports the import values module

    errors = [_error(e) for e in errors]
    changes = [_change(c) for c in changes]
    workbook = Workbook(write_only=True)
    detail: dict = {"header": [], "rows": [], "changes": []}
    if source is not None and errors:
        by_row: dict[int, list[RowError]] = {}
        for error in errors:
            by_row.setdefault(error.row, []).append(error)
        # A file gone or unreadable by now: the lists below still say everything.
        with suppress(ImportFileError):
            detail.update(_original_sheet(workbook, source, by_row))
    if errors or not changes:
        write_sheet(
            workbook,
            [_("行号"), _("列"), _("内容"), _("错误原因")],
            ([e.row, e.column, e.value, e.message] for e in errors),
            title=_("错误列表"),
            widths=(10, 20, 40, 60),
        )
    if changes:
        write_sheet(
            workbook,
            [_("行号"), _("对象"), _("字段"), _("原值"), _("新值")],
            ([c.row, c.object, c.field, c.old, c.new] for c in changes),
            title=_("变更明细"),
            widths=(10, 36, 16, 36, 36),
        )
        detail["changes"] = [asdict(c) for c in changes[:DETAIL_LIMIT]]
    workbook.save(target)
    return detail
