"""Turn auditlog's stored changes into rows a person reads: 字段 / 修改前 / 修改后.

auditlog keeps every value as a string ("None", "True", a pk, an ISO datetime)
and many-to-many changes as {"type": "m2m", "operation": "add", "objects": […]}.
Field labels come from the models' Chinese verbose names, choices show their
labels and foreign keys the related object's name.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

EMPTY = "—"


@dataclass(frozen=True)
class ChangeRow:
    label: str
    before: str
    after: str


def change_rows(entry, fk_cache: dict | None = None) -> list[ChangeRow]:
    """The changes of one LogEntry; `fk_cache` is shared across a page to look each FK up once."""
    fk_cache = {} if fk_cache is None else fk_cache
    model = entry.content_type.model_class() if entry.content_type_id else None
    rows = []
    for name, values in (entry.changes_dict or {}).items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        if isinstance(values, dict) and values.get("type") == "m2m":
            objects = "、".join(str(o) for o in values.get("objects", [])) or EMPTY
            if values.get("operation") == "delete":
                rows.append(ChangeRow(label, _("移除：%(objs)s") % {"objs": objects}, EMPTY))
            else:
                rows.append(ChangeRow(label, EMPTY, _("增加：%(objs)s") % {"objs": objects}))
            continue
        before, after = (list(values) + [None, None])[:2]
        rows.append(
            ChangeRow(label, _display(field, before, fk_cache), _display(field, after, fk_cache))
        )
    return rows


def _field(model, name):
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # Reverse relations carry no label of their own.
    return field if isinstance(field, models.Field) else None


def _display(field, value, fk_cache: dict) -> str:
    if value is None or value in ("None", ""):
        return EMPTY
    value = str(value)
    if field is None:
        return value
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return {"True": _("是"), "False": _("否")}.get(value, value)
    if isinstance(field, models.ForeignKey):
        return _related(field, value, fk_cache)
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, UTC)
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return value


def _related(field, value: str, fk_cache: dict) -> str:
    key = (field.related_model, value)
    if key not in fk_cache:
        try:
            obj = field.related_model._base_manager.filter(pk=value).first()
        except (ValueError, TypeError):
            obj = None
        fk_cache[key] = str(obj) if obj is not None else _("已删除（#%(pk)s）") % {"pk": value}
    return fk_cache[key]
