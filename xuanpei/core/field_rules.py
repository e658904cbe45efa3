"""Who may change which field of a row: one declaration per model, read by forms, the API
and imports alike (issue #9 item 1).

Scope (`core.scoping`) decides which rows a user may change; the role's grant
(`core.permissions`) whether they may change rows of a model at all. Some fields of a
row in scope are still not theirs to change: an enterprise's own account may edit its
record, but not where it sits (属地), who supervises it (行业主管部门) or its credit code.
Each app declares that once, in `<app>/field_rules.py`:

    register(Enterprise, FieldRules(
        locked={ENTERPRISE: ("unit", "departments", "uscc"), DEPARTMENT: ("unit",)},
    ))

`locked` maps a kind of user (district / unit / department / enterprise, see
`user_kind`) or a role (`core.permissions.Role`) to the model fields it may not change;
`fixed` lists fields nobody changes once the row exists (a report's assignment).
`writable_fields(user, model, obj)` and `locked_fields(...)` answer for one user and row;
`ScopedModelForm` disables the locked fields, `core.api.ScopedModelSerializer` refuses a
change to one with a 400 naming the field, and the import base turns one into a row
error naming the column. The rules speak of changes to a stored row: what a new row may
hold is bounded by scope (the choices offered, `ensure_in_scope` after the write).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from xuanpei.core.scoping import UserScope

# Kinds of user, by what they are attached to (see core.scoping.UserScope).
DISTRICT = "district"  # the root unit, or a superuser
UNIT = "unit"  # a territorial unit below the root (新城, 镇街, 村社区)
DEPARTMENT = "department"  # an industry department (行业部门)
ENTERPRISE = "enterprise"  # an enterprise's own account
USER_KINDS = (DISTRICT, UNIT, DEPARTMENT, ENTERPRISE)


def user_kind(user) -> str | None:
    """district / unit / department / enterprise, or None for a user attached to nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    scope = UserScope.of(user)
    if scope.everything:
        return DISTRICT
    if scope.enterprise_id:
        return ENTERPRISE
    if scope.department_id:
        return DEPARTMENT
    return UNIT if scope.unit_path else None


@dataclass(frozen=True)
class FieldRules:
    """The write rules of one model's fields (names are model field names)."""

    # user kind or role → fields it may not change on a stored row
    locked: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # fields nobody changes once the row exists
    fixed: tuple[str, ...] = ()

    def locked_for(self, user, obj=None) -> frozenset[str]:
        if obj is None or getattr(obj, "pk", None) is None:
            return frozenset()
        names = set(self.fixed)
        if user is not None and not getattr(user, "is_superuser", False):
            for key in (user_kind(user), getattr(user, "role", None)):
                names.update(self.locked.get(key, ()))
        return frozenset(names)


_rules: dict[type, FieldRules] = {}
_discovered = False


def register(model, rules: FieldRules) -> FieldRules:
    _rules[model] = rules
    return rules


def rules_for(model) -> FieldRules:
    """The model's rules; a model without a declaration has none (every field open)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("field_rules")
        _discovered = True
    return _rules.get(model, FieldRules())


def registered_models() -> list[type]:
    rules_for(None)
    return list(_rules)


def locked_fields(user, model, obj=None) -> frozenset[str]:
    """The fields of `obj` (a stored row of `model`) that `user` may not change."""
    return rules_for(model).locked_for(user, obj)


def writable_fields(user, model, obj=None) -> frozenset[str]:
    """The concrete and many-to-many fields of `model` that `user` may change on `obj`."""
    names = {f.name for f in model._meta.get_fields() if f.concrete or f.many_to_many}
    return frozenset(names - locked_fields(user, model, obj))


def field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # noqa: BLE001 - a name that is not a model field
        return name


def refusal(model, name: str) -> str:
    """The one message for a change to a locked field, naming it."""
    return _("您无权修改“%(field)s”") % {"field": field_label(model, name)}
