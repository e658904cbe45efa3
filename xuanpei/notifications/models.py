"""The inbox of a unit or an enterprise: reminders raised by the platform.

A notification is addressed to one unit or one enterprise (not to a person), so
that whoever looks after that unit sees it; `key` makes raising idempotent —
the reminder job may run every day without sending the same stage twice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel


class NotificationLevel(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("预警")
    DANGER = "danger", _("逾期")


class Notification(ScopedModel):
    SCOPE_UNIT = "unit"
    SCOPE_ENTERPRISE = "enterprise"

    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("接收单位"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("接收企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("类别"), max_length=50)
    key = models.CharField(_("去重标识"), max_length=200)
    level = models.CharField(
        _("级别"), max_length=10, choices=NotificationLevel, default=NotificationLevel.INFO
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    due_date = models.DateField(_("到期日"), null=True, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        ordering = ["read_at", "-created_at", "pk"]
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(enterprise__isnull=False),
                name="notifications_notification_has_recipient",
                violation_error_message=_("消息须有接收单位或接收企业"),
            ),
            models.UniqueConstraint(
                fields=["key"],
                name="notifications_notification_unique_key",
                violation_error_message=_("该提醒已发送"),
            ),
        ]
        indexes = [
            # Serves each inbox: a recipient's unread messages, newest first.
            models.Index(fields=["unit", "read_at"], name="notif_unit_inbox"),
            models.Index(fields=["enterprise", "read_at"], name="notif_enterprise_inbox"),
        ]

    def __str__(self) -> str:
        return self.title
