"""Enumerations of the training app (issue #12)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingGroup(models.TextChoices):
    """Who a training minimum applies to (生产经营单位安全培训规定 Art. 4, 9, 13)."""

    MANAGER = "manager", _("主要负责人和安全生产管理人员")
    STAFF = "staff", _("从业人员")


class SectorClass(models.TextChoices):
    """The sector classes whose minimums differ (domain.md §2)."""

    GENERAL = "general", _("一般行业")
    HIGH_RISK = "high_risk", _("高危行业")
    CONSTRUCTION = "construction", _("建筑施工")


class TrainingKind(models.TextChoices):
    """Which minimum a person owes in a year."""

    INITIAL = "initial", _("初次（岗前）培训")
    YEARLY = "yearly", _("每年再培训")


class InitialScope(models.TextChoices):
    """Whose "first time" the initial minimum is (see `minimums.Minimum.initial_scope`)."""

    PERSON = "person", _("本人初次任职")
    EMPLOYER = "employer", _("在本单位新上岗")


class QuarterStatus(models.TextChoices):
    """The grid-officer quarterly rule for one new town and one quarter (issue #12 §6)."""

    MET = "met", _("已完成")
    NOT_MET = "not_met", _("未完成")
    IN_PROGRESS = "in_progress", _("进行中")
    NOT_STARTED = "not_started", _("未开始")
