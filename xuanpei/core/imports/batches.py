"""Import batches: every committed import is audited as one event (issue #10).

`Importer.run` (commit branch, inside the commit's transaction and under
`auditlog.context.disable_auditlog()`) calls

    batch = begin_batch(importer, data=data, filename=filename)   # the batch row + the kept file
    rows = BatchRows(batch)                                        # the change table, set-based
    ... rows.add(row_number=…, obj=…, action=…, changes=…, before=…, after=…)
    finish_batch(batch, result, started=started)                   # counts and duration

A set-based importer (the roster) calls `rows.add` itself. Row-by-row importers
write through `Importer.write_rows`, which opens `rows.capture(row)` around each
`save_row`: every save, delete and many-to-many change of a model registered with
django-auditlog inside it (the row's object and what its services write beside it:
a task's targets and assignments) becomes a batch row — what auditlog would have
logged object by object, with the raw old and new values a revert restores.

`before`/`after` hold attname → JSON value (`raw_value`); a many-to-many field is
stored under its name as the sorted list of related pks. `changes` holds
{label: [old, new]} as a person reads them, ID numbers masked as the log masks them.

If the transaction rolls back the batch row goes with it; the kept copy of the file
is not transactional, so the caller removes it (`discard_kept_file`).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import hashlib
import json
import time
import uuid
from contextvars import ContextVar
from pathlib import PurePath

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import connection, models
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext as _

from xuanpei.audit.models import ImportBatch, ImportBatchRow

# Rows buffered before one COPY / bulk_create.
FLUSH_ROWS = 5000
BATCH_DIR = "imports/batches"
SYSTEM_USERNAME = "系统"

Action = ImportBatchRow.Action
ACTIONS = {
    "created": Action.CREATED,
    "updated": Action.UPDATED,
    "unchanged": Action.UNCHANGED,
    "deleted": Action.DELETED,
}
COPY_COLUMNS = (
    "batch_id",
    "row_number",
    "content_type_id",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "before",
    "after",
)


# --- The batch row ----------------------------------------------------------------------


def begin_batch(importer, *, data, filename: str, options: dict | None = None) -> ImportBatch:
    """Create the batch row and keep a copy of the original file (inside the commit's
    transaction; see the module docstring). `data` is bytes or a path."""
    user = importer.user
    size, sha = file_digest(data)
    if options is None:
        options = getattr(importer, "options", {}) or {}
    batch = ImportBatch.objects.create(
        kind=ImportBatch.Kind.IMPORT,
        importer=importer.name,
        label=str(importer.label or "")[:50],
        user=user if getattr(user, "pk", None) else None,
        username=user.get_username() if user is not None else SYSTEM_USERNAME,
        remote_addr=getattr(importer, "remote_addr", None) or None,
        unit_id=getattr(user, "unit_id", None),
        enterprise_id=getattr(user, "enterprise_id", None),
        started_at=timezone.now(),
        file_name=PurePath(filename).name[:255],
        file_size=size,
        file_sha256=sha,
        options=_jsonable(options),
    )
    batch.file_path = keep_file(batch, data, filename=filename)
    batch.save(update_fields=["file_path"])
    return batch


def finish_batch(batch: ImportBatch, result, *, started: float) -> None:
    """Write the six counts, finished_at and duration_ms (`started` from time.monotonic())."""
    for name in ("rows", "accepted", "rejected", "created", "updated", "unchanged"):
        setattr(batch, name, getattr(result, name))
    batch.finished_at = timezone.now()
    batch.duration_ms = max(0, int((time.monotonic() - started) * 1000))
    batch.save(
        update_fields=[
            "rows",
            "accepted",
            "rejected",
            "created",
            "updated",
            "unchanged",
            "finished_at",
            "duration_ms",
        ]
    )


def file_digest(data) -> tuple[int, str]:
    """(size in bytes, SHA-256 hex) of bytes or a file path, read in 1 MB blocks."""
    digest = hashlib.sha256()
    if isinstance(data, bytes | bytearray | memoryview):
        digest.update(data)
        return len(data), digest.hexdigest()
    size = 0
    with open(data, "rb") as fh:
        while block := fh.read(1 << 20):
            size += len(block)
            digest.update(block)
    return size, digest.hexdigest()


def keep_file(batch: ImportBatch, data, *, filename: str) -> str:
    """Copy the original under MEDIA_ROOT/imports/batches/<pk>-<sha8><suffix>; its storage name."""
    suffix = PurePath(filename).suffix.lower()[:10]
    name = f"{BATCH_DIR}/{batch.pk}-{batch.file_sha256[:8]}{suffix}"
    if isinstance(data, bytes | bytearray | memoryview):
        return default_storage.save(name, ContentFile(bytes(data)))
    with open(data, "rb") as fh:
        return default_storage.save(name, File(fh))


def discard_kept_file(name: str) -> None:
    """Remove a kept copy whose batch was rolled back (the file is not transactional)."""
    if name:
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def kept_file_exists(batch: ImportBatch) -> bool:
    """Is the kept original still on disk (the retention period removes it)?"""
    try:
        return bool(batch.file_path) and default_storage.exists(batch.file_path)
    except (OSError, ValueError):  # a path the storage refuses reads as gone, never a 500
        return False


# --- Values -------------------------------------------------------------------------------


def raw_value(value):
    """A field's Python value as JSON (dates ISO, decimals and UUIDs as text)."""
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, set | frozenset | tuple):
        return [raw_value(v) for v in value]
    return value


def python_value(field: models.Field, value):
    """Back from `raw_value` to what the field's attribute holds."""
    if value is None:
        return None
    if isinstance(field, models.BinaryField):
        return bytes.fromhex(value)
    if isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def concrete_attnames(model) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def values_of(obj, attnames=None) -> dict:
    """attname → raw value of `obj` (all concrete fields but the pk unless `attnames`)."""
    fields = concrete_attnames(type(obj))
    names = (
        attnames if attnames is not None else [a for a, f in fields.items() if not f.primary_key]
    )
    return {a: raw_value(getattr(obj, a)) for a in names if a in fields}


def _auto_now(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def mask_rule(model):
    """(field names auditlog masks for `model`, its mask function); ((), None) if none."""
    from auditlog.diff import get_mask_function
    from auditlog.registry import auditlog

    if not auditlog.contains(model):
        return (), None
    options = auditlog.get_model_fields(model)
    names = tuple(options["mask_fields"])
    return names, (get_mask_function(options["mask_callable"]) if names else None)


def mask_text(text, mask) -> str:
    text = "" if text is None else str(text)
    return mask(text) if (mask and text) else text


def changes_dict(changes) -> dict | None:
    """{label: [old, new]} from field_changes' (label, old, new) tuples (or a dict as is)."""
    if changes is None:
        return None
    if isinstance(changes, dict):
        return {str(k): [str(v[0]), str(v[1])] for k, v in changes.items()} or None
    return {str(label): [str(old), str(new)] for label, old, new in changes} or None


# --- The change table ---------------------------------------------------------------------


class BatchRows:
    """Buffer of ImportBatchRow for one batch, flushed set-based (COPY on PostgreSQL,
    bulk_create on SQLite) every `flush_every` rows and at the end."""

    def __init__(self, batch: ImportBatch, *, flush_every: int = FLUSH_ROWS):
        self.batch = batch
        self.flush_every = flush_every
        self.pending: list[tuple] = []
        self.written = 0
        self._types: dict[type, int] = {}
        self._capture: _Capture | None = None

    def content_type_id(self, model) -> int:
        model = model._meta.concrete_model
        if model not in self._types:
            self._types[model] = ContentType.objects.get_for_model(model).pk
        return self._types[model]

    def add(
        self,
        *,
        row_number,
        obj=None,
        model=None,
        pk=None,
        action,
        repr="",  # noqa: A002 - the interface's name (object_repr)
        changes=None,
        before=None,
        after=None,
    ) -> None:
        if obj is not None:
            model, pk = type(obj), obj.pk
            if not repr:
                repr = str(obj)  # noqa: A001
        if model is None or pk is None:
            raise ValueError("BatchRows.add needs obj, or model and pk")
        self.pending.append(
            (
                self.batch.pk,
                row_number,
                self.content_type_id(model),
                int(pk),
                str(repr or "")[:200],
                int(ACTIONS.get(action, action)),
                changes_dict(changes),
                before,
                after,
            )
        )
        if len(self.pending) >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        if connection.vendor == "postgresql":
            _copy_rows(rows)
        else:
            ImportBatchRow.objects.bulk_create(
                [ImportBatchRow(**dict(zip(COPY_COLUMNS, r, strict=True))) for r in rows],
                batch_size=1000,
            )
        self.written += len(rows)

    # Row-by-row writers: record what each row's save writes ----------------------------

    @contextlib.contextmanager
    def capture(self, row_number, *, main=None, changes=None):
        """Record every write of an auditlog-registered model inside the block as rows of
        this batch, numbered `row_number`. `main` is the row's own object: its entry takes
        `changes` (the importer's field_changes, by column header) instead of field names."""
        _connect()
        capture = _Capture(self, row_number)
        token = _active.set(capture)
        try:
            yield capture
        finally:
            _active.reset(token)
        capture.finish(main=main, changes=changes)


def copy_rows(table: str, columns: list[str], rows) -> None:
    """PostgreSQL: `rows` (sequences of Python values) into `table` by one COPY."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # Django's wrapper → the psycopg cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _copy_rows(rows: list[tuple]) -> None:
    copy_rows(
        ImportBatchRow._meta.db_table,
        list(COPY_COLUMNS),
        (
            [*row[:6], *(None if v is None else json.dumps(v, ensure_ascii=False) for v in row[6:])]
            for row in rows
        ),
    )


# --- Capturing a row's writes (signals, only while a capture is open in this context) -----

_active: ContextVar[_Capture | None] = ContextVar("xuanpei_batch_capture", default=None)
_connected = False
SKIP_MODELS = ("audit.importbatch", "audit.importbatchrow")


class _Entry:
    __slots__ = ("model", "pk", "action", "before", "after", "m2m", "obj")

    # `m2m`: field name → the related pks now, followed through the m2m_changed signals.

    def __init__(self, model, pk, action):
        self.model, self.pk, self.action = model, pk, action
        self.before: dict = {}
        self.after: dict = {}
        self.m2m: dict[str, set] = {}
        self.obj = None


class _Capture:
    def __init__(self, rows: BatchRows, row_number):
        self.rows = rows
        self.row_number = row_number
        self.entries: dict[tuple, _Entry] = {}
        self.pending_before: dict[int, dict] = {}

    def entry(self, model, pk, action) -> _Entry:
        key = (model._meta.concrete_model, pk)
        if key not in self.entries:
            self.entries[key] = _Entry(model._meta.concrete_model, pk, action)
        return self.entries[key]

    # signal handlers
    def pre_save(self, sender, instance, update_fields):
        if instance._state.adding or instance.pk is None:
            return
        entry = self.entries.get((sender._meta.concrete_model, instance.pk))
        if entry is not None and entry.action == Action.CREATED:
            self.pending_before[id(instance)] = {}  # created in this row: no old values
            return
        fields = concrete_attnames(sender)
        if update_fields is not None:
            names = [sender._meta.get_field(n).attname for n in update_fields]
        else:
            names = [a for a, f in fields.items() if not f.primary_key]
        old = next(iter(sender._base_manager.filter(pk=instance.pk).values(*names)), None)
        if old is not None:
            self.pending_before[id(instance)] = {a: raw_value(v) for a, v in old.items()}

    def post_save(self, sender, instance, created, update_fields):
        if created:
            entry = self.entry(sender, instance.pk, Action.CREATED)
            entry.after.update(values_of(instance))
        else:
            old = self.pending_before.pop(id(instance), None)
            if old is None:
                return
            entry = self.entry(sender, instance.pk, Action.UPDATED)
            if entry.action == Action.CREATED:
                entry.after.update(values_of(instance))
                entry.obj = instance
                return
            new = values_of(instance, list(old))
            for name, value in old.items():
                if entry.action == Action.UPDATED:
                    entry.before.setdefault(name, value)
                entry.after[name] = new[name]
        entry.obj = instance

    def post_delete(self, sender, instance):
        key = (sender._meta.concrete_model, instance.pk)
        entry = self.entries.get(key)
        if entry is not None and entry.action == Action.CREATED:
            del self.entries[key]  # created and deleted within the row: nothing happened
            return
        values = values_of(instance)
        if entry is None:
            entry = self.entry(sender, instance.pk, Action.DELETED)
        else:
            values.update(entry.before)  # the values before this row touched it
            entry.action = Action.DELETED
        entry.before = values
        entry.after = {}
        entry.m2m = {}
        entry.obj = instance

    def m2m_changed(self, instance, name, action, pk_set):
        entry = self.entry(type(instance), instance.pk, Action.UPDATED)
        entry.obj = instance
        if name not in entry.m2m:
            if entry.action == Action.UPDATED:
                links = m2m_links(instance, name)
                entry.before.setdefault(name, sorted(t for _link, t in links))
                entry.before.setdefault(links_key(name), links)
                entry.m2m[name] = {t for _link, t in links}
            else:  # created in this row: no links before
                entry.m2m[name] = set()
        if action == "post_add":
            entry.m2m[name] |= set(pk_set or ())
        elif action == "post_remove":
            entry.m2m[name] -= set(pk_set or ())
        elif action == "post_clear":
            entry.m2m[name] = set()

    def finish(self, *, main, changes) -> None:
        main_key = (type(main)._meta.concrete_model, main.pk) if main is not None else None
        for key, entry in self.entries.items():
            if entry.action != Action.DELETED:
                for name, pks in entry.m2m.items():
                    entry.after[name] = sorted(pks)
            if entry.action == Action.UPDATED:
                # Keep only what changed (an auto_now stamp alone is no change).
                changed = {n for n in entry.after if entry.before.get(n, None) != entry.after[n]}
                fields = concrete_attnames(entry.model)
                if not any(n not in fields or not _auto_now(fields[n]) for n in changed):
                    continue
                kept = changed | {links_key(n) for n in changed & entry.m2m.keys()}
                entry.before = {n: entry.before.get(n) for n in kept}
                entry.after = {n: entry.after[n] for n in changed}
            if key == main_key and changes is not None:
                shown = changes_dict(changes) if entry.action == Action.UPDATED else None
            else:
                shown = _describe(entry) if entry.action == Action.UPDATED else None
            self.rows.add(
                row_number=self.row_number,
                model=entry.model,
                pk=entry.pk,
                action=entry.action,
                repr=str(entry.obj) if entry.obj is not None else "",
                changes=shown,
                before=entry.before or None,
                after=entry.after or None,
            )


def links_key(name: str) -> str:
    """Where `before` keeps a many-to-many field's link rows ([link pk, related pk]), so a
    revert puts back the very rows the import removed."""
    return f"{name}#links"


def m2m_links(instance, name: str) -> list[list[int]]:
    field = instance._meta.get_field(name)
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    rows = through._base_manager.filter(**{source: instance.pk}).values_list("pk", target)
    return sorted([link, related] for link, related in rows)


def _describe(entry: _Entry) -> dict | None:
    """{verbose name: [old, new]} for an object the importer does not describe itself."""
    from xuanpei.core.imports.changes import display

    masked, mask = mask_rule(entry.model)
    fields = {f.attname: f for f in entry.model._meta.concrete_fields}
    m2m = {f.name: f for f in entry.model._meta.many_to_many}
    shown = {}
    for name, new in entry.after.items():
        field = fields.get(name) or m2m.get(name)
        if field is None or _auto_now(field):
            continue
        old = entry.before.get(name)
        if field.is_relation:
            old_text, new_text = _related_text(field, old), _related_text(field, new)
        else:
            old_text = display(python_value(field, old), field)
            new_text = display(python_value(field, new), field)
        if field.name in masked:
            old_text, new_text = mask_text(old_text, mask), mask_text(new_text, mask)
        shown[str(field.verbose_name)] = [old_text, new_text]
    return shown or None


def _related_text(field, value) -> str:
    if value in (None, [], ""):
        return "—"
    pks = value if isinstance(value, list) else [value]
    objs = field.related_model._base_manager.in_bulk(pks)
    return "、".join(str(objs.get(pk, pk)) for pk in pks)


def _registered(model) -> bool:
    from auditlog.registry import auditlog

    return auditlog.contains(model) and model._meta.label_lower not in SKIP_MODELS


def _on_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    capture = _active.get()
    if capture is not None and not raw:
        capture.pre_save(sender, instance, update_fields)


def _on_post_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    capture = _active.get()
    if capture is not None and not raw:
        capture.post_save(sender, instance, created, update_fields)


def _on_post_delete(sender, instance, **kwargs):
    capture = _active.get()
    if capture is not None:
        capture.post_delete(sender, instance)


def _m2m_receiver(name):
    def receiver(sender, instance, action, reverse, pk_set=None, **kwargs):
        capture = _active.get()
        if capture is not None and not reverse:
            capture.m2m_changed(instance, name, action, pk_set)

    return receiver


_m2m_receivers: list = []


def _connect() -> None:
    """Connect the capture's receivers to each auditlog-registered model (by sender, so
    other models keep Django's fast deletes). Once per process."""
    global _connected
    if _connected:
        return
    from auditlog.registry import auditlog

    for model in auditlog.get_models():
        if not _registered(model):
            continue
        uid = f"xuanpei-batch-{model._meta.label_lower}"
        pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid)
        post_save.connect(_on_post_save, sender=model, dispatch_uid=uid)
        post_delete.connect(_on_post_delete, sender=model, dispatch_uid=uid)
        for field in model._meta.many_to_many:
            receiver = _m2m_receiver(field.name)
            _m2m_receivers.append(receiver)  # signals hold receivers weakly
            m2m_changed.connect(
                receiver,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}",
            )
    _connected = True


def describe_missing_file(batch: ImportBatch) -> str:
    """What the pages show when the kept original is gone (removed after the retention period)."""
    if kept_file_exists(batch):
        return ""
    if batch.file_path or batch.file_name:
        # `xuanpei cleanup` blanks file_path when it removes the file after the retention period.
        return _("原始文件已超过保存期限被删除")
    return _("未保存原始文件")


__all__ = [
    "BatchRows",
    "begin_batch",
    "discard_kept_file",
    "file_digest",
    "finish_batch",
    "kept_file_exists",
    "python_value",
    "raw_value",
    "values_of",
]
