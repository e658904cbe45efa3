"""Spreadsheet import machinery shared by every app (issue #2 point 8).

reader.py    file → rows numbered as in Excel (xlsx/xls via calamine, csv UTF-8/GBK)
headers.py   find the header row, map header variants to columns
values.py    cell → clean text (NFKC, formulas rejected), small parsers
base.py      Importer: columns, per-row clean, scope check, write_rows
result.py    ImportResult and RowError
report.py    the xlsx error report; template.py the blank template
registry.py  importers/exporters by name (`<app>/importers.py`)
service.py   run an import from the CLI, a page or a background Job
"""

from xuanpei.core.imports.base import Column, Importer, ImportScopeViolation, Row
from xuanpei.core.imports.reader import ImportFileError
from xuanpei.core.imports.registry import (
    get_exporter,
    get_importer,
    register_exporter,
    register_importer,
)
from xuanpei.core.imports.result import ImportResult, RowError

__all__ = [
    "Column",
    "ImportFileError",
    "ImportResult",
    "ImportScopeViolation",
    "Importer",
    "Row",
    "RowError",
    "get_exporter",
    "get_importer",
    "register_exporter",
    "register_importer",
]
