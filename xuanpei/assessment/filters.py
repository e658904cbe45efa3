"""FilterSets of the assessment pages and API (manual entries, objections, scores)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from xuanpei.assessment.models import AssessedKind, ManualEntry, Objection, UnitScore
from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit


class ManualEntryFilterSet(ScopedFilterSet):
    year = django_filters.NumberFilter(label=_("年度"), min_value=2000, max_value=2100)
    quarter = django_filters.ChoiceFilter(
        choices=[(q, f"第{q}季度") for q in range(1, 5)], label=_("季度"), empty_label=_("全部")
    )
    unit = UnitSubtreeFilter(
        label=_("单位（含下级）"), queryset=Unit.objects.all(), empty_label=_("全部单位")
    )

    class Meta:
        model = ManualEntry
        fields = ["year", "quarter", "unit"]


class ObjectionFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(
        choices=Objection.Status.choices, label=_("状态"), empty_label=_("全部状态")
    )

    class Meta:
        model = Objection
        fields = ["status"]


class UnitScoreFilterSet(ScopedFilterSet):
    year = django_filters.NumberFilter(field_name="run__year", label=_("年度"))
    quarter = django_filters.NumberFilter(field_name="run__quarter", label=_("季度"))
    assessed_kind = django_filters.ChoiceFilter(choices=AssessedKind.choices, label=_("单位类型"))

    class Meta:
        model = UnitScore
        fields = ["year", "quarter", "assessed_kind", "run"]
