"""FilterSets of the workforce app, shared by list pages, the API and exports (style.md §10)."""

from __future__ import annotations

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core.validators import normalize_code
from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.workforce.models import Certificate, CertificateKind
from xuanpei.workforce.privacy import can_see_personal_data

DUE_WINDOW_CHOICES = [
    ("any", _("应复审或即将到期")),
    ("review", _("应复审")),
    ("expiring", _("即将到期")),
]
DEFAULT_DUE_DAYS = 90
MAX_DUE_DAYS = 3650


class CertificateFilterSet(ScopedFilterSet):
    """The due-for-review / expiring lists (issue #3 §3): current active certificates
    whose 应复审日期 or 有效期至 falls within `days` from today.

    Always bound: without parameters the page shows the default window (90 days),
    not every certificate of the district.
    """

    q = django_filters.CharFilter(label=_("搜索"), method="search")
    enterprise = django_filters.ModelChoiceFilter(
        label=_("企业"), queryset=Enterprise.objects.all(), widget=forms.HiddenInput
    )
    unit = UnitSubtreeFilter(
        label=_("属地"),
        queryset=Unit.objects.territorial(),
        empty_label=_("全部属地"),
        unit_path_lookup="enterprise__unit__path",
    )
    kind = django_filters.ModelChoiceFilter(
        label=_("证书类型"), queryset=CertificateKind.objects.all(), empty_label=_("全部类型")
    )
    window = django_filters.ChoiceFilter(
        label=_("到期事项"), choices=DUE_WINDOW_CHOICES, method="noop", empty_label=None
    )
    days = django_filters.NumberFilter(
        label=_("天数"),
        method="noop",
        min_value=0,
        max_value=MAX_DUE_DAYS,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_DUE_DAYS, "step": 1}),
    )

    class Meta:
        model = Certificate
        fields = ["q", "enterprise", "unit", "kind", "window", "days"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("window", "any")
        data.setdefault("days", str(DEFAULT_DUE_DAYS))
        super().__init__(data, queryset, request=request, **kwargs)
        for name in ("unit", "kind", "window"):
            self.form.fields[name].widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["days"].widget.attrs.setdefault("class", "form-control form-control-sm")

    def noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = normalize_code(value)
        # A number may embed an ID number: a prefix search would let a user who sees
        # IDs masked spell it out digit by digit, so they match whole numbers only.
        user = getattr(self.request, "user", None)
        number = Q(number__startswith=code) if can_see_personal_data(user) else Q(number=code)
        return queryset.filter(
            number
            | Q(holder__name__icontains=value)
            | Q(holder__id_number=code)
            | Q(enterprise__name__icontains=value)
        )

    @property
    def due_window(self) -> tuple[str, int]:
        data = getattr(self.form, "cleaned_data", {}) or {}
        window = data.get("window") or "any"
        days = data.get("days")
        return window, int(DEFAULT_DUE_DAYS if days is None else days)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        window, days = self.due_window
        today = timezone.localdate()
        span = (today, today + timedelta(days=days))
        review = Q(review_due_date__range=span)
        expiring = Q(valid_until__range=span)
        condition = {"review": review, "expiring": expiring}.get(window, review | expiring)
        return queryset.filter(condition)

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            if not self.form.is_valid():
                # A bad days/window value: show the default window, the form shows the error.
                self._qs = self.queryset.none()
            else:
                self._qs = self.filter_queryset(self.queryset.all())
        return self._qs
