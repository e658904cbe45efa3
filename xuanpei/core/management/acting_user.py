"""The `--user USERNAME` option of the import and export commands."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def acting_user(username: str | None):
    """The user whose scope a command runs under; None (no option) is the system's full scope."""
    if not username:
        return None
    model = get_user_model()
    try:
        return model.objects.get(username=username)
    except model.DoesNotExist as exc:
        raise CommandError(_("没有用户名为 %(u)s 的账号") % {"u": username}) from exc
