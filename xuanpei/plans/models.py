"""The yearly plan as data (issue #4): plan, sections, tasks with targets, assignments
to units, progress reports with evidence, deadline adjustments and comments.

Ownership (scoping): a plan belongs to the unit that issues it — the district
(区安委办, the root unit) for the district plan, a unit for its own plan
(requirement 四(一)). An issued plan, its sections and tasks are readable by
every unit below the issuer (`SCOPE_SHARED_DOWN`); editing stays with the
issuer's subtree. An assignment and everything reported on it belong to the
responsible unit, so a new town sees its own and its 镇街's, the district sees all.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel
from xuanpei.plans import periods as period_rules
from xuanpei.plans import status as status_rules
from xuanpei.plans.choices import (
    AdjustmentStatus,
    AssignmentRole,
    AssignmentStatus,
    Comparator,
    PlanKind,
    PlanStatus,
    ReportStatus,
    TaskKind,
    Timeframe,
)

# GB/T 9704-2012: 机关代字 + 〔year〕 + number without leading zero + 号 (domain.md §5).
DOC_NUMBER_RE = re.compile(r"^\S+〔\d{4}〕[1-9]\d*号$")
PUBLISHED = (PlanStatus.ISSUED, PlanStatus.CLOSED)


def format_number(value) -> str:
    if value is None:
        return ""
    text = f"{Decimal(str(value)).normalize():f}"
    return text


def validate_doc_number(value: str) -> None:
    if value and not DOC_NUMBER_RE.match(value):
        raise ValidationError(
            _(
                "发文字号格式应为“机关代字〔年份〕序号号”，如 XX安委办发〔2022〕3号（六角括号，序号不加“第”和前导0）"
            ),
            code="doc_number",
        )


class Plan(ScopedModel):
    """A yearly publicity, education and training plan (年度宣传教育培训计划)."""

    SCOPE_UNIT = "unit"
    SCOPE_SHARED_DOWN = "unit"

    kind = models.CharField(
        _("计划类别"), max_length=10, choices=PlanKind, default=PlanKind.DISTRICT
    )
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("制定单位"), on_delete=models.PROTECT, related_name="plans"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(
        _("发文字号"), max_length=60, blank=True, validators=[validate_doc_number]
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=PlanStatus, default=PlanStatus.DRAFT
    )
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    preamble = models.TextField(_("导语"), blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("对应区级计划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_plans",
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("复制自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file = models.FileField(_("计划文件"), upload_to="plans/%Y/", blank=True)
    # Year-bound text a copy carried over (〔2022〕3号, 二十大, 疫情防控): places to review
    # before issue (`year_flags`); a flag leaves when it is cleared or its text changes.
    year_flags = models.JSONField(_("待复核的年份相关内容"), default=list, blank=True)

    class Meta:
        ordering = ["-year", "kind", "unit__path"]
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=Q(kind=PlanKind.DISTRICT),
                name="plans_plan_one_district_plan_a_year",
                violation_error_message=_("该单位本年度已有计划"),
            ),
            models.UniqueConstraint(
                fields=["unit", "parent"],
                condition=Q(kind=PlanKind.UNIT),
                name="plans_plan_one_unit_plan_per_parent",
                violation_error_message=_("本单位已提交过对应该区级计划的年度计划"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        """Rows readable below the issuer: published plans only (drafts stay with the issuer)."""
        return Q(**{f"{prefix}status__in": PUBLISHED})

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED


class PlanSection(ScopedModel):
    """A numbered text section of the plan (一、总体思路 …, 四、相关要求)."""

    SCOPE_UNIT = "plan__unit"
    SCOPE_SHARED_DOWN = "plan__unit"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    number = models.CharField(_("序号"), max_length=20, blank=True)
    heading = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("计划章节")
        verbose_name_plural = _("计划章节")

    def __str__(self) -> str:
        return f"{self.number}{self.heading}"

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        return Plan.shared_q(prefix + "plan__")


class Task(ScopedModel):
    """A key task of the plan (重点任务): one row of an attachment table."""

    SCOPE_UNIT = "plan__unit"
    SCOPE_SHARED_DOWN = "plan__unit"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    number = models.CharField(_("编号"), max_length=30, help_text=_("如 三(一)5"))
    title = models.CharField(_("任务名称"), max_length=200)
    content = models.TextField(_("任务内容"), blank=True)
    kind = models.CharField(_("类别"), max_length=12, choices=TaskKind)
    lead_units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("牵头单位"), related_name="+", blank=True
    )
    cooperating_units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("配合单位"), related_name="+", blank=True
    )
    other_units = models.CharField(
        _("其他单位"),
        max_length=200,
        blank=True,
        help_text=_("不在本平台单位树中的单位（如区委宣传部），仅作记录"),
    )
    timeframe = models.CharField(
        _("完成时限"), max_length=12, choices=Timeframe, default=Timeframe.ALL_YEAR
    )
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    end_date = models.DateField(_("截止日期"), null=True, blank=True)
    timeframe_note = models.CharField(_("时限说明"), max_length=100, blank=True)
    deliverables = models.TextField(_("工作成果"), blank=True)
    # Training schedule columns (附件2), empty for publicity tasks.
    audience = models.CharField(_("培训对象"), max_length=200, blank=True)
    method = models.CharField(_("培训方式"), max_length=100, blank=True)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="plans_task_number_unique_in_plan",
                violation_error_message=_("本计划中已有相同编号的任务"),
            ),
            models.CheckConstraint(
                condition=~Q(timeframe=Timeframe.DATE_RANGE)
                | Q(
                    start_date__isnull=False,
                    end_date__isnull=False,
                    end_date__gte=models.F("start_date"),
                ),
                name="plans_task_date_range_complete",
                violation_error_message=_(
                    "时间段任务须填写开始和截止日期，且截止日期不早于开始日期"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("plans:task_detail", args=[self.pk])

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        return Plan.shared_q(prefix + "plan__")

    def periods(self) -> list[period_rules.Period]:
        return period_rules.periods(
            self.timeframe,
            self.plan.year,
            start=self.start_date,
            end=self.end_date,
            due=self.end_date if self.timeframe == Timeframe.ALL_YEAR else None,
        )


class Target(ScopedModel):
    """A quantified target of a task (持证率 100%; ≥ 1 网格员培训 per quarter per unit)."""

    SCOPE_UNIT = "task__plan__unit"
    SCOPE_SHARED_DOWN = "task__plan__unit"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("指标"), max_length=100)
    comparator = models.CharField(
        _("比较"), max_length=2, choices=Comparator, default=Comparator.AT_LEAST
    )
    value = models.DecimalField(_("目标值"), max_digits=12, decimal_places=2)
    unit_label = models.CharField(_("单位"), max_length=20, blank=True, help_text=_("如 次、%、人"))
    per_period = models.BooleanField(
        _("每期"), default=False, help_text=_("勾选：每个填报期（如每季度）都须达到；否则全年累计")
    )
    # A key of `plans.metrics` (e.g. "publicity.activities"): the achieved value is
    # counted from records, not typed; blank = typed in the progress reports.
    metric = models.CharField(
        _("自动统计"),
        max_length=50,
        blank=True,
        help_text=_("选择后，完成量由系统根据台账记录自动统计，责任单位不能填报"),
    )

    class Meta:
        ordering = ["task", "order", "pk"]
        verbose_name = _("量化目标")
        verbose_name_plural = _("量化目标")

    def __str__(self) -> str:
        return f"{self.name}{self.get_comparator_display()}{self.value_text}{self.unit_label}"

    @property
    def value_text(self) -> str:
        """The value as a person writes it: 100, 1.5 (never 100.00 or 1E+2)."""
        return format_number(self.value)

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        return Plan.shared_q(prefix + "task__plan__")

    @property
    def fact(self) -> status_rules.TargetFact:
        """The target as the pure status rules read it."""
        return status_rules.TargetFact(
            self.pk,
            self.comparator,
            self.value,
            self.per_period,
            self.unit_label.strip() == status_rules.RATE_LABEL and not self.metric,
            self.metric,
        )

    def is_met(self, achieved) -> bool:
        return status_rules.meets(self.fact, achieved)


class Assignment(ScopedModel):
    """A task as one responsible unit carries it (任务分解到单位)."""

    SCOPE_UNIT = "unit"

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("职责"), max_length=10, choices=AssignmentRole)
    # A sub-assignment (分解给下级单位): the assignment it was broken from, whose unit
    # reviews its reports and counts its accepted quantities (`subassign.py`). RESTRICT:
    # a task's deletion takes both, but a parent alone is not deleted under its children.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("分解自"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="children",
    )
    # Cached from `status.assignment_status` by `services.refresh_status` (reports,
    # reviews, adjustments and the daily `plan refresh-status` command keep it current).
    status = models.CharField(
        _("状态"), max_length=12, choices=AssignmentStatus, default=AssignmentStatus.NOT_STARTED
    )
    next_due = models.DateField(_("下一截止日期"), null=True, blank=True)
    overdue_periods = models.PositiveSmallIntegerField(_("逾期期数"), default=0)
    status_on = models.DateField(_("状态计算日期"), null=True, blank=True)
    # Accepted although its targets are not all met (issue #8): who, when and why.
    # `services.accept_with_exception` sets them; reopening a period withdraws them.
    exception_reason = models.TextField(_("例外验收理由"), blank=True)
    exception_at = models.DateTimeField(_("例外验收时间"), null=True, blank=True)
    exception_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("例外验收人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["task", "role", "unit__path"]
        verbose_name = _("任务分解")
        verbose_name_plural = _("任务分解")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"],
                name="plans_assignment_one_per_unit",
                violation_error_message=_("该单位已承担此任务"),
            )
        ]
        indexes = [
            # The unit inbox: a unit's assignments by due date.
            models.Index(fields=["unit", "next_due"], name="plans_assign_unit_due"),
        ]

    def __str__(self) -> str:
        return f"{self.task.number} · {self.unit.name}"

    def get_absolute_url(self) -> str:
        return reverse("plans:assignment_detail", args=[self.pk])

    @property
    def has_exception(self) -> bool:
        return self.exception_at is not None


class ProgressReport(ScopedModel):
    """A unit's report on one period of an assignment (进展报送), reviewed by the issuer.

    A period may have several: the unit adds progress as the work goes on (issue #8)."""

    SCOPE_UNIT = "assignment__unit"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    period_key = models.CharField(_("填报期"), max_length=10)
    summary = models.TextField(_("工作开展情况"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ReportStatus, default=ReportStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    # Set on the accepted reports of a period the issuer reopened (the reason is the
    # REOPEN ReportEvent's comment): they still count toward the targets, but no
    # longer close the period (`status.ReportFact.reopened`).
    reopened_at = models.DateTimeField(_("重新打开时间"), null=True, blank=True)
    # The client's key for the request that created it (the API's Idempotency-Key, the
    # form's hidden key): a retried POST or a double click returns this report instead
    # of creating a second one (issue #9). Several reports a period stay allowed.
    request_key = models.CharField(_("请求标识"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "request_key"],
                condition=~Q(request_key=""),
                name="plans_progressreport_one_per_request_key",
                violation_error_message=_("该报告已创建，请勿重复提交"),
            )
        ]
        indexes = [
            # The 待审核 queue: submitted reports, oldest first.
            models.Index(fields=["status", "submitted_at"], name="plans_report_status_sub"),
        ]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")

    def __str__(self) -> str:
        return f"{self.assignment} · {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("plans:report_detail", args=[self.pk])

    @property
    def period_label(self) -> str:
        found = period_rules.period_by_key(self.assignment.task.periods(), self.period_key)
        return found.label if found else self.period_key

    @property
    def editable(self) -> bool:
        return self.status in (ReportStatus.DRAFT, ReportStatus.RETURNED)


class ReportQuantity(ScopedModel):
    """The quantity a report achieved against one target."""

    SCOPE_UNIT = "report__assignment__unit"

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="quantities")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(_("完成值"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["report", "target__order"]
        verbose_name = _("完成量")
        verbose_name_plural = _("完成量")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "target"],
                name="plans_reportquantity_one_per_target",
                violation_error_message=_("同一指标只能填写一次"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.target.name}: {self.value}"


class Evidence(ScopedModel):
    """A file proving a report (photo, PDF, DOCX, XLSX), checked by type and size."""

    SCOPE_UNIT = "report__assignment__unit"

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("文件"), upload_to="evidence/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10)  # "image", "pdf", "docx", "xlsx"
    size = models.PositiveIntegerField(_("大小（字节）"))
    thumbnail = models.FileField(_("缩略图"), upload_to="evidence/thumbs/%Y/%m/", blank=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self) -> str:
        return self.name


class ReportEvent(ScopedModel):
    """One step of a report's history: submitted, returned (with a comment), accepted,
    its period reopened by the issuer (with the reason)."""

    SCOPE_UNIT = "report__assignment__unit"

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交")
        RETURN = "return", _("退回")
        ACCEPT = "accept", _("验收通过")
        REOPEN = "reopen", _("重新打开该期")

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=10, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(_("意见"), blank=True)

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = _("报告记录")
        verbose_name_plural = _("报告记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.created_at:%Y-%m-%d %H:%M}"


class Adjustment(ScopedModel):
    """A unit's request to move a period's deadline (延期申请), granted or refused."""

    SCOPE_UNIT = "assignment__unit"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="adjustments")
    period_key = models.CharField(_("填报期"), max_length=10)
    current_due = models.DateField(_("原截止日期"))
    requested_due = models.DateField(_("申请截止日期"))
    reason = models.TextField(_("理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AdjustmentStatus, default=AdjustmentStatus.PENDING
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision_comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_due__gt=models.F("current_due")),
                name="plans_adjustment_later_date",
                violation_error_message=_("申请的截止日期须晚于原截止日期"),
            ),
            # One open request a period: two quick requests (or two tabs) leave one
            # for the reviewer to decide (issue #9).
            models.UniqueConstraint(
                fields=["assignment", "period_key"],
                condition=Q(status=AdjustmentStatus.PENDING),
                name="plans_adjustment_one_pending_per_period",
                violation_error_message=_("该填报期已有待审批的延期申请"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} → {self.requested_due}"


class Comment(ScopedModel):
    """A leader's comment (领导批示) on an assignment."""

    SCOPE_UNIT = "assignment__unit"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("批示内容"))

    class Meta:
        ordering = ["assignment", "pk"]
        verbose_name = _("批示")
        verbose_name_plural = _("批示")

    def __str__(self) -> str:
        return self.text[:30]
