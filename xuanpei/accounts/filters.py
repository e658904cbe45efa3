"""The user list's FilterSet (style.md §10): search, role, active, subtree of a unit."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xuanpei.accounts.models import User
from xuanpei.core.permissions import Role
from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit


class UserFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    unit = UnitSubtreeFilter(
        label=_("所属单位"), queryset=Unit.objects.all(), empty_label=_("全部单位")
    )
    role = django_filters.ChoiceFilter(
        label=_("角色"), choices=Role.choices, empty_label=_("全部角色")
    )
    is_active = django_filters.BooleanFilter(label=_("启用"))

    class Meta:
        model = User
        fields = ["q", "unit", "role", "is_active"]

    def search(self, queryset, name, value):
        """Username, name, phone or e-mail containing the text."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(phone__icontains=value)
            | Q(email__icontains=value)
        )
