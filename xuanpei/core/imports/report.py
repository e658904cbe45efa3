"""The downloadable error report: one xlsx row per rejected cell (row, column, value, reason)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from xuanpei.core.imports.result import RowError


def write_error_report(errors: Iterable[RowError | dict], target) -> None:
    """Write the report to `target` (a path or a binary file object)."""
    from xuanpei.core.exports import write_xlsx  # exports imports the import values module

    def rows():
        for error in errors:
            if isinstance(error, dict):
                error = RowError(**error)
            yield [error.row, error.column, error.value, error.message]

    write_xlsx(
        [_("行号"), _("列"), _("内容"), _("错误原因")],
        rows(),
        target,
        title=_("错误报告"),
        widths=(10, 20, 40, 60),
    )
