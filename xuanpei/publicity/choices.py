"""Enumerations of the publicity app (issue #11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    """How a themed day or period falls in a year (domain.md §6).

    The first four give their dates for any year (`calendar.occurrence`); the last
    three give none: the district (or the unit, for its own campaigns) enters the
    dates each year when the notice comes or the season is set.
    """

    FIXED_DAY = "fixed_day", _("固定日期")
    MONTH = "month", _("整月")
    FIXED_RANGE = "fixed_range", _("固定时段")
    NTH_WEEKDAY = "nth_weekday", _("按星期推算")
    BY_NOTICE = "by_notice", _("每年按通知")
    SEASONAL = "seasonal", _("区定重点时段")
    LOCAL = "local", _("本地主题活动")


COMPUTED_KINDS = frozenset(
    {RuleKind.FIXED_DAY, RuleKind.MONTH, RuleKind.FIXED_RANGE, RuleKind.NTH_WEEKDAY}
)
ENTERED_KINDS = frozenset({RuleKind.BY_NOTICE, RuleKind.SEASONAL, RuleKind.LOCAL})


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class Nth(models.IntegerChoices):
    FIRST = 1, _("第一个")
    SECOND = 2, _("第二个")
    THIRD = 3, _("第三个")
    FOURTH = 4, _("第四个")
    LAST = -1, _("最后一个")
