"""Abstract bases every domain model builds on, and the background Job row."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanpei.core.scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    """Who created a row and when it last changed (the audit log keeps the details)."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class ScopedModel(TimeStampedModel):
    """A domain row owned by a unit and/or an enterprise.

    Subclasses name the lookups that lead to their owner:
    `SCOPE_UNIT` (a path to a Unit FK, "" for Unit itself, None if not unit-owned)
    and `SCOPE_ENTERPRISE` (a path to an Enterprise FK, "" for Enterprise itself,
    None if not enterprise-owned). `core.scoping` turns them into the one filter
    that every view, API, export and report uses.
    """

    SCOPE_UNIT: str | None = None
    SCOPE_ENTERPRISE: str | None = None

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        """Model-specific veto on an action for a user already holding the role's grant."""
        return True


class Job(models.Model):
    """A background task (an import, a large export) whose progress a page can poll.

    Runs in a thread by default (JOB_RUNNER=thread); the row is the only state
    shared with the page, so the runner can move to Celery without UI changes.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=50)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PENDING)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Liveness (issue #9 item 8): who runs the job ("host:pid:start") and when it last
    # said so; a job whose worker is gone is marked failed (core.jobs.fail_stale_jobs).
    worker = models.CharField(_("执行进程"), max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(_("心跳时间"), null=True, blank=True)
    # Set when the job's data transaction committed: "nothing was written" is then known.
    written_at = models.DateTimeField(_("数据写入时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0 if self.status != self.Status.DONE else 100
        return min(100, int(self.progress_done * 100 / self.progress_total))
