"""The downloadable error report: one xlsx row per rejected cell (row, column, value, reason)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from xuanpei.core.imports.result import RowError
from xuanpei.core.imports.values import neutralise


def write_error_report(errors: Iterable[RowError | dict], target) -> None:
    """Write the report to `target` (a path or a binary file object)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误报告"))
    for letter, width in zip("ABCD", (10, 20, 40, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    headers = [_("行号"), _("列"), _("内容"), _("错误原因")]
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for error in errors:
        if isinstance(error, dict):
            error = RowError(**error)
        # The value came from someone else's file: never let it run as a formula.
        sheet.append([error.row, error.column, neutralise(error.value), error.message])
    workbook.save(target)
