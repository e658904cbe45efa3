"""One FilterSet per model: the list pages and the API share them."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit
from xuanpei.publicity.choices import RuleKind
from xuanpei.publicity.models import Campaign, ThemedDayRule


class CampaignFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    year = django_filters.NumberFilter(label=_("年度"), min_value=1900, max_value=2100)
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=RuleKind.choices, empty_label=_("全部类型"), method="by_kind"
    )
    unit = UnitSubtreeFilter(
        label=_("发布单位"), queryset=Unit.objects.territorial(), empty_label=_("全部单位")
    )

    class Meta:
        model = Campaign
        fields = ["q", "year", "kind", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(theme__icontains=value))

    def by_kind(self, queryset, name, value):
        if not value:
            return queryset
        if value == RuleKind.LOCAL:  # a campaign without a rule is a local one
            return queryset.filter(Q(rule__kind=value) | Q(rule__isnull=True))
        return queryset.filter(rule__kind=value)


class RuleFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("规则类型"), choices=RuleKind.choices, empty_label=_("全部类型")
    )
    national = django_filters.BooleanFilter(
        label=_("全国统一"), field_name="unit", lookup_expr="isnull"
    )

    class Meta:
        model = ThemedDayRule
        fields = ["q", "kind", "national"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(name__icontains=value) | Q(note__icontains=value))
            if value
            else queryset
        )
