"""Import batches: a bulk write is audited as one event, not object by object (issue #10).

A committed import (any importer) writes one `ImportBatch` — who, when, which
file, the options, the six counts, the duration — and one `ImportBatchRow` per
accepted row: the Excel row, the object it touched, created / updated /
unchanged and, for an update, the changed fields. Object-by-object edits made
through pages, the API and services keep django-auditlog's `LogEntry` as before;
a person's history page reads both into one timeline.

Reverting a batch is itself a batch (`kind=REVERT`, `reverts` → the original),
with its own rows, so the timeline shows the undo where it happened.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel


class ImportBatch(ScopedModel):
    """One committed import (or the revert of one), owned by the importing user's unit/enterprise."""

    # The district sees every batch; a unit admin those of its subtree; an
    # enterprise account its own (scoped like every domain row).
    SCOPE_UNIT = "unit"
    SCOPE_ENTERPRISE = "enterprise"

    class Kind(models.TextChoices):
        IMPORT = "import", _("导入")
        REVERT = "revert", _("撤销导入")

    class Status(models.TextChoices):
        COMMITTED = "committed", _("已提交")
        REVERTED = "reverted", _("已撤销")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind, default=Kind.IMPORT)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.COMMITTED)
    # The registry name (`xuanpei import <importer>`) and what it imports, as shown then.
    importer = models.CharField(_("导入类型"), max_length=50, db_index=True)
    label = models.CharField(_("导入内容"), max_length=50, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_batches",
    )
    # Kept as text: the batch still names who imported after the account is gone
    # ("系统" for a system import from the command line).
    username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    remote_addr = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    enterprise = models.ForeignKey(
        "orgs.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    file_size = models.BigIntegerField(_("文件大小（字节）"), default=0)
    file_sha256 = models.CharField(_("文件SHA-256"), max_length=64, blank=True)
    # Storage name of the kept original under MEDIA_ROOT/imports/batches/; blank
    # once the retention period removed it (the batch and its rows still read).
    file_path = models.CharField(_("原始文件"), max_length=255, blank=True)
    options = models.JSONField(_("导入选项"), default=dict, blank=True)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    accepted = models.PositiveIntegerField(_("通过"), default=0)
    rejected = models.PositiveIntegerField(_("未通过"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    # A revert points to the batch it undid; the undone batch points back through
    # `reverted_by_batch` (a reverse relation) and carries status REVERTED.
    reverts = models.OneToOneField(
        "self",
        verbose_name=_("撤销的批次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reverted_by_batch",
    )
    reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        indexes = [
            # Serves the batch list's default order and its date filter.
            models.Index(fields=["-started_at"], name="audit_batch_started"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.label or self.importer}"

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        """Batches are read (the list, the change table, the file) and reverted ("change")
        by district admins only (issue #10 item 2); the import machinery records the
        batches of every importer ("add"); nobody deletes, imports or exports them."""
        from xuanpei.core.permissions import is_district_admin

        if action == "add":
            return True
        return action in ("view", "change") and is_district_admin(user)

    @property
    def is_revertable(self) -> bool:
        """A committed import not yet reverted (whether its rows allow it is the service's call)."""
        return self.kind == self.Kind.IMPORT and self.status == self.Status.COMMITTED


class ImportBatchRow(models.Model):
    """What one accepted row of a batch did to one object (the change table)."""

    class Action(models.IntegerChoices):
        CREATED = 1, _("新增")
        UPDATED = 2, _("更新")
        UNCHANGED = 3, _("未变化")
        DELETED = 4, _("删除")  # a revert removing what the batch created

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="changes"
    )
    row_number = models.PositiveIntegerField(_("Excel行号"), null=True, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("对象类型"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the (content_type, object_id) index below covers it
    )
    object_id = models.BigIntegerField(_("对象ID"))
    # What the row was, for reading the table without loading the object
    # ("张三 110…1234" masked as the log masks it).
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    action = models.PositiveSmallIntegerField(_("操作"), choices=Action)
    # For an update: {field name: [old, new]} as a person reads them (labels,
    # names; ID numbers masked as in the audit log).
    changes = models.JSONField(_("变更"), null=True, blank=True)
    # For an update: {attname: old raw value} (JSON-serialised) — what a revert
    # restores; and {attname: new raw value}, to see whether the object changed
    # since. Never shown.
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = _("导入变更")
        verbose_name_plural = _("导入变更")
        indexes = [
            # Serves an object's history timeline (the batch rows that touched it).
            models.Index(fields=["content_type", "object_id"], name="audit_batchrow_object"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"
