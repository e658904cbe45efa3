"""One FilterSet per model, shared by the list page, the API and the export (style.md §10)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.core.filtering import narrow_choices
from xuanpei.core.pickers import enhance_pickers
from xuanpei.core.validators import normalize_code
from xuanpei.orgs.choices import EnterpriseScale, RiskLevel, UnitKind
from xuanpei.orgs.forms import UnitChoiceField
from xuanpei.orgs.models import Enterprise, Sector, Unit


class ScopedFilterSet(django_filters.FilterSet):
    """A FilterSet whose unit/enterprise choices are narrowed to the request user's scope."""

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        # A foreign id and a missing id get the same answer (core.filtering).
        narrow_choices(self, getattr(request, "user", None))

    @property
    def form(self):
        """The filter form, its unit and enterprise choices as pickers (core.pickers)."""
        form = super().form
        if not getattr(form, "pickers_ready", False):
            enhance_pickers(form.fields)
            form.pickers_ready = True
        return form


class UnitSubtreeFilter(django_filters.ModelChoiceFilter):
    """Keep rows whose unit lies in the chosen unit's subtree (the one subtree helper).

    Its choices read as paths (东新城 / 甲街道) with a search box (`core.pickers`)."""

    field_class = UnitChoiceField

    def __init__(self, *args, unit_path_lookup="unit__path", **kwargs):
        self.unit_path_lookup = unit_path_lookup
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.unit_path_lookup}__startswith": value.path})


class EnterpriseFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    unit = UnitSubtreeFilter(
        label=_("属地"), queryset=Unit.objects.territorial(), empty_label=_("全部属地")
    )
    department = django_filters.ModelChoiceFilter(
        label=_("行业主管部门"),
        field_name="departments",
        queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT),
        empty_label=_("全部部门"),
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("行业领域"), queryset=Sector.objects.all(), empty_label=_("全部领域")
    )
    risk_level = django_filters.ChoiceFilter(
        label=_("风险等级"), choices=RiskLevel.choices, empty_label=_("全部等级")
    )
    scale = django_filters.ChoiceFilter(
        label=_("规模"), choices=EnterpriseScale.choices, empty_label=_("全部规模")
    )
    is_active = django_filters.BooleanFilter(label=_("在营"))

    class Meta:
        model = Enterprise
        fields = ["q", "unit", "department", "sector", "risk_level", "scale", "is_active"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = normalize_code(value)
        return queryset.filter(Q(name__icontains=value) | Q(uscc__startswith=code))
