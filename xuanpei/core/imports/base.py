"""The Importer base class: columns in, validated rows, one transaction out.

A concrete importer declares its columns and natural key, and may add
`clean_<key>` methods (like a Django form), a cross-field `clean_row`, a batch
`prepare`, a `check_scope` and its own `save_row`/`write_rows`:

    class EnterpriseImporter(Importer):
        name = "enterprises"
        model = Enterprise
        key_field = "uscc"
        columns = (Column("name", "企业名称", required=True), ...)

The pipeline (`run`), in chunks of `chunk_size` rows:
  read cells (formulas rejected) → prepare (batch look-ups) → clean each row →
  duplicate keys in the file → attach existing rows (scoped) → check scope once
  for the chunk → plan (created/updated/unchanged, model validation) → write.
A dry run stops before writing. A commit runs every chunk inside one
transaction: the accepted rows all land, or, if anything fails, nothing does.
A commit is audited as one import batch (`batches.py`, issue #10), not by a
django-auditlog entry per object.

An update never erases (`changes.py`): a blank cell leaves its field as stored,
（清空） clears it, and each changed field is reported old → new.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import logging
import threading
import time
from collections.abc import Callable
from itertools import chain, islice
from typing import Any

from auditlog.context import disable_auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EMPTY_VALUES
from django.db import models, transaction
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.core.field_rules import locked_fields, refusal
from xuanpei.core.imports.batches import (
    BatchRows,
    begin_batch,
    discard_kept_file,
    finish_batch,
    mask_rule,
    mask_text,
)
from xuanpei.core.imports.changes import FieldChange, display, is_clear_marker
from xuanpei.core.imports.headers import HEADER_SEARCH_ROWS, HeaderMap, find_header
from xuanpei.core.imports.reader import ImportFileError, read_table
from xuanpei.core.imports.result import PREVIEW_LIMIT, ImportResult, RowError
from xuanpei.core.imports.rows import Column, Row, chunks
from xuanpei.core.imports.values import clean_cell
from xuanpei.core.permissions import has_action
from xuanpei.core.views import ScopeViolation

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


_CONTAINERS = (list, tuple, dict)  # with None and "", Django's EMPTY_VALUES


_collections_lock = threading.Lock()
_collections_users = [0, None]  # imports inside _fewer_collections, the threshold before


@contextlib.contextmanager
def _fewer_collections():
    """An import allocates millions of short-lived objects and next to no cycles: the
    cyclic collector's youngest generation runs every 50,000 allocations instead of 700
    (it took ~12 % of a large import), as it was once the last import is done. The
    threshold is the process's: imports running in threads share one count, so one
    finishing never restores it under another (nor leaves it raised)."""
    with _collections_lock:
        if _collections_users[0] == 0:
            _collections_users[1] = gc.get_threshold()
            old = _collections_users[1]
            gc.set_threshold(max(old[0], 50_000), *old[1:])
        _collections_users[0] += 1
    try:
        yield
    finally:
        with _collections_lock:
            _collections_users[0] -= 1
            if _collections_users[0] == 0:
                gc.set_threshold(*_collections_users[1])


def _field_kind(model, key: str) -> tuple[str | None, str]:
    """("m2m" | "fk" | "field" | None, attname) of `model`'s field `key` (None: not a field)."""
    try:
        f = model._meta.get_field(key)
    except Exception:  # noqa: BLE001 - a column that is not a model field
        return None, ""
    kind = "m2m" if f.many_to_many else "fk" if f.is_relation else "field"
    return kind, f.attname


class AllOrNothingRejected(Exception):
    """Raised inside the commit's transaction to roll it back (all-or-nothing)."""


def all_or_nothing_message(rejected: int) -> str:
    return _("有 %(n)d 行未通过校验，按“全部或全不导入”的要求，所有数据均未写入") % {"n": rejected}


class ImportScopeViolation(Exception):
    """A written row is not in the importer's scoped queryset: the commit is rolled back."""


class Importer:
    """Base class of every import; see the module docstring for the pipeline."""

    name = ""  # registry name: `xuanpei import <name>`
    label = ""  # what the rows are, for messages: "企业"
    # What the counts count, for the pages ("将新增和更新的企业数"); the label if unset.
    noun = ""
    model: type[models.Model] | None = None
    columns: tuple[Column, ...] = ()
    key_field = ""  # natural key used for upserts; a column key and a model field
    action = "import"
    chunk_size = 1000
    # True: one bad row and nothing is written, whatever the caller asks (a plan table).
    all_or_nothing = False
    # True: a chunk's created and updated rows are written set-based (`bulk.py`) instead
    # of `save_row` one by one; for importers whose save_row is the base one (receivers
    # that must hear of the writes listen to `bulk.written`).
    bulk_write = False
    # Column keys whose parse depends on the cell's text alone (not on the row or on
    # what earlier rows did): parsed once per distinct text per import.
    memo_columns: tuple[str, ...] = ()

    # The commit's import batch and its change table (issue #10); None outside a commit.
    batch = None
    batch_rows: BatchRows | None = None

    # Options an importer understands beyond the common ones (e.g. the roster's
    # "enterprise"); the CLI and the service pass them through as `options`.
    options_supported: tuple[str, ...] = ()

    def __init__(self, *, user=None, remote_addr: str | None = None, options: dict | None = None):
        """`user=None` is a system import with full scope (the CLI without --user)."""
        self.user = user
        self.remote_addr = remote_addr
        self.options = {k: v for k, v in (options or {}).items() if v not in (None, "")}
        unknown = sorted(set(self.options) - set(self.options_supported))
        if unknown:
            raise ValueError(f"导入 {self.name} 不接受参数 {'、'.join(unknown)}")
        if user is not None and not has_action(user, self.model, self.action):
            raise PermissionDenied(_("您没有导入%(label)s的权限") % {"label": self.label})
        self.columns_by_key = {c.key: c for c in self.columns}
        # Per column key, worked out once: how its text is parsed (`clean_<key>` or the
        # column's parse; None: the text as it is); per data key, the model field it fills.
        self._parsers = {
            c.key: getattr(self, f"clean_{c.key}", None) or c.parse for c in self.columns
        }
        self._field_kinds: dict[str, tuple[str | None, str]] = {}  # filled by _kind
        # Answers that are the same on every row, kept for the importer's life: the
        # fields full_clean skips for a set of data keys, and field checks per value.
        self._excludes: dict[frozenset, list[str]] = {}
        self._clean_fields_of: dict[tuple, list] = {}
        self._field_answers: dict[tuple, tuple] = {}
        self._memo: dict[str, dict] = {}

    # --- Entry point ------------------------------------------------------------

    def run(
        self,
        data,
        *,
        filename: str,
        dry_run: bool = False,
        progress: Progress | None = None,
        all_or_nothing: bool = False,
        max_bytes: int | None = None,
    ) -> ImportResult:
        """Read, validate and (unless `dry_run`) write. Raises ImportFileError for a bad file.

        `data` is the file's bytes or a path to it. With `all_or_nothing`, one
        rejected row means nothing is written.
        """
        all_or_nothing = all_or_nothing or self.all_or_nothing
        table = read_table(data, filename=filename, max_bytes=max_bytes)
        rows = iter(table.rows)
        head = list(islice(rows, HEADER_SEARCH_ROWS))
        header = find_header(head, self.columns)
        body = chain((r for r in head if r[0] > header.row_number), rows)
        result = ImportResult(dry_run=dry_run)
        self._memo = {key: {} for key in self.memo_columns}
        self.begin()
        if dry_run:
            self._process(body, header, result, total=table.total, progress=progress, write=False)
        else:
            started = time.monotonic()
            try:
                # The import is audited as one batch (issue #10): no LogEntry per object.
                with (
                    transaction.atomic(),
                    acting_as(self.user, remote_addr=self.remote_addr),
                    disable_auditlog(),
                ):
                    self.batch = begin_batch(self, data=data, filename=filename)
                    result.batch_file = self.batch.file_path
                    self.batch_rows = BatchRows(self.batch)
                    self._process(
                        body, header, result, total=table.total, progress=progress, write=True
                    )
                    if all_or_nothing and result.rejected:
                        raise AllOrNothingRejected
                    self.batch_rows.flush()
                    finish_batch(self.batch, result, started=started)
                    result.batch_id = self.batch.pk
            except AllOrNothingRejected:
                result.commit_failed(all_or_nothing_message(result.rejected))
            except ImportFileError:
                raise
            except Exception as exc:  # noqa: BLE001 - the person gets a message, never a 500
                logger.exception("import %s failed during commit", self.name)
                result.commit_failed(self.commit_error_message(exc))
            finally:
                if result.batch_id is None:  # rolled back: the kept copy goes too
                    discard_kept_file(result.batch_file)
                    result.batch_file = ""
                self.batch = self.batch_rows = None
        if result.rows == 0 and not result.error:
            raise ImportFileError(
                _("文件中没有数据行（表头在第 %(row)d 行）") % {"row": header.row_number}
            )
        return result

    def commit_error_message(self, exc: Exception) -> str:
        if isinstance(exc, ImportScopeViolation | ScopeViolation):
            reason = _("有数据超出您的管辖范围")
        elif isinstance(exc, ValidationError):
            reason = "；".join(exc.messages)
        else:
            reason = _("数据库写入出错，请稍后重试或联系管理员")
        return _("提交失败，所有数据均未写入：%(reason)s") % {"reason": reason}

    # --- Hooks for subclasses ---------------------------------------------------

    def begin(self) -> None:
        """Once per import, before the first row: load small look-up tables."""

    def prepare(self, rows: list[Row]) -> None:
        """Once per chunk, before rows are cleaned: batch look-ups for the chunk."""

    def clean_row(self, row: Row) -> None:
        """Cross-column checks on a row whose cells all parsed; call `self.reject`."""

    def check_scope(self, rows: list[Row]) -> None:
        """Once per chunk: reject rows whose target lies outside the user's scope."""

    def column_help(self, column: Column) -> str:
        """The template's note for a column; override to list allowed values."""
        return column.help

    def column_choices(self, column: Column) -> list[str]:
        """The template's drop-down values for a column (none: free text)."""
        choices = column.choices() if callable(column.choices) else column.choices
        return [str(c) for c in choices or ()]

    def column_clearable(self, column: Column) -> bool:
        """May （清空） empty this column? Any optional one, unless the importer says not."""
        return not column.required

    def field_changes(self, row: Row) -> list[tuple[str, str, str]]:
        """(label, old, new) for each field an update changes, as a person reads them.

        The label is the column's header (the word the file uses) or else the
        model field's verbose name; override for fields that are not model fields.
        """
        headers = {c.key: str(c.header) for c in self.columns}
        changes = []
        for name in row.changed:
            try:
                model_field = self.model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - a pseudo-field the importer describes itself
                continue
            if model_field.auto_created and not model_field.concrete:
                continue  # a reverse relation (a task's targets): the importer describes it
            label = headers.get(name) or str(model_field.verbose_name)
            if model_field.many_to_many:
                old = list(getattr(row.instance, name).all())
                new = row.m2m.get(name, [])
            else:
                old, new = getattr(row.instance, name), getattr(row.target, name)
            changes.append((label, display(old, model_field), display(new, model_field)))
        return changes

    def describe(self, row: Row) -> str:
        """A short label for the preview: which record this row is."""
        return str(row.data.get(self.key_field, ""))

    def queryset(self):
        """Existing rows the user may import over; the system user has them all."""
        manager = self.model._default_manager
        if self.user is None:
            return manager.all()
        return manager.all().for_user(self.user, self.action)

    def existing_queryset(self, qs):
        """Add select_related/prefetch_related needed to compare existing rows."""
        return qs

    def write_rows(self, rows: list[Row]) -> None:
        """Persist a chunk's created and updated rows (already in a transaction).

        Row by row: each `save_row` runs inside `batch_rows.capture`, which records
        what it writes (the row's object and what services write beside it) as rows
        of the import batch. A high-volume importer overrides this with bulk_create/
        COPY and calls `self.batch_rows.add` itself.
        """
        if self.bulk_write and self.batch_rows is not None:
            from xuanpei.core.imports import bulk

            bulk.write_created(self, [r for r in rows if r.action == "created"])
            bulk.write_updated(self, [r for r in rows if r.action == "updated"])
            return
        for row in rows:
            if self.batch_rows is None:
                self.save_row(row)
                continue
            with self.batch_rows.capture(
                row.number, main=row.target, changes=self.masked_changes(row)
            ):
                self.save_row(row)

    def record_unchanged(self, rows: list[Row]) -> None:
        """The accepted rows that change nothing, in the batch's change table."""
        if self.batch_rows is None:
            return
        for row in rows:
            obj = row.instance
            self.batch_rows.add(
                row_number=row.number, obj=obj, action="unchanged", repr=self.object_repr(obj)
            )

    def object_repr(self, obj) -> str:
        """How the change table names an object (masked where the log masks)."""
        return str(obj)

    def masked_changes(self, row: Row) -> list[tuple[str, str, str]]:
        """`row.changes` with the values of fields auditlog masks (ID numbers) masked."""
        names, mask = mask_rule(self.model)
        if not names or not row.changes:
            return row.changes
        headers = {c.key: str(c.header) for c in self.columns}
        labels = set()
        for name in names:
            labels.add(headers.get(name, ""))
            with contextlib.suppress(Exception):  # a mask on a field the model lacks
                labels.add(str(self.model._meta.get_field(name).verbose_name))
        return [
            (label, mask_text(old, mask), mask_text(new, mask))
            if label in labels
            else (label, old, new)
            for label, old, new in row.changes
        ]

    def save_row(self, row: Row) -> None:
        obj = row.target
        if row.action == "created":
            if self.user is not None and hasattr(obj, "created_by_id"):
                obj.created_by = self.user
            obj.save()
        elif row.changed:
            scalar = [f for f in row.changed if f not in row.m2m]
            if scalar:
                obj.save(update_fields=self._update_fields(scalar))
        for name, values in row.m2m.items():
            if row.action == "created" or name in row.changed:
                getattr(obj, name).set(values)

    def verify_scope(self, rows: list[Row]) -> None:
        """Re-query the scoped queryset for what was written (style.md §8)."""
        if self.user is None or not rows:
            return
        pks = {row.target.pk for row in rows}
        if self.queryset().filter(pk__in=pks).count() != len(pks):
            raise ImportScopeViolation

    # --- Helpers ------------------------------------------------------------------

    def reject(self, row: Row, key: str | None, message: str) -> None:
        column = self.columns_by_key.get(key) if key else None
        row.errors.append(
            RowError(
                row=row.number,
                column=column.header if column else "",
                value=row.text.get(key, "") if key else "",
                message=str(message),
            )
        )

    def _update_fields(self, names: list[str]) -> list[str]:
        fields = list(names)
        if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            fields.append("updated_at")
        return fields

    # --- The pipeline ---------------------------------------------------------------

    def _process(self, body, header: HeaderMap, result: ImportResult, *, total, progress, write):
        with _fewer_collections():
            self._process_chunks(body, header, result, total=total, progress=progress, write=write)

    def _process_chunks(self, body, header, result, *, total, progress, write):
        seen: dict[Any, int] = {}
        positions = [
            (key, index, self.columns_by_key[key].normalize)
            for key, index in header.positions.items()
        ]
        for chunk in chunks(body, self.chunk_size):
            rows = [r for r in (self._read_row(n, cells, positions) for n, cells in chunk) if r]
            self.prepare([r for r in rows if r.ok])
            for row in rows:
                if row.ok:
                    self._clean(row, seen)
            live = [r for r in rows if r.ok]
            self._attach_existing(live)
            live = [r for r in live if r.ok]
            self._keep_blank(live)
            self.check_scope(live)
            for row in live:
                if row.ok:
                    self._plan(row)
            accepted = [r for r in live if r.ok]
            for row in accepted:  # before writing: services may update row.instance in place
                if row.action == "updated":
                    row.changes = self.field_changes(row)
            if write:
                changed = [r for r in accepted if r.action != "unchanged"]
                self.write_rows(changed)
                self.verify_scope(changed)
                self.record_unchanged([r for r in accepted if r.action == "unchanged"])
            self._tally(result, rows, accepted)
            if progress and chunk:
                progress(chunk[-1][0], total)

    def _read_row(self, number: int, cells: list, positions: list) -> Row | None:
        """`positions`: (key, cell index, normalize) of each column the header found."""
        row = Row(number=number, text={})
        text, width = row.text, len(cells)
        for key, index, normalize in positions:
            raw = cells[index] if index < width else ""
            try:
                text[key] = clean_cell(raw, normalize=normalize)
            except ValidationError as exc:
                text[key] = str(raw).strip()
                self.reject(row, key, exc.messages[0])
        if not row.errors and not any(row.text.values()):
            return None  # a blank row: Excel files often have some; not counted
        return row

    def _clean(self, row: Row, seen: dict) -> None:
        memos = self._memo
        for key, text in row.text.items():
            column = self.columns_by_key[key]
            if is_clear_marker(text):
                if column.required:
                    self.reject(
                        row, key, _("%(column)s是必填项，不能清空") % {"column": column.header}
                    )
                    continue
                # Parsed as an empty cell; only `blank` tells an update to keep the field.
                row.cleared.add(key)
                text = row.text[key] = ""
            elif not text:
                if column.required:
                    self.reject(row, key, _("%(column)s不能为空") % {"column": column.header})
                    continue
                row.blank.add(key)
            parse = self._parsers[key]
            memo = memos.get(key) if parse else None
            answer = memo.get(text) if memo is not None else None
            if answer is not None:
                value, messages = answer
                if type(value) is list:
                    value = list(value)  # each row its own list, as a parse would give
            else:
                value, messages = text, ()
                if parse:
                    try:
                        value = parse(text)
                    except ValidationError as exc:
                        value, messages = None, tuple(exc.messages)
                    if memo is not None:
                        memo[text] = (list(value) if type(value) is list else value, messages)
            if not messages:
                row.data[key] = value
            elif key in row.cleared:  # a parser that wants a value (a date): empty is None
                row.data[key] = self._empty_value(key)
            else:
                for message in messages:
                    self.reject(row, key, message)
        if row.ok:
            self.clean_row(row)
        if row.ok and self.key_field:
            key = row.data[self.key_field]
            if key in seen:
                self.reject(
                    row,
                    self.key_field,
                    _("与第 %(row)d 行的%(column)s重复，同一文件中不能出现两次")
                    % {"row": seen[key], "column": self.columns_by_key[self.key_field].header},
                )
            else:
                seen[key] = row.number

    def _empty_value(self, key: str):
        try:
            model_field = self.model._meta.get_field(key)
        except Exception:  # noqa: BLE001 - not a model field
            return ""
        return None if model_field.null else ""

    def _keep_blank(self, rows: list[Row]) -> None:
        """An update leaves out what its blank cells parsed to: the stored values stay."""
        for row in rows:
            if row.instance is None or not row.blank:
                continue
            for key in row.blank:
                for name in self.columns_by_key[key].data_keys:
                    row.data.pop(name, None)

    def _attach_existing(self, rows: list[Row]) -> None:
        if not self.key_field or not rows:
            return
        keys = {row.data[self.key_field] for row in rows}
        lookup = {f"{self.key_field}__in": keys}
        visible = {
            getattr(obj, self.key_field): obj
            for obj in self.existing_queryset(self.queryset().filter(**lookup))
        }
        hidden = set()
        if self.user is not None and len(visible) < len(keys):
            hidden = set(
                self.model._default_manager.filter(
                    **{f"{self.key_field}__in": keys - visible.keys()}
                ).values_list(self.key_field, flat=True)
            )
        header = self.columns_by_key[self.key_field].header
        for row in rows:
            key = row.data[self.key_field]
            row.instance = visible.get(key)
            if key in hidden:
                # Say no more than that it cannot be written: the record is not theirs to see.
                self.reject(
                    row,
                    self.key_field,
                    _("该%(column)s的%(label)s不在您的管辖范围内，不能导入或修改")
                    % {"column": header, "label": self.label},
                )

    def _plan(self, row: Row) -> None:
        # Plan on a copy: `row.instance` stays as stored, for services that diff it.
        obj = copy.copy(row.instance) if row.instance is not None else self.model()
        for key, value in row.data.items():
            kind, attname = self._kind(key)
            if kind is None:  # a column that is not a model field
                continue
            if kind == "m2m":
                current = {o.pk for o in getattr(obj, key).all()} if obj.pk else set()
                row.m2m[key] = list(value)
                if current != {o.pk for o in value}:
                    row.changed.append(key)
            elif kind == "fk":
                if getattr(obj, attname) != (value.pk if value else None):
                    setattr(obj, key, value)
                    row.changed.append(key)
            elif getattr(obj, key) != value:
                setattr(obj, key, value)
                row.changed.append(key)
        row.target = obj
        if row.instance is None:
            row.action = "created"
        else:
            row.action = "updated" if row.changed else "unchanged"
            self._refuse_locked(row)
        self._validate_model(row)

    def _kind(self, key: str) -> tuple[str | None, str]:
        if key not in self._field_kinds:
            self._field_kinds[key] = _field_kind(self.model, key)
        return self._field_kinds[key]

    def _refuse_locked(self, row: Row) -> None:
        """A change to a field the user may not change on this record (`core.field_rules`)
        is a row error naming the column, as the form and the API refuse it."""
        if self.user is None:
            return  # the CLI without --user acts for the bureau
        locked = locked_fields(self.user, self.model, row.instance)
        for key in row.changed:
            if key in locked:
                self.reject(row, key, refusal(self.model, key))

    def _validate_model(self, row: Row) -> None:
        """Field-level model validation (lengths, choices, validators) without queries."""
        excludes = self._excludes
        keys = frozenset(row.data)
        exclude = excludes.get(keys)
        if exclude is None:
            checked = {
                f.name
                for f in self.model._meta.concrete_fields
                if f.name in row.data and not f.is_relation
            }
            exclude = excludes[keys] = [
                f.name for f in self.model._meta.fields if f.name not in checked
            ]
        if type(row.target).clean is models.Model.clean:
            errors = self._clean_fields(row.target, exclude)  # full_clean's answer, faster
        else:
            try:
                row.target.full_clean(
                    exclude=exclude, validate_unique=False, validate_constraints=False
                )
                errors = {}
            except ValidationError as exc:
                errors = exc.message_dict
        for name, messages in errors.items():
            for message in messages:
                self.reject(row, name if name in self.columns_by_key else None, message)

    def _clean_fields(self, obj, exclude: list[str]) -> dict[str, list[str]]:
        """What `obj.full_clean(exclude=…)` checks for a model without its own `clean`:
        each field's `clean` (a field's answer for a value is the same on every row, so
        it is kept per value when the value can be a key)."""
        fields = self._clean_fields_of.get(tuple(exclude))
        if fields is None:
            skip = set(exclude)
            fields = [
                (
                    f,
                    bool(f.choices) or not isinstance(f, models.CharField | models.TextField),
                    f.empty_values == list(EMPTY_VALUES),
                )
                for f in self.model._meta.fields
                if f.name not in skip and not f.generated
            ]
            self._clean_fields_of[tuple(exclude)] = fields
        known = self._field_answers
        errors: dict[str, list[str]] = {}
        for f, keep, usual_empty in fields:  # keep: few distinct values (not free text)
            raw = getattr(obj, f.attname)
            if f.blank and (
                (raw is None or raw == "" or (type(raw) in _CONTAINERS and not raw))
                if usual_empty
                else raw in f.empty_values
            ):
                continue
            key = answer = None
            if keep:
                try:
                    key = (f.name, type(raw), raw)
                    answer = known.get(key)
                except TypeError:  # not hashable
                    key = None
            if answer is None:
                try:
                    answer = (True, f.clean(raw, obj))
                except ValidationError as exc:
                    answer = (False, exc.messages)
                if key is not None:
                    known[key] = answer
            ok, value = answer
            if ok:
                if value is not raw:
                    setattr(obj, f.attname, value)
            else:
                errors[f.name] = list(value)
        return errors

    def _tally(self, result: ImportResult, rows: list[Row], accepted: list[Row]) -> None:
        result.rows += len(rows)
        result.accepted += len(accepted)
        result.rejected += len(rows) - len(accepted)
        for row in rows:
            result.errors.extend(row.errors)
        for row in accepted:
            setattr(result, row.action, getattr(result, row.action) + 1)
            if row.changes:
                label = self.describe(row)
                result.changes.extend(FieldChange(row.number, label, *c) for c in row.changes)
            if len(result.outcomes) < PREVIEW_LIMIT:
                result.outcomes.append((row.number, row.action, self.describe(row)))
