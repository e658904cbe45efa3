"""The themed-day calendar (issue #11 item 1): rules kept as data and their yearly campaigns.

A `ThemedDayRule` says how a themed day or period falls in a year (domain.md §6):
a fixed day, a whole month, a fixed range, an nth weekday, or dates entered each
year (by notice, a season the district sets, a local campaign). A `Campaign` is one
occurrence: a year, its dates and that year's theme (主题). The activity ledger,
quotas and coverage of issue #11 hang on campaigns.

Ownership (scoping): the national calendar has no owner unit (`unit` NULL, seeded by
a migration before any unit exists): every unit reads it, the district edits it. A
unit's own rules and campaigns belong to it (`unit`); the district's and every
ancestor's are read by the units below (`SCOPE_SHARED_DOWN`); writing stays with the
owner's subtree. Campaigns of national rules belong to the district (the root).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xuanpei.core.models import ScopedModel
from xuanpei.core.permissions import Role, has_action
from xuanpei.core.scoping import ScopedQuerySet, UserScope
from xuanpei.publicity import calendar
from xuanpei.publicity.choices import COMPUTED_KINDS, Nth, RuleKind, Weekday
from xuanpei.publicity.querysets import CampaignQuerySet


class RuleQuerySet(ScopedQuerySet):
    def for_user(self, user, action: str = "view") -> ScopedQuerySet:
        """As every scoped model, plus the national calendar (no owner) for every unit user.

        Only reading: the national rules are written by the district (whose scope is
        everything) and nobody else.
        """
        scoped = super().for_user(user, action)
        if action != "view" or not has_action(user, self.model, "view"):
            return scoped
        scope = UserScope.of(user)
        if scope.everything or not scope.unit_path:
            return scoped
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(unit__isnull=True))

    def national(self):
        """The national calendar (no owner unit)."""
        return self.filter(unit__isnull=True)

    def active(self):
        return self.filter(is_active=True)


class ThemedDayRule(ScopedModel):
    """A themed publicity day or period as a rule (宣传日/宣传周/宣传月/重点时段)."""

    SCOPE_UNIT = "unit"
    SCOPE_SHARED_DOWN = "unit"

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("规则类型"), max_length=12, choices=RuleKind)
    month = models.PositiveSmallIntegerField(_("月"), null=True, blank=True)
    day = models.PositiveSmallIntegerField(_("日"), null=True, blank=True)
    end_month = models.PositiveSmallIntegerField(_("结束月"), null=True, blank=True)
    end_day = models.PositiveSmallIntegerField(_("结束日"), null=True, blank=True)
    weekday = models.SmallIntegerField(_("星期"), choices=Weekday, null=True, blank=True)
    nth = models.SmallIntegerField(_("第几个"), choices=Nth, null=True, blank=True)
    since_year = models.PositiveSmallIntegerField(
        _("起始年份"), null=True, blank=True, help_text=_("首次举办的年份；之前的年份不生成")
    )
    until_year = models.PositiveSmallIntegerField(
        _("停止年份"),
        null=True,
        blank=True,
        help_text=_("按本规则举办的最后一年；空白表示仍在举办"),
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("发布单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="themed_day_rules",
        help_text=_("空白：全国统一的宣传日（区安委办维护）"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["order", "month", "day", "pk"]
        verbose_name = _("宣传日规则")
        verbose_name_plural = _("宣传日规则")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(unit__isnull=True),
                name="publicity_themeddayrule_national_name_unique",
                violation_error_message=_("全国宣传日中已有同名规则"),
            ),
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="publicity_themeddayrule_unit_name_unique",
                violation_error_message=_("本单位已有同名规则"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        """Every rule of a unit above is read below it (a rule has no draft state)."""
        return Q()

    @classmethod
    def scope_allows(cls, user, action: str) -> bool:
        # Rules are configuration: admins keep them; every other role reads them.
        if action in ("view", "export"):
            return True
        return user.is_superuser or user.role in (Role.DISTRICT_ADMIN, Role.UNIT_ADMIN)

    def get_absolute_url(self) -> str:
        return reverse("publicity:rule_edit", args=[self.pk])

    def spec(self) -> calendar.RuleSpec:
        return calendar.RuleSpec(
            kind=self.kind,
            month=self.month,
            day=self.day,
            end_month=self.end_month,
            end_day=self.end_day,
            weekday=self.weekday,
            nth=self.nth,
            since_year=self.since_year,
            until_year=self.until_year,
        )

    @property
    def is_computed(self) -> bool:
        return self.kind in COMPUTED_KINDS

    @property
    def is_national(self) -> bool:
        return self.unit_id is None

    def describe(self) -> str:
        return calendar.describe(self.spec())

    def occurrence(self, year: int) -> tuple[date, date] | None:
        return calendar.occurrence(self.spec(), year)

    def clean(self):
        super().clean()
        errors = calendar.spec_errors(self.spec())
        if errors:
            raise ValidationError({k: _(v) for k, v in errors.items()})


class Campaign(ScopedModel):
    """One occurrence of a themed day or period in a year, with that year's theme (主题)."""

    SCOPE_UNIT = "unit"
    SCOPE_SHARED_DOWN = "unit"

    rule = models.ForeignKey(
        ThemedDayRule,
        verbose_name=_("宣传日规则"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    theme = models.CharField(_("主题"), max_length=200, blank=True)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("发布单位"),
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    notes = models.TextField(_("备注"), blank=True)
    # The plan tasks this campaign serves (三(一)5's brand activities …): the link
    # lives here so the plans app does not depend on publicity.
    tasks = models.ManyToManyField(
        "plans.Task", verbose_name=_("对应计划任务"), related_name="campaigns", blank=True
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "end_date", "name", "pk"]
        verbose_name = _("宣传主题活动")
        verbose_name_plural = _("宣传主题活动")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "year"],
                condition=Q(rule__isnull=False),
                name="publicity_campaign_one_per_rule_and_year",
                violation_error_message=_("该宣传日本年度已有活动"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="publicity_campaign_end_not_before_start",
                violation_error_message=_("结束日期不能早于开始日期"),
            ),
        ]
        indexes = [
            # Serves the month view and the feed: campaigns overlapping a date window.
            models.Index(fields=["start_date", "end_date"], name="publicity_campaign_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("publicity:campaign_detail", args=[self.pk])

    @classmethod
    def shared_q(cls, prefix: str = "") -> Q:
        """Every campaign of a unit above is read below it (no draft state)."""
        return Q()

    @property
    def kind(self) -> str:
        return self.rule.kind if self.rule_id else RuleKind.LOCAL

    @property
    def dates_from_rule(self) -> bool:
        """Are the dates the rule's (fixed day, month, range, nth weekday), not entered?"""
        return self.kind in COMPUTED_KINDS

    def clean(self):
        super().clean()
        errors = campaign_date_errors(self.year, self.start_date, self.end_date, self.kind)
        if errors:
            raise ValidationError(errors)


def campaign_date_errors(year, start, end, kind) -> dict[str, str]:
    """{field: reason}: end before start, or dates outside the campaign's year.

    A season the district sets (岁末年初) may run into the next year; everything
    else lies in its year.
    """
    errors = {}
    if year is None or start is None or end is None:
        return errors
    if end < start:
        errors["end_date"] = str(_("结束日期不能早于开始日期"))
    if start.year != year:
        errors["start_date"] = str(_("开始日期须在%(year)s年内") % {"year": year})
    last_year = year + 1 if kind == RuleKind.SEASONAL else year
    if end.year > last_year and "end_date" not in errors:
        errors["end_date"] = (
            str(_("结束日期须在%(year)s年内") % {"year": year})
            if last_year == year
            else str(_("重点时段最晚到次年年底"))
        )
    return errors


class CalendarFeed(ScopedModel):
    """A unit's private iCalendar link (.ics): whoever holds the token reads the unit's calendar.

    Revocable: regenerating replaces the token, and the old link answers 404.
    """

    SCOPE_UNIT = "unit"

    unit = models.OneToOneField(
        "orgs.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("订阅令牌"), max_length=64, unique=True)

    class Meta:
        ordering = ["unit__path"]
        verbose_name = _("日历订阅链接")
        verbose_name_plural = _("日历订阅链接")

    def __str__(self) -> str:
        return f"{self.unit}的日历订阅"


# The activity ledger, new-media output and quotas live in their own module.
from xuanpei.publicity.models_ledger import (  # noqa: E402,F401
    Activity,
    ActivityFile,
    ActivityForm,
    ActivityMaterial,
    Audience,
    MediaPost,
    Quota,
)
