"""Undoing an import batch (issue #10 item 3).

`revert_batch(batch, actor=…, reason=…)` removes what a committed import created,
restores the fields it updated and re-creates what it deleted (a task's dropped
targets), in one transaction under a row lock on the batch, and records the undo
as a batch of its own (kind REVERT, `reverts` → the original, which becomes
REVERTED; that status change is in django-auditlog's log).

It is refused — `RevertRefused` with a Chinese message and every conflicting row —
when the batch was reverted already, is itself a revert, is outside the actor's
scope, or when anything it touched changed since: an object's current values differ
from what the batch wrote, the object is gone, a later LogEntry or a later batch
(not reverted) touched it, or removing what it created would delete or be blocked
by data the batch did not create. `revert_conflicts(batch)` lists those conflicts
for the page without changing anything.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from xuanpei.audit.context import acting_as
from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.core.concurrency import lock, transition
from xuanpei.core.imports.batches import SYSTEM_USERNAME, BatchRows, links_key, python_value
from xuanpei.core.permissions import is_district_admin

logger = logging.getLogger(__name__)
Action = ImportBatchRow.Action
Conflict = tuple[int | None, str, str]  # (Excel row, object, reason)
# Conflicts listed in full up to this many; the message says how many more.
MESSAGE_LIMIT = 20


class RevertRefused(Exception):
    """A batch that cannot be reverted: `.message` (Chinese) and `.conflicts`."""

    def __init__(self, message: str, conflicts: list[Conflict] | None = None):
        super().__init__(message)
        self.message = message
        self.conflicts = list(conflicts or [])


@dataclass
class _Object:
    """Everything one batch did to one object, its rows merged in order."""

    model: type
    pk: int
    row_number: int | None
    repr: str
    first: int  # the first action
    last: int  # the last action
    before: dict = field(default_factory=dict)  # the earliest value of each field
    after: dict = field(default_factory=dict)  # the latest value of each field
    changes: dict = field(default_factory=dict)
    first_row_id: int = 0

    @property
    def net(self) -> str:
        """What undoing it means: "delete", "restore", "recreate" or "" (nothing)."""
        if self.first == Action.CREATED:
            return "" if self.last == Action.DELETED else "delete"
        if self.last == Action.DELETED:
            return "recreate"
        return "restore"

    @property
    def label(self) -> str:
        return f"{self.model._meta.verbose_name}“{self.repr or self.pk}”"


def _objects(batch: ImportBatch) -> list[_Object]:
    rows = (
        ImportBatchRow.objects.filter(batch=batch)
        .exclude(action=Action.UNCHANGED)
        .order_by("pk")
        .values_list(
            "pk",
            "row_number",
            "content_type_id",
            "object_id",
            "object_repr",
            "action",
            "changes",
            "before",
            "after",
        )
        .iterator(chunk_size=5000)
    )
    found: dict[tuple, _Object] = {}
    types: dict[int, type] = {}
    for row_id, number, ct_id, pk, text, action, changes, before, after in rows:
        if ct_id not in types:
            types[ct_id] = ContentType.objects.get_for_id(ct_id).model_class()
        key = (ct_id, pk)
        obj = found.get(key)
        if obj is None:
            obj = found[key] = _Object(
                types[ct_id], pk, number, text, action, action, first_row_id=row_id
            )
        obj.last = action
        for name, value in (before or {}).items():
            obj.before.setdefault(name, value)
        obj.after.update(after or {})
        if action == Action.DELETED:
            obj.after = {}
        obj.changes.update(changes or {})
    return [o for o in found.values() if o.model is not None]


# --- Conflicts --------------------------------------------------------------------------


def revert_conflicts(batch: ImportBatch) -> list[Conflict]:
    """What blocks reverting `batch` now: (Excel row, object, reason) for each conflict,
    all of them; empty when it can be reverted. Changes nothing."""
    refused = _refusal(batch)
    if refused:
        return [(None, str(batch), refused)]
    return _conflicts(batch, _objects(batch))


def _refusal(batch: ImportBatch) -> str:
    if batch.kind == ImportBatch.Kind.REVERT:
        return _("这是一次撤销操作的记录，不能再撤销")
    if batch.status == ImportBatch.Status.REVERTED:
        undo = ImportBatch.objects.filter(reverts=batch).first()
        when = timezone.localtime(undo.started_at) if undo else None
        if when is None:
            return _("该批次已撤销，不能再次撤销")
        return _("该批次已于%(when)s撤销，不能再次撤销") % {"when": date_format(when, "Y-m-d H:i")}
    return ""


def _conflicts(batch: ImportBatch, objects: list[_Object]) -> list[Conflict]:
    conflicts: list[Conflict] = []
    by_model: dict[type, list[_Object]] = defaultdict(list)
    for obj in objects:
        if obj.net:
            by_model[obj.model].append(obj)
    touched = {(m, o.pk): o for m, objs in by_model.items() for o in objs}
    # 1. The current values of what the batch wrote; gone objects; re-created pks taken.
    for model, objs in by_model.items():
        m2m = {f.name for f in model._meta.many_to_many}
        for part in _chunks(objs):
            current = model._base_manager.in_bulk([o.pk for o in part])
            conflicts += _value_conflicts(part, current, m2m)
    # 2. A later LogEntry on an object the batch touched.
    conflicts += _later_log_entries(batch, touched)
    # 3. A later batch (not reverted) that touched the same object.
    conflicts += _later_batches(batch, touched)
    # 4. Removing what it created must not take or meet anything else.
    conflicts += _deletion_conflicts(
        [o for o in objects if o.net == "delete"], {k for k, o in touched.items()}
    )
    return sorted(set(conflicts), key=lambda c: (c[0] is None, c[0] or 0, c[1], c[2]))


CHUNK = 2000


def _chunks(items: list) -> list[list]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


def _value_conflicts(objs: list[_Object], current: dict, m2m: set[str]) -> list[Conflict]:
    """The objects gone or changed since the batch wrote them (re-created pks taken)."""
    conflicts: list[Conflict] = []
    for obj in objs:
        instance = current.get(obj.pk)
        if obj.net == "recreate":
            if instance is not None:
                conflicts.append((obj.row_number, obj.label, _("该对象已被重新创建")))
            continue
        if instance is None:
            conflicts.append((obj.row_number, obj.label, _("该对象已被删除")))
            continue
        changed = _differs(instance, obj.after, m2m)
        if changed:
            conflicts.append(
                (
                    obj.row_number,
                    obj.label,
                    _("导入后已被修改（%(fields)s）") % {"fields": "、".join(changed)},
                )
            )
    return conflicts


def _differs(instance, after: dict, m2m: set[str]) -> list[str]:
    from xuanpei.core.imports.batches import raw_value

    model = type(instance)
    fields = {f.attname: f for f in model._meta.concrete_fields}
    changed = []
    for name, value in after.items():
        if name in m2m:
            current = sorted(getattr(instance, name).values_list("pk", flat=True))
            label = model._meta.get_field(name).verbose_name
        elif name in fields:
            field = fields[name]
            if getattr(field, "auto_now", False):
                continue  # a stamp: a real edit changes a field beside it
            # Compared as the field's values: 5 and 5.00 are one decimal.
            current = python_value(field, raw_value(getattr(instance, name)))
            value = python_value(field, value)
            label = field.verbose_name
        else:
            continue
        if current != value:
            changed.append(str(label))
    return changed


def _later_log_entries(batch: ImportBatch, touched: dict) -> list[Conflict]:
    from auditlog.models import LogEntry

    if not touched:
        return []
    types = {m: ContentType.objects.get_for_model(m).pk for m, _pk in touched}
    wanted = {(types[m], pk): obj for (m, pk), obj in touched.items()}
    entries = LogEntry.objects.filter(
        timestamp__gte=batch.started_at, content_type_id__in=set(types.values())
    ).values_list("content_type_id", "object_pk", "object_id", "timestamp")
    conflicts = []
    for ct_id, object_pk, object_id, stamp in entries.iterator(chunk_size=2000):
        pk = object_id if object_id is not None else _int(object_pk)
        obj = wanted.get((ct_id, pk))
        if obj is not None:
            when = date_format(timezone.localtime(stamp), "Y-m-d H:i")
            conflicts.append(
                (obj.row_number, obj.label, _("导入后于%(when)s被修改") % {"when": when})
            )
    return conflicts


def _int(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def _later_batches(batch: ImportBatch, touched: dict) -> list[Conflict]:
    if not touched:
        return []
    later = (
        ImportBatchRow.objects.filter(
            batch__pk__gt=batch.pk,
            batch__kind=ImportBatch.Kind.IMPORT,
            batch__status=ImportBatch.Status.COMMITTED,
        )
        .exclude(action=Action.UNCHANGED)
        .filter(
            models.Exists(
                ImportBatchRow.objects.filter(
                    batch=batch,
                    content_type_id=models.OuterRef("content_type_id"),
                    object_id=models.OuterRef("object_id"),
                ).exclude(action=Action.UNCHANGED)
            )
        )
        .values_list("content_type_id", "object_id", "batch_id")
    )
    conflicts = []
    for ct_id, pk, other in later.iterator(chunk_size=2000):
        model = ContentType.objects.get_for_id(ct_id).model_class()
        obj = touched.get((model, pk))
        if obj is not None:
            conflicts.append(
                (obj.row_number, obj.label, _("之后的导入批次 #%(n)d 也修改了它") % {"n": other})
            )
    return conflicts


def _deletion_conflicts(created: list[_Object], allowed: set[tuple]) -> list[Conflict]:
    """Objects outside the batch that deleting its creations would remove or that block it."""
    if not created:
        return []
    by_key = {(o.model, o.pk): o for o in created}
    conflicts = []
    by_model: dict[type, list[int]] = defaultdict(list)
    for obj in created:
        by_model[obj.model].append(obj.pk)
    for model, all_pks in by_model.items():
        for pks in _chunks(all_pks):
            conflicts += _collect_conflicts(model, pks, by_key, allowed)
    return conflicts


def _collect_conflicts(model, pks: list[int], by_key: dict, allowed: set) -> list[Conflict]:
    conflicts: list[Conflict] = []
    instances = list(model._base_manager.filter(pk__in=pks))
    if not instances:
        return conflicts
    collector = Collector(using=router.db_for_write(model), origin=None)
    try:
        collector.collect(instances)
    except (ProtectedError, RestrictedError) as exc:
        blockers = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        for blocker in blockers:
            if (type(blocker)._meta.concrete_model, blocker.pk) in allowed:
                continue
            owner = _owner(blocker, by_key)
            conflicts.append(
                (
                    owner.row_number if owner else None,
                    owner.label if owner else _name(blocker),
                    _("%(other)s引用了它，不能删除") % {"other": _name(blocker)},
                )
            )
        return conflicts
    for victim_model, victims in collector.data.items():
        if victim_model._meta.auto_created:
            continue  # a many-to-many link table row goes with its object
        for victim in victims:
            if (victim_model._meta.concrete_model, victim.pk) in allowed:
                continue
            owner = _owner(victim, by_key)
            conflicts.append(
                (
                    owner.row_number if owner else None,
                    owner.label if owner else _name(victim),
                    _("删除它会连带删除本批次之外的%(other)s") % {"other": _name(victim)},
                )
            )
    for qs in collector.fast_deletes:
        if qs.model._meta.auto_created:
            continue
        for victim in qs[:50]:
            if (qs.model._meta.concrete_model, victim.pk) in allowed:
                continue
            owner = _owner(victim, by_key)
            conflicts.append(
                (
                    owner.row_number if owner else None,
                    owner.label if owner else _name(victim),
                    _("删除它会连带删除本批次之外的%(other)s") % {"other": _name(victim)},
                )
            )
    return conflicts


def _name(obj) -> str:
    return f"{obj._meta.verbose_name}“{obj}”"


def _owner(obj, created: dict):
    """The created object `obj` refers to (the row whose removal it blocks or follows)."""
    for f in obj._meta.concrete_fields:
        if f.is_relation and f.related_model is not None:
            key = (f.related_model._meta.concrete_model, getattr(obj, f.attname))
            if key in created:
                return created[key]
    return None


# --- The revert ------------------------------------------------------------------------


def _refuse(conflicts: list[Conflict]) -> RevertRefused:
    lines = [
        (_("第 %(row)d 行 ") % {"row": row} if row else "") + f"{label}：{reason}"
        for row, label, reason in conflicts[:MESSAGE_LIMIT]
    ]
    more = len(conflicts) - MESSAGE_LIMIT
    if more > 0:
        lines.append(_("……另有 %(n)d 处冲突") % {"n": more})
    message = _("该批次导入后有数据已被修改，不能撤销：") + "；".join(lines)
    return RevertRefused(message, conflicts)


def revert_batch(batch: ImportBatch, *, actor, reason: str = "") -> ImportBatch:
    """Undo a committed import batch (see the module docstring); returns the REVERT batch.

    `actor` is a district admin, a superuser or None (the system). Raises RevertRefused."""
    if actor is not None and not is_district_admin(actor):
        raise RevertRefused(_("只有区安委办管理员可以撤销导入批次"))
    if (
        actor is not None
        and not ImportBatch.objects.for_user(actor, "view").filter(pk=batch.pk).exists()
    ):
        raise RevertRefused(_("该导入批次不在您的管辖范围内"))
    started = time.monotonic()
    try:
        with transaction.atomic():
            lock(batch)
            refused = _refusal(batch)
            if refused:
                raise RevertRefused(refused)
            objects = _objects(batch)
            conflicts = _conflicts(batch, objects)
            if conflicts:
                raise _refuse(conflicts)
            with disable_auditlog():
                undo = ImportBatch.objects.create(
                    kind=ImportBatch.Kind.REVERT,
                    importer=batch.importer,
                    label=batch.label,
                    user=actor if getattr(actor, "pk", None) else None,
                    username=actor.get_username() if actor is not None else SYSTEM_USERNAME,
                    unit_id=batch.unit_id,
                    enterprise_id=batch.enterprise_id,
                    started_at=timezone.now(),
                    file_name=batch.file_name,
                    file_size=batch.file_size,
                    file_sha256=batch.file_sha256,
                    options=batch.options,
                    reverts=batch,
                    reason=reason[:200],
                )
                rows = BatchRows(undo)
                _undo(objects, rows)
                rows.flush()
                counts = defaultdict(int)
                for obj in objects:
                    if obj.net:
                        counts[obj.net] += 1
                undo.rows = undo.accepted = sum(counts.values())
                undo.created = counts["recreate"]
                undo.updated = counts["restore"]
                undo.finished_at = timezone.now()
                undo.duration_ms = int((time.monotonic() - started) * 1000)
                undo.save()
            with acting_as(actor):
                transition(
                    batch,
                    field="status",
                    from_states=[ImportBatch.Status.COMMITTED],
                    changes={"status": ImportBatch.Status.REVERTED},
                    refused=_("该批次已撤销，不能再次撤销"),
                )
    except ValidationError as exc:
        raise RevertRefused("；".join(exc.messages)) from exc
    except (ProtectedError, RestrictedError, DatabaseError) as exc:
        # Rolled back whole: a row changed under the revert or blocks it.
        logger.warning("revert of batch %s refused: %s", batch.pk, exc)
        raise RevertRefused(
            _("撤销时数据库拒绝了修改（可能有数据刚被其他操作修改），未撤销任何数据，请稍后重试")
        ) from exc
    return undo


def _undo(objects: list[_Object], rows: BatchRows) -> None:
    """Re-create what the batch deleted, restore what it updated, delete what it created."""
    # Re-created parents before children: the order the batch deleted them, reversed.
    recreate = sorted((o for o in objects if o.net == "recreate"), key=lambda o: -o.first_row_id)
    for obj in recreate:
        _recreate(obj)
        rows.add(
            row_number=obj.row_number,
            model=obj.model,
            pk=obj.pk,
            action=Action.CREATED,
            repr=obj.repr,
            after=obj.before,
        )
    restore: dict[type, list[_Object]] = defaultdict(list)
    for obj in objects:
        if obj.net == "restore":
            restore[obj.model].append(obj)
    created = [o for o in objects if o.net == "delete"]
    # What the batch created goes before the restore (a new certificate version holds the
    # number its restored predecessor takes back), unless a restored object still refers
    # to it: those go after.
    held = _referenced(restore)
    late = [o for o in created if (o.model._meta.concrete_model, o.pk) in held]
    early = [o for o in created if (o.model._meta.concrete_model, o.pk) not in held]
    everything = {(o.model._meta.concrete_model, o.pk) for o in created}
    _delete(early, allowed=everything)
    for model, objs in restore.items():
        _restore(model, objs)
        for obj in objs:
            rows.add(
                row_number=obj.row_number,
                model=model,
                pk=obj.pk,
                action=Action.UPDATED,
                repr=obj.repr,
                changes={k: [v[1], v[0]] for k, v in obj.changes.items()},
                before=obj.after,
                after=obj.before,
            )
    _delete(late, allowed=everything)
    for obj in created:
        rows.add(
            row_number=obj.row_number,
            model=obj.model,
            pk=obj.pk,
            action=Action.DELETED,
            repr=obj.repr,
            before=obj.after or None,
        )


def _assign(model, values: dict) -> tuple[dict, dict]:
    """(attname → Python value, m2m name → pks) from a row's raw values."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    m2m_names = {f.name for f in model._meta.many_to_many}
    scalar, m2m = {}, {}
    for name, value in values.items():
        if name in fields:
            scalar[name] = python_value(fields[name], value)
        elif name in m2m_names or name.removesuffix("#links") in m2m_names:
            m2m[name] = value or []
    return scalar, m2m


def _recreate(obj: _Object) -> None:
    scalar, m2m = _assign(obj.model, obj.before)
    instance = obj.model(pk=obj.pk, **scalar)
    instance.save_base(raw=True, force_insert=True)  # raw: no auto_now, no receivers' work
    for name, pks in m2m.items():
        getattr(instance, name).set(pks)


def _restore(model, objs: list[_Object]) -> None:
    """Put the fields back, set-based per group of fields (bulk_update), m2m per object."""
    groups: dict[tuple, list] = defaultdict(list)
    m2m_work = []
    attnames = {f.attname: f.name for f in model._meta.concrete_fields}
    for obj in objs:
        scalar, m2m = _assign(model, obj.before)
        if scalar:
            instance = model(pk=obj.pk)
            for name, value in scalar.items():
                setattr(instance, name, value)
            groups[tuple(sorted(scalar))].append(instance)
        if m2m:
            m2m_work.append((model(pk=obj.pk), m2m))
    for names, instances in groups.items():
        model._base_manager.bulk_update(instances, [attnames[n] for n in names], batch_size=500)
    for instance, m2m in m2m_work:
        for name, pks in m2m.items():
            if name.endswith("#links"):
                continue
            links = m2m.get(links_key(name))
            if links is None:
                getattr(instance, name).set(pks)
            else:
                _restore_links(instance, name, links)


def _restore_links(instance, name: str, links: list) -> None:
    """The link rows as they were, their ids included (`.set()` would insert new ones)."""
    field = type(instance)._meta.get_field(name)
    through = field.remote_field.through
    source = through._meta.get_field(field.m2m_field_name()).attname
    target = through._meta.get_field(field.m2m_reverse_field_name()).attname
    wanted = {link: related for link, related in links}
    rows = through._base_manager.filter(**{source: instance.pk})
    rows.exclude(pk__in=list(wanted)).delete()
    present = set(rows.values_list("pk", flat=True))
    through._base_manager.bulk_create(
        [
            through(pk=link, **{source: instance.pk, target: related})
            for link, related in wanted.items()
            if link not in present
        ]
    )


def _referenced(restore: dict[type, list[_Object]]) -> set[tuple[type, int]]:
    """(model, pk) of the objects the restored ones refer to by the values the batch wrote."""
    held = set()
    for model, objs in restore.items():
        fks = {
            f.attname: f.related_model._meta.concrete_model
            for f in model._meta.concrete_fields
            if f.is_relation and f.many_to_one
        }
        for obj in objs:
            for name, value in obj.after.items():
                if name in fks and value is not None:
                    held.add((fks[name], value))
    return held


def _delete(created: list[_Object], *, allowed: set | None = None) -> None:
    """Delete what the batch created, the latest first (children before parents), and
    make sure nothing else goes with it (nothing outside `allowed`: `created` by default)."""
    if not created:
        return
    if allowed is None:
        allowed = {(o.model._meta.concrete_model, o.pk) for o in created}
    by_model: dict[type, list[int]] = defaultdict(list)
    first: dict[type, int] = {}
    for obj in created:
        by_model[obj.model].append(obj.pk)
        first[obj.model] = min(first.get(obj.model, obj.first_row_id), obj.first_row_id)
    for model in sorted(by_model, key=lambda m: -first[m]):
        for pks in _chunks(by_model[model]):
            _delete_part(model, pks, allowed)


def _delete_part(model, pks: list[int], allowed: set) -> None:
    instances = list(model._base_manager.filter(pk__in=pks))
    if not instances:
        return
    collector = Collector(using=router.db_for_write(model), origin=None)
    collector.collect(instances)
    for victim_model, victims in collector.data.items():
        if victim_model._meta.auto_created:
            continue
        for victim in victims:
            if (victim_model._meta.concrete_model, victim.pk) not in allowed:
                raise RevertRefused(
                    _("撤销会连带删除本批次之外的%(other)s，未撤销") % {"other": _name(victim)}
                )
    for qs in collector.fast_deletes:
        if not qs.model._meta.auto_created and qs.exists():
            extra = qs.exclude(pk__in=[pk for m, pk in allowed if m is qs.model])
            if extra.exists():
                raise RevertRefused(
                    _("撤销会连带删除本批次之外的%(other)s，未撤销")
                    % {"other": _name(extra.first())}
                )
    collector.delete()
