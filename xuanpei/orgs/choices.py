"""Enumerations of the orgs app. Editable dictionaries (sectors) are models instead."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("区")
    NEW_TOWN = "new_town", _("新城")
    TOWN = "town", _("镇")
    SUBDISTRICT = "subdistrict", _("街道")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("行业部门")


# Units an enterprise may sit in (属地): its 镇街 or its 新城.
TERRITORIAL_HOME_KINDS = (UnitKind.NEW_TOWN, UnitKind.TOWN, UnitKind.SUBDISTRICT)


class EnterpriseScale(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class RiskLevel(models.TextChoices):
    """安全风险等级, domain.md §9: 重大(红)/较大(橙)/一般(黄)/低(蓝)."""

    MAJOR = "major", _("重大风险（红）")
    HIGH = "high", _("较大风险（橙）")
    GENERAL = "general", _("一般风险（黄）")
    LOW = "low", _("低风险（蓝）")
