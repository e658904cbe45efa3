"""Spreadsheet export: exactly the scoped, filtered rows a person is looking at (style.md §10).

An `Exporter` names its columns (the same headers as its importer's template,
so an export re-imports unchanged) and turns one object into one row. Rows are
written with openpyxl's write-only mode from `queryset.iterator(chunk_size)`,
so memory stays flat however many rows there are. Every text cell starting with
= + - @ is prefixed with a quote, so a spreadsheet never runs it as a formula;
the importer removes exactly that quote again.

    @register_exporter
    class EnterpriseExporter(Exporter):
        name = "enterprises"
        model = Enterprise
        headers = [...]
        def row(self, obj): ...
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from xuanpei.core.imports.registry import get_exporter
from xuanpei.core.imports.values import safe_row
from xuanpei.core.views import ObjectListView

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Exporter:
    """Base class: subclasses set `name`, `label`, `model`, `headers` and write `row()`."""

    name = ""
    label = ""
    model = None
    headers: list[str] = []
    chunk_size = 2000

    def __init__(self, *, user=None):
        """`user=None` exports everything (the CLI without --user)."""
        self.user = user

    def queryset(self):
        """Every row the user may export (the CLI's starting point; pages filter further)."""
        qs = self.model._default_manager.all()
        return qs if self.user is None else qs.for_user(self.user, "export")

    def prepare(self, qs):
        """Add select_related/prefetch_related for `row()`; called once per export."""
        return qs

    def row(self, obj) -> list:
        raise NotImplementedError

    def rows(self, qs) -> Iterable[list]:
        for obj in self.prepare(qs).iterator(chunk_size=self.chunk_size):
            yield self.row(obj)

    def write(self, qs, target) -> int:
        """Write `qs` (already scoped and filtered) to `target`; returns the row count."""
        return write_xlsx(self.headers, self.rows(qs), target, title=self.label or self.name)

    def filename(self) -> str:
        return f"{self.label or self.name}-{timezone.localdate():%Y%m%d}.xlsx"


def write_xlsx(
    headers: list[str],
    rows: Iterable[list],
    target,
    *,
    title: str = "Sheet",
    widths: Iterable[int] = (),
) -> int:
    """Stream rows into a write-only workbook; text cells are neutralised (exports and
    error reports alike echo values someone else typed: none may run as a formula)."""
    workbook = Workbook(write_only=True)
    count = write_sheet(workbook, headers, rows, title=title, widths=widths)
    workbook.save(target)
    return count


def write_sheet(
    workbook, headers: list[str], rows: Iterable[list], *, title: str, widths: Iterable[int] = ()
) -> int:
    """Append one sheet (bold headers, neutralised text) to a write-only workbook."""
    sheet = workbook.create_sheet(str(title)[:31])
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        [value] = safe_row([str(text)])
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for values in rows:
        sheet.append(safe_row(values))
        count += 1
    return count


def xlsx_response(write, filename: str) -> FileResponse:
    """Run `write(fileobj)` into a temporary file and send it as a download."""
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    write(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


class ObjectExportView(ObjectListView):
    """Export the list page's rows: same scope (action "export"), filterset and sort.

    Subclasses set `queryset`, `filterset_class`, `ordering_fields` like the list
    view and `exporter_name`; the list links here with its current query string.
    """

    action = "export"
    exporter_name = ""

    def get(self, request, *args, **kwargs):
        exporter = get_exporter(self.exporter_name)(user=request.user)
        qs = self.get_queryset()
        return xlsx_response(lambda fh: exporter.write(qs, fh), exporter.filename())
