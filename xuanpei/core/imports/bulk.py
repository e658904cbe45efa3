"""Set-based writing for importers that plan row by row (`Importer.bulk_write`).

`Importer.write_rows` saves one row at a time inside `BatchRows.capture`, which
hears every save and many-to-many change through signals and turns them into the
import batch's change rows. With `bulk_write = True` an importer's chunk is written
set-based instead, with the same result in the database:

- created rows: one `INSERT` per chunk — on PostgreSQL ids drawn from the table's
  sequence in one query and the rows sent with `COPY`; elsewhere `bulk_create`;
- their many-to-many links: one `COPY` / `bulk_create` per through table;
- updated rows: `bulk_update` per set of changed fields, links removed and added
  per field as `RelatedManager.set` would (kept links keep their ids);
- the batch's change rows built from what was written — the same `before`/`after`
  /`changes` the capture records (`batches.py`), flushed set-based as before.

No `post_save` / `m2m_changed` is sent (auditlog is off during an import anyway);
instead `written` is sent once per chunk with what changed (`Written`), so a model's
receivers that must hear of set-based writes connect to it beside their usual ones
(`publicity.metrics` does). An importer that sets `bulk_write` keeps the base
`save_row` (no service writes beside the row's object).
"""

from __future__ import annotations

import dataclasses

from django.db import connection, models
from django.dispatch import Signal
from django.utils import timezone

from xuanpei.core.imports.batches import copy_rows, links_key, raw_value

# Sent after a chunk's rows are written set-based: sender=the model, changes=[Written].
written = Signal()


@dataclasses.dataclass
class Written:
    """One object a set-based write created or updated, as a receiver needs it."""

    obj: models.Model
    created: bool
    fields: set[str] = dataclasses.field(default_factory=set)  # scalar fields an update changed
    # many-to-many field name → (target pks before, after); only those that changed
    links: dict[str, tuple[set[int], set[int]]] = dataclasses.field(default_factory=dict)


# Field classes whose Python value psycopg's COPY takes as it is (no get_db_prep_save).
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.DateField,  # DateTimeField (a subclass) goes through get_db_prep_save
    models.IntegerField,
    models.ForeignKey,
    models.TimeField,
)
_TEXT = (models.CharField, models.TextField)
_AS_IS = frozenset((str, int, bool, float))  # raw_value gives these back unchanged


def _auto_now(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


class _Shape:
    """What the bulk writer needs to know of a model, computed once per model."""

    _cache: dict = {}

    def __init__(self, model):
        meta = model._meta
        self.fields = list(meta.concrete_fields)
        self.pk = meta.pk
        self.auto_now = [f for f in self.fields if _auto_now(f)]
        self.attnames = [f.attname for f in self.fields if not f.primary_key]
        self.m2m = {f.name: f for f in meta.many_to_many}
        self.converters = []
        for f in self.fields:
            if isinstance(f, models.DateTimeField):
                self.converters.append(("datetime", f))
            elif not isinstance(f, _PLAIN + _TEXT):
                self.converters.append(("prep", f))
            elif isinstance(f, _TEXT):
                self.converters.append(("text", f))
            else:
                self.converters.append(("plain", f))

    @classmethod
    def of(cls, model) -> _Shape:
        if model not in cls._cache:
            cls._cache[model] = cls(model)
        return cls._cache[model]

    def db_row(self, obj) -> list:
        out = []
        for how, f in self.converters:
            value = getattr(obj, f.attname)
            if how == "plain" or value is None:
                out.append(value)
            elif how == "text":
                out.append(value if type(value) is str else str(value))
            elif how == "datetime" and getattr(value, "tzinfo", None) is not None:
                out.append(value)  # aware: what get_db_prep_save would give
            else:
                out.append(f.get_db_prep_save(value, connection))
        return out

    def after(self, obj) -> dict:
        """`batches.values_of(obj)`: attname → raw value, every field but the pk."""
        out = {}
        for a in self.attnames:
            value = getattr(obj, a)
            out[a] = value if value is None or type(value) in _AS_IS else raw_value(value)
        return out


def through_fields(field) -> tuple[type[models.Model], str, str]:
    """(through model, source attname, target attname) of a many-to-many field."""
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    return through, source, target


def _new_ids(model, n: int) -> list[int]:
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, n],
        )
        return [r[0] for r in cursor.fetchall()]


def insert_objects(model, objs: list) -> None:
    """INSERT `objs` (new, unsaved) in one go and set their pks."""
    if not objs:
        return
    shape = _Shape.of(model)
    if connection.vendor == "postgresql":
        for obj, pk in zip(objs, _new_ids(model, len(objs)), strict=True):
            setattr(obj, shape.pk.attname, pk)
        copy_rows(model._meta.db_table, [f.column for f in shape.fields], map(shape.db_row, objs))
    else:
        model._base_manager.bulk_create(objs, batch_size=500)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def insert_links(field, pairs: list[tuple[int, int]]) -> None:
    """Through rows (source pk, target pk) of a many-to-many field, ids by the table."""
    if not pairs:
        return
    through, source, target = through_fields(field)
    if connection.vendor == "postgresql":
        columns = [through._meta.get_field(source).column, through._meta.get_field(target).column]
        copy_rows(through._meta.db_table, columns, pairs)
    else:
        through._base_manager.bulk_create(
            [through(**{source: s, target: t}) for s, t in pairs], batch_size=500
        )


def write_created(importer, rows) -> None:
    """Created rows, their links and their batch rows (action created, `after` only)."""
    model = importer.model
    shape = _Shape.of(model)
    user = importer.user
    now = timezone.now()
    objs = []
    for row in rows:
        obj = row.target
        if user is not None and hasattr(obj, "created_by_id"):
            obj.created_by = user
        for f in shape.auto_now:
            setattr(obj, f.attname, now)
        objs.append(obj)
    insert_objects(model, objs)
    for name, field in shape.m2m.items():
        insert_links(
            field,
            [(row.target.pk, o.pk) for row in rows for o in row.m2m.get(name, ())],
        )
    batch_rows = importer.batch_rows
    for row in rows:
        obj = row.target
        after = shape.after(obj)
        for name in shape.m2m:
            values = row.m2m.get(name)
            if values:  # the capture hears no m2m_changed for an empty set
                after[name] = sorted({o.pk for o in values})
        batch_rows.add(row_number=row.number, obj=obj, action="created", after=after)
    written.send(
        sender=model,
        changes=[
            Written(
                row.target,
                created=True,
                links={n: (set(), {o.pk for o in v}) for n, v in row.m2m.items() if v},
            )
            for row in rows
        ],
    )


def write_updated(importer, rows) -> None:
    """Updated rows: changed fields with bulk_update, links as `set` changes them, and
    batch rows with the old and new raw values of what changed (as the capture keeps)."""
    model = importer.model
    shape = _Shape.of(model)
    fields = {f.name: f for f in shape.fields}
    now = timezone.now()
    groups: dict[tuple, list] = {}
    m2m_rows: dict[str, list] = {}
    for row in rows:
        scalar = [n for n in row.changed if n not in row.m2m and n in fields]
        if scalar:
            names = tuple(importer._update_fields(scalar))
            for name in names:
                if _auto_now(fields[name]):
                    setattr(row.target, fields[name].attname, now)
            groups.setdefault(names, []).append(row)
        for name in row.m2m:
            if name in row.changed:
                m2m_rows.setdefault(name, []).append(row)
    for names, group in groups.items():
        model._base_manager.bulk_update([r.target for r in group], list(names), batch_size=500)
    # Many-to-many: the links before (with their ids, for a revert), then remove and add.
    old_links: dict[tuple[str, int], list[list[int]]] = {}
    for name, group in m2m_rows.items():
        field = shape.m2m[name]
        through, source, target = through_fields(field)
        ids = [r.target.pk for r in group]
        for link, s, t in through._base_manager.filter(**{f"{source}__in": ids}).values_list(
            "pk", source, target
        ):
            old_links.setdefault((name, s), []).append([link, t])
        doomed, pairs = [], []
        for row in group:
            now_links = old_links.get((name, row.target.pk), [])
            new = {o.pk for o in row.m2m[name]}
            doomed += [link for link, t in now_links if t not in new]
            have = {t for _link, t in now_links}
            pairs += [(row.target.pk, t) for t in sorted(new - have)]
        if doomed:
            through._base_manager.filter(pk__in=doomed).delete()
        insert_links(field, pairs)
    changes = []
    for row in rows:
        before, after = {}, {}
        obj, old = row.target, row.instance
        change = Written(obj, created=False)
        for name in row.changed:
            if name in row.m2m:
                links = sorted(old_links.get((name, obj.pk), []))
                was = sorted(t for _link, t in links)
                new = sorted({o.pk for o in row.m2m[name]})
                if was != new:
                    before[name], after[name] = was, new
                    before[links_key(name)] = links
                    change.links[name] = (set(was), set(new))
            elif name in fields:
                attname = fields[name].attname
                was, new = raw_value(getattr(old, attname)), raw_value(getattr(obj, attname))
                if was != new:
                    before[attname], after[attname] = was, new
                    change.fields.add(name)
        if not before:
            continue  # the capture drops an update that changed nothing it can see
        changes.append(change)
        scalar_written = any(n in fields and n not in row.m2m for n in row.changed)
        if scalar_written:
            for f in shape.auto_now:
                if f.auto_now:
                    before[f.attname] = raw_value(getattr(old, f.attname))
                    after[f.attname] = raw_value(getattr(obj, f.attname))
        importer.batch_rows.add(
            row_number=row.number,
            obj=obj,
            action="updated",
            changes=importer.masked_changes(row),
            before=before,
            after=after,
        )
    written.send(sender=model, changes=changes)
