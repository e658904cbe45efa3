"""The blank import template an importer offers for download (headers + 填写说明).

A column with choices (`Column.choices` or `Importer.column_choices`: 规模, 风险等级,
岗位, 证书类型 …) gets an Excel drop-down. The values sit on a hidden 选项 sheet
and the validation refers to their range: an inline list is capped at 255
characters, a range is not. Other values are still accepted by Excel with a
warning, because the importer reads aliases too (重大 / 红 for 重大风险（红）).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from xuanpei.core.imports.changes import CLEAR_MARKER, clear_note
from xuanpei.core.imports.values import neutralise, safe_row

REQUIRED_FILL = PatternFill("solid", fgColor="FDE9D9")
# Rows of the first sheet that get the drop-downs (a template is filled by hand).
VALIDATED_ROWS = 5000


def write_template(importer, target) -> None:
    """Headers exactly as the importer names them; required ones shaded, notes on sheet 2."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(importer.label or _("导入模板"))
    for index, column in enumerate(importer.columns, 1):
        cell = sheet.cell(row=1, column=index, value=neutralise(str(column.header)))
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
    notes.append(safe_row([_("列名"), _("是否必填"), _("说明"), _("可填“（清空）”")]))
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in importer.columns:
        notes.append(
            safe_row(
                [
                    str(column.header),
                    str(_("必填") if column.required else _("选填")),
                    str(importer.column_help(column)),
                    str(_("可") if importer.column_clearable(column) else _("否")),
                ]
            )
        )
    notes.append([])
    notes.append(safe_row([str(_("留空与清空")), "", clear_note()]))
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 100
    notes.column_dimensions["D"].width = 14
    _drop_downs(workbook, sheet, importer)
    workbook.save(target)


def _drop_downs(workbook, sheet, importer) -> None:
    options = None
    for index, column in enumerate(importer.columns, 1):
        values = importer.column_choices(column)
        if not values:
            continue
        if options is None:
            options = workbook.create_sheet(_("选项"))
            options.sheet_state = "hidden"
        if importer.column_clearable(column):
            values = [*values, CLEAR_MARKER]  # an update's blank keeps; this clears
        letter = get_column_letter(index)  # the same letter as the column it serves
        options[f"{letter}1"] = neutralise(str(column.header))
        # Options are names someone typed (units, sectors): text, never formulas.
        for row, value in enumerate(safe_row(values), 2):
            options[f"{letter}{row}"] = value
        source = f"{quote_sheetname(options.title)}!${letter}$2:${letter}${len(values) + 1}"
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=str(_("不在可选值中")),
            error=str(_("请从下拉列表中选择；也可按填写说明填写")),
        )
        column_letter = get_column_letter(index)
        validation.add(f"{column_letter}2:{column_letter}{VALIDATED_ROWS + 1}")
        sheet.add_data_validation(validation)
