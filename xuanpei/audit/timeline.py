"""One history of some objects: their auditlog entries and the import-batch rows that
touched them, merged in time order (issue #10 item 2).

An object edited through a page, the API or a service has django-auditlog
`LogEntry` rows; an object written by a bulk import has `ImportBatchRow` rows
instead (one batch per import, not one entry per object). The person, certificate
and enterprise pages read both through `timeline()`: a batch row takes its
batch's `finished_at`, names the file ("通过导入《名册.xlsx》更新") and links to
the batch for users who may see batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from xuanpei.audit.display import EMPTY, ChangeRow, change_rows, related_names
from xuanpei.audit.filters import ACTION_LABELS
from xuanpei.audit.models import ImportBatch, ImportBatchRow
from xuanpei.core.scoping import reaches

HIDDEN = "（已隐藏）"


def batch_action_label(batch: ImportBatch, action: int) -> str:
    """What a batch row did, as the timeline says it: 通过导入《名册.xlsx》新增."""
    verb = str(ImportBatchRow.Action(action).label)
    if batch.kind == ImportBatch.Kind.REVERT:
        restored = _("恢复") if action == ImportBatchRow.Action.UPDATED else verb
        return _("撤销导入批次 #%(pk)s（%(verb)s）") % {"pk": batch.reverts_id, "verb": restored}
    name = batch.file_name or batch.label or batch.importer
    return _("通过导入《%(file)s》%(verb)s") % {"file": name, "verb": verb}


def batch_change_rows(row: ImportBatchRow, model=None) -> list[ChangeRow]:
    """The changed fields of one batch row (`changes`: {label or field name: [old, new]}),
    a field name shown by its Chinese verbose name, in the model's field order."""
    changes = row.changes or {}
    if not isinstance(changes, dict):
        return []
    labels, order = {}, {}
    if model is not None:
        for i, field in enumerate(model._meta.get_fields()):
            if not field.auto_created:
                labels[field.name] = str(field.verbose_name)
                order[field.name] = i
                order.setdefault(str(field.verbose_name), i)  # keys may be the labels
                attname = getattr(field, "attname", None)
                if attname:
                    labels.setdefault(attname, str(field.verbose_name))
                    order.setdefault(attname, i)
    rows = []
    for key in sorted(changes, key=lambda k: order.get(k, len(order))):
        values = changes[key]
        if isinstance(values, (list, tuple)):
            before, after = (list(values) + [None, None])[:2]
        else:
            before, after = None, values
        rows.append(ChangeRow(labels.get(key, key), _text(before), _text(after)))
    return rows


def _text(value) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) or EMPTY
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


def timeline(
    objects: Iterable,
    *,
    limit: int = 20,
    user=None,
    hidden_labels: Iterable[str] = (),
    value: Callable[[str, str], str] | None = None,
    access_label: str | None = None,
) -> list[dict]:
    """The newest `limit` events of `objects` from both sources, newest first.

    Each item: `when`, `actor` (text), `action` (label), `object` (the model's name),
    `object_repr`, `rows` (ChangeRow list), and `entry` (LogEntry) or `batch` with
    `batch_url` (None when `user` may not see batches). Values of `hidden_labels`
    read "（已隐藏）"; `value(label, text)` rewrites the others (a phone masked for
    the reader); ACCESS entries read `access_label` without changes.
    """
    by_type: dict[ContentType, list] = {}
    models = {}
    for obj in objects:
        ct = ContentType.objects.get_for_model(type(obj))
        by_type.setdefault(ct, []).append(obj.pk)
        models[ct.pk] = type(obj)
    if not by_type:
        return []
    log_q, batch_q = Q(), Q()
    for ct, pks in by_type.items():
        log_q |= Q(content_type=ct, object_pk__in=[str(pk) for pk in pks])
        batch_q |= Q(content_type=ct, object_id__in=pks)

    entries = list(
        LogEntry.objects.filter(log_q)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")[:limit]
    )
    # The (content_type, object_id) index finds the rows; the batch join gives their time.
    batch_rows = list(
        ImportBatchRow.objects.filter(batch_q)
        .select_related("batch", "batch__user")
        .order_by("-batch__finished_at", "-batch__started_at", "-pk")[:limit]
    )
    hidden = set(hidden_labels)
    may_see_batches = user is not None and reaches(user, ImportBatch, "view")

    def shown(rows: list[ChangeRow]) -> list[ChangeRow]:
        out = []
        for r in rows:
            if r.label in hidden:
                out.append(ChangeRow(r.label, _(HIDDEN), _(HIDDEN)))
            elif value is not None:
                out.append(ChangeRow(r.label, value(r.label, r.before), value(r.label, r.after)))
            else:
                out.append(r)
        return out

    items = []
    names = related_names(entries)
    for entry in entries:
        model = entry.content_type.model_class()
        item = {
            "when": entry.timestamp,
            "actor": str(entry.actor) if entry.actor else _("系统"),
            "action": str(ACTION_LABELS.get(entry.action, entry.action)),
            "object": model._meta.verbose_name if model else entry.content_type.model,
            "object_repr": entry.object_repr,
            "rows": shown(change_rows(entry, names)),
            "entry": entry,
            "batch": None,
            "batch_url": None,
        }
        if entry.action == LogEntry.Action.ACCESS and access_label:
            item["action"], item["rows"] = access_label, []
        items.append(item)
    for row in batch_rows:
        batch = row.batch
        model = models.get(row.content_type_id)
        items.append(
            {
                "when": batch.finished_at or batch.started_at,
                "actor": str(batch.user) if batch.user else (batch.username or _("系统")),
                "action": batch_action_label(batch, row.action),
                "object": model._meta.verbose_name if model else "",
                "object_repr": row.object_repr,
                "rows": shown(batch_change_rows(row, model)),
                "entry": None,
                "batch": batch,
                "batch_url": reverse("audit:importbatch_detail", args=[batch.pk])
                if may_see_batches
                else None,
                "row_number": row.row_number,
            }
        )
    items.sort(key=lambda i: i["when"], reverse=True)
    return items[:limit]
