"""Use cases for user accounts: create, update, deactivate, reset a password, API tokens.

Unit admins manage the users of their own subtree (issue #2 point 5); district
admins manage everyone. The reach is territorial (issue #9 item 2, docs/decisions.md
"Who manages an enterprise's accounts"): a department does not manage the accounts
of the enterprises it supervises, and an admin does not manage another admin of
its own unit — a higher level does. Each function is atomic, re-checks the actor's scope
inside the transaction (`manageable_users`), and runs inside the actor's audit
context, so the audit log names who did it even from a command or a thread.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from xuanpei.accounts.models import User
from xuanpei.audit.context import acting_as
from xuanpei.core.permissions import USER_MANAGER_ROLES, Role, is_district_admin
from xuanpei.core.scoping import UserScope, scope_filter
from xuanpei.core.views import ScopeViolation

# Fields a manager may set on another user's account.
USER_FIELDS = ("first_name", "email", "phone", "unit", "enterprise", "role")


def assignable_roles(actor) -> list[str]:
    """Roles `actor` may give: only the district hands out the district admin role."""
    if is_district_admin(actor):
        return list(Role.values)
    return [r for r in Role.values if r != Role.DISTRICT_ADMIN]


def _check_account(user: User, *, actor) -> None:
    """Rules of a sound account; raises ValidationError naming the field."""
    errors = {}
    if bool(user.unit_id) == bool(user.enterprise_id):
        errors["unit"] = _("请选择所属单位或所属企业（二选一）")
    if user.role not in assignable_roles(actor):
        errors["role"] = _("您不能授予该角色")
    elif user.role == Role.DISTRICT_ADMIN and not (user.unit_id and user.unit.is_root()):
        errors["role"] = _("区安委办管理员须属于区级单位")
    elif _is_peer_admin(user, actor):
        errors["role"] = _("本单位的管理员须由上级单位设置")
    if errors:
        raise ValidationError(errors)


def _is_peer_admin(user: User, actor) -> bool:
    """Is `user` a manager of `actor`'s own unit (not `actor`)? Below the district, only a higher level manages them."""
    return (
        not is_district_admin(actor)
        and user.pk != actor.pk
        and user.role in USER_MANAGER_ROLES
        and user.unit_id is not None
        and user.unit_id == actor.unit_id
    )


def manageable_users(actor):
    """The accounts `actor` may manage.

    The actor's scope for users, territorially only: the department-supervision
    branch of the scope (行业监管) lets a department see its enterprises' data but not
    run their accounts. Less superusers, (below the district) district admins, and
    the other admins of the actor's own unit.
    """
    qs = User.objects.for_user(actor, "change")
    if not actor.is_superuser:
        qs = qs.filter(is_superuser=False)
    scope = UserScope.of(actor)
    if scope.department_id and not scope.everything:
        qs = qs.filter(scope_filter(User, UserScope(unit_path=scope.unit_path)))
    if not is_district_admin(actor):
        qs = qs.exclude(role=Role.DISTRICT_ADMIN)
        if actor.unit_id:
            peers = Q(role__in=USER_MANAGER_ROLES, unit_id=actor.unit_id) & ~Q(pk=actor.pk)
            qs = qs.exclude(peers)
    return qs


def assignable_enterprises(actor):
    """Enterprises whose accounts `actor` may open: territorial, as `manageable_users`."""
    from xuanpei.orgs.models import Enterprise

    qs = Enterprise.objects.for_user(actor, "change")
    scope = UserScope.of(actor)
    if scope.department_id and not scope.everything:
        qs = qs.filter(scope_filter(Enterprise, UserScope(unit_path=scope.unit_path)))
    return qs


def _ensure_manageable(user: User, actor) -> None:
    """Re-check inside the write's transaction (style.md §8); rolls back when outside."""
    if not manageable_users(actor).filter(pk=user.pk).exists():
        raise ScopeViolation


def _check_manager(actor) -> None:
    if not getattr(actor, "can_manage_users", False):
        raise PermissionDenied(_("您没有管理用户的权限"))


def create_user(*, actor, username: str, password: str, **fields) -> User:
    """Open an account in the actor's scope; the password must pass the validators."""
    _check_manager(actor)
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {', '.join(sorted(unknown))}")
    with acting_as(actor), transaction.atomic():
        user = User(username=username.strip(), **fields)
        _check_account(user, actor=actor)
        if User.objects.filter(username__iexact=user.username).exists():
            raise ValidationError({"username": _("该用户名已被使用")})
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        _ensure_manageable(user, actor)
    return user


def update_user(user: User, *, actor, **fields) -> User:
    """Change the given account fields; a manager cannot change their own role or home."""
    _check_manager(actor)
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"unknown user fields: {', '.join(sorted(unknown))}")
    if user.pk == actor.pk:
        for name in ("role", "unit", "enterprise"):
            if name in fields and fields[name] != getattr(user, name):
                raise ValidationError({name: _("不能修改自己的角色或所属单位")})
    with acting_as(actor), transaction.atomic():
        # Checked before as well as after: demoting a peer admin would bring them in reach.
        _ensure_manageable(user, actor)
        changed = [name for name, value in fields.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, fields[name])
        if user.pk != actor.pk:
            _check_account(user, actor=actor)
        user.full_clean(exclude=["password"])
        if changed:
            user.save(update_fields=changed)
        _ensure_manageable(user, actor)
    return user


def set_active(user: User, *, actor, active: bool) -> User:
    """Deactivate (or reactivate) an account. A deactivated user cannot log in or use a token."""
    _check_manager(actor)
    if user.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账号"))
    with acting_as(actor), transaction.atomic():
        _ensure_manageable(user, actor)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
        if not active:
            Token.objects.filter(user=user).delete()
    return user


def reset_password(user: User, *, actor, password: str) -> User:
    """Give `user` a new password chosen by a manager; clears a lock-out and ends the API token (User.save)."""
    _check_manager(actor)
    password_validation.validate_password(password, user)
    with acting_as(actor), transaction.atomic():
        _ensure_manageable(user, actor)
        user.set_password(password)
        user.save(update_fields=["password"])
    # A manager resetting the password is how a locked-out user gets back in.
    from xuanpei.accounts import lockout

    lockout.unlock(user.get_username())
    return user


def unlock_login(user: User, *, actor) -> int:
    """Lift `user`'s login lock-out for every client (a manager's action; audited by the log entry)."""
    from xuanpei.accounts import lockout

    _check_manager(actor)
    _ensure_manageable(user, actor)
    return lockout.unlock(user.get_username())


def issue_api_token(user: User) -> Token:
    """A new API token for `user`; any previous token stops working."""
    if not user.is_active:
        raise ValidationError(_("账号已停用，不能生成令牌"))
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def revoke_api_token(user: User) -> bool:
    """Delete `user`'s API token; True when there was one."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)
