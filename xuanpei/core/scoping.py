"""The one scoping mechanism: `Model.objects.for_user(user, action)`.

Rule (issue #2): a unit user sees its unit's subtree (属地管理); an industry
department additionally sees every enterprise it supervises wherever it sits
(行业监管); an enterprise user sees only its enterprise. Superusers and the
district (root of the tree) see everything. Every view, API endpoint, export,
search, count and report gets its rows from here; nothing else filters by scope.

A model declares how it reaches its owner (see `core.models.ScopedModel`):
    SCOPE_UNIT        path to a Unit FK ("" = the row is a Unit), or None
    SCOPE_ENTERPRISE  path to an Enterprise FK ("" = the row is an Enterprise), or None
    SCOPE_SHARED_DOWN path to the Unit FK of an issuer whose published rows every unit
                      below it may read (a district plan and its tasks), or None;
                      "published" is the model's `shared_q()`. Reading only: writes
                      stay with the issuer's subtree.
    SCOPE_ADDRESSED   path to the Units a published row is addressed to (a bulletin's
                      recipients), or None; each named unit reads the row when the
                      model's `addressed_q()` holds (issued). Reading only.
"""

from __future__ import annotations

import functools

from django.db import models
from django.db.models import Q

from xuanpei.core.permissions import has_action


def _lookup(prefix: str, field: str) -> str:
    return f"{prefix}__{field}" if prefix else field


class UserScope:
    """What a user is attached to, resolved once per request and cached on the user."""

    __slots__ = ("everything", "unit_path", "department_id", "enterprise_id")

    def __init__(self, *, everything=False, unit_path=None, department_id=None, enterprise_id=None):
        self.everything = everything
        self.unit_path = unit_path
        self.department_id = department_id
        self.enterprise_id = enterprise_id

    @classmethod
    def of(cls, user) -> UserScope:
        cached = getattr(user, "_xuanpei_scope", None)
        if cached is not None:
            return cached
        if user.is_superuser:
            scope = cls(everything=True)
        elif user.enterprise_id:
            scope = cls(enterprise_id=user.enterprise_id)
        elif user.unit_id:
            unit = user.unit
            scope = cls(
                everything=unit.is_root(),
                unit_path=unit.path,
                department_id=unit.pk if unit.is_department else None,
            )
        else:
            scope = cls()  # attached to nothing: sees nothing
        user._xuanpei_scope = scope
        return scope


def scope_filter(model, scope: UserScope) -> Q | None:
    """The Q that keeps `model`'s rows inside `scope`; None means no row at all."""
    unit_path = getattr(model, "SCOPE_UNIT", None)
    ent_path = getattr(model, "SCOPE_ENTERPRISE", None)
    if scope.enterprise_id:
        if ent_path is None:
            return None
        return Q(**{_lookup(ent_path, "pk"): scope.enterprise_id})
    if not scope.unit_path:
        return None
    unit_lookups = []
    if unit_path is not None:
        unit_lookups.append(_lookup(unit_path, "path__startswith"))
    if ent_path is not None:
        unit_lookups.append(_lookup(ent_path, "unit__path__startswith"))
    if not unit_lookups:
        return None
    q = Q()
    for lookup in unit_lookups:
        q |= Q(**{lookup: scope.unit_path})
    if scope.department_id and ent_path is not None:
        q |= Q(**{_lookup(ent_path, "pk__in"): supervised_enterprises(scope.department_id)})
    return q


def supervised_enterprises(department_id: int):
    """The ids of the enterprises a department supervises, as a subquery.

    A subquery rather than a join across `departments`: the join is to-many (an
    enterprise has several departments), which would repeat rows and need a pk-subquery
    around the whole filter — a second scan of the table on every department's list.
    """
    from django.apps import apps

    through = apps.get_model("orgs", "Enterprise").departments.through
    return through.objects.filter(unit_id=department_id).values("enterprise_id")


def ancestor_paths(unit_path: str) -> list[str]:
    """Materialized paths of a unit and all its ancestors (treebeard MP, fixed step)."""
    from django.apps import apps

    step = apps.get_model("orgs", "Unit").steplen
    return [unit_path[:end] for end in range(step, len(unit_path) + 1, step)]


def shared_down_filter(model, scope: UserScope) -> Q | None:
    """Published rows issued by the user's unit or any unit above it (read access only)."""
    path = getattr(model, "SCOPE_SHARED_DOWN", None)
    if path is None or not scope.unit_path:
        return None
    return Q(**{_lookup(path, "path__in"): ancestor_paths(scope.unit_path)}) & model.shared_q()


def addressed_filter(model, scope: UserScope) -> Q | None:
    """Published rows addressed to the user's own unit (read access only)."""
    path = getattr(model, "SCOPE_ADDRESSED", None)
    if path is None or not scope.unit_path:
        return None
    return Q(**{_lookup(path, "path"): scope.unit_path}) & model.addressed_q()


def read_only_filter(model, scope: UserScope) -> Q | None:
    """The rows a user reads without owning them: shared down the tree, or addressed."""
    q = None
    for part in (shared_down_filter(model, scope), addressed_filter(model, scope)):
        if part is not None:
            q = part if q is None else q | part
    return q


@functools.cache
def crosses_to_many(model) -> bool:
    """Does one of `model`'s scope paths (unit, enterprise, addressed) follow a to-many
    relation?

    E.g. a person reaches enterprises through its posts ("posts__enterprise"):
    filtering on that path joins one row per post.
    """
    paths = (
        getattr(model, "SCOPE_UNIT", None),
        getattr(model, "SCOPE_ENTERPRISE", None),
        getattr(model, "SCOPE_ADDRESSED", None),
    )
    for path in paths:
        if not path:
            continue
        opts = model._meta
        for name in path.split("__"):
            field = opts.get_field(name)
            if field.many_to_many or field.one_to_many:
                return True
            if not field.is_relation:
                break
            opts = field.related_model._meta
    return False


def reaches(user, model, action: str = "view") -> bool:
    """Could `model.objects.for_user(user, action)` hold any row at all?

    The role's grant, and a scope path for this kind of user: an enterprise
    account reaches no unit or plan, whatever its role. Menus offer only what
    reaches (issue #8 §4) and `ScopedViewMixin` refuses the rest with 403. No query.
    """
    if not has_action(user, model, action):
        return False
    scope = UserScope.of(user)
    if scope.everything or scope_filter(model, scope) is not None:
        return True
    return action == "view" and read_only_filter(model, scope) is not None


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user, action: str = "view") -> ScopedQuerySet:
        """Rows of this queryset that `user` may see (action=view) or act on."""
        if not has_action(user, self.model, action):
            return self.none()
        scope = UserScope.of(user)
        if scope.everything:
            return self
        q = scope_filter(self.model, scope)
        shared = read_only_filter(self.model, scope) if action == "view" else None
        if shared is not None:
            q = shared if q is None else q | shared
        if q is None:
            return self.none()
        if crosses_to_many(self.model):
            # The model's own scope path crosses a to-many join: filter through a pk
            # subquery so a row never appears twice in a list or a count.
            inner = self.model._default_manager.filter(q).values("pk")
            return self.filter(pk__in=inner)
        return self.filter(q)

    def in_scope(self, user, pk, action: str = "view") -> bool:
        return self.for_user(user, action).filter(pk=pk).exists()
