"""The blank import template an importer offers for download (headers + 填写说明)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

REQUIRED_FILL = PatternFill("solid", fgColor="FDE9D9")


def write_template(importer, target) -> None:
    """Headers exactly as the importer names them; required ones shaded, notes on sheet 2."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.label or _("导入模板"))
    for index, column in enumerate(importer.columns, 1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        if column.required:
            cell.fill = REQUIRED_FILL
        dimension = sheet.column_dimensions[cell.column_letter]
        dimension.width = max(12, len(column.header) * 2 + 4)
        # Codes and phone numbers must stay text, or Excel rounds 18-digit codes:
        # a column style applies to every cell a person types into.
        dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("说明")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in importer.columns:
        notes.append(
            [
                str(column.header),
                str(_("必填") if column.required else _("选填")),
                str(importer.column_help(column)),
            ]
        )
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 100
    workbook.save(target)
