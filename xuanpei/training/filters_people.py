"""The grid-officer and cadre lists' filters (issue #12 item 1): one FilterSet for the
pages, their exports and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit
from xuanpei.training.models import UnitPost


class UnitPostFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    unit = UnitSubtreeFilter(
        label=_("所在单位/网格"), queryset=Unit.objects.all(), empty_label=_("全部单位")
    )
    status = django_filters.ChoiceFilter(
        label=_("在任情况"),
        choices=(("on_duty", _("在任")), ("left", _("已离任"))),
        empty_label=_("全部"),
        method="filter_status",
    )
    role = django_filters.ChoiceFilter(
        label=_("身份"), choices=UnitPost.Role.choices, empty_label=_("全部身份")
    )

    class Meta:
        model = UnitPost
        fields = ["q", "unit", "status", "role"]

    def search(self, queryset, name, value):
        value = "".join(str(value).split())
        if not value:
            return queryset
        # Name or phone (the post's); an ID number only when typed whole (18 characters):
        # a prefix search would let masked viewers read numbers digit by digit.
        q = Q(person__name__icontains=value) | Q(phone__icontains=value)
        if len(value) == 18:
            q |= Q(person__id_number=value.upper())
        return queryset.filter(q)

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        on_duty = Q(end_date__isnull=True) | Q(end_date__gt=today)
        if value == "on_duty":
            return queryset.filter(on_duty)
        if value == "left":
            return queryset.exclude(on_duty)
        return queryset
