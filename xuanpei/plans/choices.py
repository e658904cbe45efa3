"""Enumerations of the plans app (issue #4)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")
    CLOSED = "closed", _("已结束")


class PlanKind(models.TextChoices):
    """The district's plan, or a unit's own yearly plan (requirement 四(一))."""

    DISTRICT = "district", _("区级计划")
    UNIT = "unit", _("单位计划")


class TaskKind(models.TextChoices):
    PUBLICITY = "publicity", _("宣传")
    TRAINING = "training", _("培训")
    REQUIREMENT = "requirement", _("要求")


class Timeframe(models.TextChoices):
    """When a task is due; decides the reporting periods (`periods.py`)."""

    ALL_YEAR = "all_year", _("全年")
    DATE_RANGE = "date_range", _("时间段")
    QUARTERLY = "quarterly", _("每季度")
    MONTHLY = "monthly", _("每月")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    COOPERATE = "cooperate", _("配合")


class AssignmentStatus(models.TextChoices):
    """Computed by `status.assignment_status` (the order is the matrix legend's)."""

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已验收")
    OVERDUE = "overdue", _("已逾期")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已验收")


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    GRANTED = "granted", _("已同意")
    REFUSED = "refused", _("未同意")


class Comparator(models.TextChoices):
    AT_LEAST = "ge", "≥"
    EXACTLY = "eq", "="
    AT_MOST = "le", "≤"
