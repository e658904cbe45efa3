"""Turn auditlog's stored changes into rows a person reads: 字段 / 修改前 / 修改后.

auditlog keeps every value as a string ("None", "True", a pk, an ISO datetime)
and many-to-many changes as {"type": "m2m", "operation": "add", "objects": […]}.
Field labels come from the models' Chinese verbose names, choices show their
labels and foreign keys the related object's name.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

EMPTY = "—"
# auditlog masks the first half of a masked field's text, "None" included.
MASKED_NONE = "**ne"


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


def change_rows(entry, names: dict | None = None) -> list[ChangeRow]:
    """The changes of one LogEntry, in the model's field order.

    `names` maps (related model, pk) to the object's name: build it for a whole
    page with `related_names(entries)` so foreign keys cost one query per model.
    Keys that are no field of the model (reverse relations logged before
    `audit.registration`, removed fields) are left out.
    """
    names = {} if names is None else names
    model = _model(entry)
    rows = []
    for name, values in _changes(entry, model):
        field = model._meta.get_field(name)
        label = _label(field)
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = "、".join(str(o) for o in values.get("objects", [])) or EMPTY
            if values.get("operation") == "delete":
                rows.append(ChangeRow(label, _("移除：%(objs)s") % {"objs": objects}, EMPTY))
            else:
                rows.append(ChangeRow(label, EMPTY, _("增加：%(objs)s") % {"objs": objects}))
            continue
        before, after = (list(values) + [None, None])[:2]
        before, after = _display(field, before, names), _display(field, after, names)
        if before != after:  # "创建人：— → —" on a creation says nothing
            rows.append(ChangeRow(label, before, after))
    return rows


def _label(field) -> str:
    """The field's Chinese name; a relation named only by its attribute takes its model's name."""
    label = str(field.verbose_name)
    if field.is_relation and label == field.name.replace("_", " "):
        return str(field.related_model._meta.verbose_name)
    return label


def related_names(entries) -> dict:
    """(related model, pk as text) → the object's name, for every FK value in `entries`.

    One query per related model, whatever the number of entries.
    """
    wanted: dict = {}
    for entry in entries:
        model = _model(entry)
        for name, values in _changes(entry, model):
            field = model._meta.get_field(name)
            if not isinstance(field, models.ForeignKey) or isinstance(values, dict):
                continue
            for value in list(values)[:2]:
                if value not in (None, "None", ""):
                    wanted.setdefault(field.related_model, set()).add(str(value))
    names: dict = {}
    for related, pks in wanted.items():
        pk_field = related._meta.pk
        valid = []
        for pk in pks:
            try:
                valid.append(pk_field.to_python(pk))
            except ValidationError:
                continue
        for obj in related._base_manager.filter(pk__in=valid):
            names[(related, str(obj.pk))] = str(obj)
        for pk in pks:
            names.setdefault((related, pk), _("已删除（#%(pk)s）") % {"pk": pk})
    return names


def _model(entry):
    return entry.content_type.model_class() if entry.content_type_id else None


def _changes(entry, model):
    """(field name, values) of the entry's changes that name a field of `model`, in field order."""
    if model is None:
        return []
    order = {f.name: i for i, f in enumerate(_shown_fields(model))}
    changes = entry.changes_dict or {}
    return sorted(((k, v) for k, v in changes.items() if k in order), key=lambda kv: order[kv[0]])


def _shown_fields(model) -> list:
    """The model's own concrete and many-to-many fields, without its primary key.

    The pk is shown beside the object already ("#12") and the entry's own time is
    the created/updated time; reverse relations are not the object's data.
    """
    return [
        f
        for f in model._meta.get_fields()
        if not f.auto_created
        and (f.concrete or f.many_to_many)
        and not f.primary_key
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


def _display(field, value, names: dict) -> str:
    if value is None or value in ("None", "", MASKED_NONE):
        return EMPTY
    value = str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return {"True": _("是"), "False": _("否")}.get(value, value)
    if isinstance(field, models.ForeignKey):
        key = (field.related_model, value)
        if key not in names:
            names.update(related_names_for(field.related_model, [value]))
        return names[key]
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return value


def related_names_for(related, pks) -> dict:
    """`related_names` for one model's pks (a caller that built no map gets one per value)."""
    names = {}
    for pk in pks:
        try:
            obj = related._base_manager.filter(pk=pk).first()
        except (ValueError, TypeError, ValidationError):
            obj = None
        names[(related, pk)] = str(obj) if obj is not None else _("已删除（#%(pk)s）") % {"pk": pk}
    return names
