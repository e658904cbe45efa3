"""An import's columns and rows: what a file's cells are and what a row carries.

`Column` describes one column of the file, its template and its export; `Row`
is one data row on its way through the `Importer` pipeline (`base.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import models

from xuanpei.core.imports.result import RowError


@dataclass(frozen=True)
class Column:
    """One column of an import file (and of its template and export)."""

    key: str  # model field name, or a name the importer's clean_<key> understands
    header: str  # the template's header, exactly
    aliases: tuple[str, ...] = ()  # other headers people use for it
    required: bool = False
    help: str = ""  # shown on the template's 填写说明 sheet
    parse: Callable[[str], Any] | None = None  # text → value, raises ValidationError
    # NFKC the cell (codes, names). False for free text whose full-width punctuation
    # must survive a round trip (a task's content: “，” would become “,”).
    normalize: bool = True
    # The row.data keys this column fills, when not just `key` (a 完成时限 cell gives
    # timeframe, start_date, end_date, timeframe_note): left out together when blank.
    fields: tuple[str, ...] = ()
    # The values a person may pick: a sequence of labels, or a callable giving them
    # (read from the database when the template is made). The template offers them
    # as an Excel drop-down; `Importer.column_choices` may compute them instead.
    choices: Sequence[str] | Callable[[], Sequence[str]] | None = None

    @property
    def data_keys(self) -> tuple[str, ...]:
        return self.fields or (self.key,)


@dataclass
class Row:
    """One data row on its way through the pipeline."""

    number: int  # Excel row number
    text: dict[str, str]  # column key → cleaned cell text (only the file's columns)
    data: dict[str, Any] = field(default_factory=dict)  # column key → parsed value
    errors: list[RowError] = field(default_factory=list)
    instance: models.Model | None = None  # the existing row (update) or None (create)
    target: models.Model | None = None  # what will be saved
    changed: list[str] = field(default_factory=list)  # model fields that differ
    m2m: dict[str, list] = field(default_factory=dict)  # many-to-many values to set
    action: str = ""  # "created", "updated" or "unchanged"
    blank: set[str] = field(default_factory=set)  # column keys left blank (kept on update)
    cleared: set[str] = field(default_factory=set)  # column keys marked （清空）
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)

    @property
    def ok(self) -> bool:
        return not self.errors


def chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
