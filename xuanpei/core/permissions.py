"""Which actions a role may take. Scope (which rows) is `core.scoping`'s job.

The rule is fixed by the bureau (issue #2): a role grants actions, the user's
unit or enterprise limits the rows. Models may veto an action further through
`ScopedModel.scope_allows` (e.g. only the district edits the unit tree).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区安委办管理员")
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    REPORTER = "reporter", _("填报员")
    VIEWER = "viewer", _("只读")


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    ADD = "add", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    IMPORT = "import", _("导入")
    EXPORT = "export", _("导出")


ALL_ACTIONS = frozenset(Action.values)
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.DISTRICT_ADMIN: ALL_ACTIONS,
    Role.UNIT_ADMIN: ALL_ACTIONS,
    Role.REPORTER: frozenset({"view", "add", "change", "import", "export"}),
    Role.VIEWER: frozenset({"view", "export"}),
}
# Roles that may manage the users of their own subtree.
USER_MANAGER_ROLES = frozenset({Role.DISTRICT_ADMIN, Role.UNIT_ADMIN})


def has_action(user, model, action: str) -> bool:
    """May `user` perform `action` on rows of `model` at all (before scoping)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if action not in ROLE_ACTIONS.get(user.role, frozenset()):
        return False
    veto = getattr(model, "scope_allows", None)
    return veto(user, action) if veto else True


def is_district_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or getattr(user, "role", None) == Role.DISTRICT_ADMIN)
    )
