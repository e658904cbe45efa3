"""FilterSets of the plans app, one per listed model (style.md §10)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit
from xuanpei.plans.choices import AssignmentStatus, PlanKind, PlanStatus, TaskKind
from xuanpei.plans.models import Assignment, Plan
from xuanpei.plans.reminders import DUE_SOON_DAYS


class PlanFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    kind = django_filters.ChoiceFilter(
        label=_("类别"), choices=PlanKind.choices, empty_label=_("全部类别")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=PlanStatus.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = Plan
        fields = ["q", "year", "kind", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(doc_number__icontains=value) | Q(unit__name=value)
        )


class AssignmentFilterSet(ScopedFilterSet):
    """The inbox (我的任务): by status, plan, unit subtree, task kind, text, and "due soon"."""

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=AssignmentStatus.choices, empty_label=_("全部状态")
    )
    plan = django_filters.ModelChoiceFilter(
        label=_("计划"),
        field_name="task__plan",
        queryset=Plan.objects.filter(status__in=(PlanStatus.ISSUED, PlanStatus.CLOSED)),
        empty_label=_("全部计划"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("类别"),
        field_name="task__kind",
        choices=TaskKind.choices,
        empty_label=_("全部类别"),
    )
    unit = UnitSubtreeFilter(
        label=_("责任单位"), queryset=Unit.objects.all(), empty_label=_("全部单位")
    )
    due = django_filters.ChoiceFilter(
        label=_("截止"),
        method="due_filter",
        choices=[("soon", _("7日内到期")), ("overdue", _("已逾期"))],
        empty_label=_("不限"),
    )

    class Meta:
        model = Assignment
        fields = ["q", "status", "plan", "kind", "unit", "due"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(task__title__icontains=value)
            | Q(task__number__icontains=value)
            | Q(unit__name__icontains=value)
        )

    def due_filter(self, queryset, name, value):
        today = timezone.localdate()
        if value == "soon":
            return queryset.filter(
                next_due__gte=today, next_due__lte=today + timedelta(days=DUE_SOON_DAYS)
            ).exclude(status=AssignmentStatus.OVERDUE)
        if value == "overdue":
            return queryset.filter(status=AssignmentStatus.OVERDUE)
        return queryset
