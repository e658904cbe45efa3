"""Users: each belongs to one unit or one enterprise, with one role."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.core.permissions import USER_MANAGER_ROLES, Role
from xuanpei.core.scoping import ScopedQuerySet
from xuanpei.core.validators import validate_email_address, validate_phone


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. Scope comes from `unit` (with its subtree) or `enterprise`."""

    # A unit admin manages the users of its subtree; an enterprise's users belong
    # to that enterprise (and so to its territorial unit's subtree).
    SCOPE_UNIT = "unit"
    SCOPE_ENTERPRISE = "enterprise"

    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role, default=Role.VIEWER)
    # AbstractUser's field, with a Chinese message and normalised input (issue #8 item 7).
    email = models.EmailField(_("电子邮箱"), blank=True, validators=[validate_email_address])
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_phone])

    objects = ScopedUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~(models.Q(unit__isnull=False) & models.Q(enterprise__isnull=False)),
                name="accounts_user_one_home",
                violation_error_message=_("用户只能属于一个单位或一个企业"),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # A new password (a manager's reset, my own change, `changepassword`, the admin)
        # ends every API token: a token must not outlive the password it was issued
        # under (issue #9 item 9). `_password` is set by set_password() until saved.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()

    @property
    def home(self):
        """The unit or enterprise this user works for."""
        return self.enterprise or self.unit

    @property
    def can_manage_users(self) -> bool:
        return self.is_superuser or self.role in USER_MANAGER_ROLES

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        if action == "view":
            return True
        return user.is_superuser or user.role in USER_MANAGER_ROLES
