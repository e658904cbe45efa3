"""The accident form and the accident and obligation list filters (issue #12 §7)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import DateInput, ScopedModelForm
from xuanpei.orgs.filters import ScopedFilterSet
from xuanpei.orgs.models import Enterprise
from xuanpei.training import obligations
from xuanpei.training.models import Accident, TrainingObligation
from xuanpei.training.services_accidents import ACCIDENT_KINDS, accident_errors


class AccidentForm(ScopedModelForm):
    """An accident at an enterprise in the user's scope; the enterprise is fixed once saved."""

    kind = forms.ChoiceField(
        label=_("事故类别"),
        choices=[("", "---------"), *((k, k) for k in ACCIDENT_KINDS)],
        help_text=_("按 GB 6441《企业职工伤亡事故分类》"),
    )

    class Meta:
        model = Accident
        fields = ["enterprise", "occurred_on", "kind", "severity", "deaths", "injuries", "summary"]
        widgets = {"occurred_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            del self.fields["enterprise"]  # an accident stays at its enterprise
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        for name in ("deaths", "injuries"):
            self.fields[name].widget.attrs["min"] = 0

    def clean(self):
        data = super().clean()
        errors = accident_errors(
            occurred_on=data.get("occurred_on"),
            kind=data.get("kind") or ACCIDENT_KINDS[0],  # a missing kind is the field's error
            deaths=data.get("deaths"),
            injuries=data.get("injuries"),
            today=timezone.localdate(),
        )
        for name, message in errors.items():
            self.add_error(name, message)
        return data

    def _post_clean(self):
        # The service validates and saves; the model's own checks ran in clean().
        pass


DATE = DateInput()


class AccidentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    enterprise = django_filters.ModelChoiceFilter(
        label=_("事故单位"), queryset=Enterprise.objects.all(), empty_label=_("全部企业")
    )
    date_from = django_filters.DateFilter(
        label=_("事故日期从"), field_name="occurred_on", lookup_expr="gte", widget=DATE
    )
    date_to = django_filters.DateFilter(
        label=_("至"), field_name="occurred_on", lookup_expr="lte", widget=DATE
    )
    severity = django_filters.ChoiceFilter(
        label=_("事故等级"), choices=Accident.Severity.choices, empty_label=_("全部等级")
    )

    class Meta:
        model = Accident
        fields = ["q", "enterprise", "date_from", "date_to", "severity"]

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(enterprise__name__icontains=value)
            | Q(kind__icontains=value)
            | Q(summary__icontains=value)
        )


class ObligationFilterSet(ScopedFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=list(obligations.STATUS_LABELS.items()),
        empty_label=_("全部状态"),
        method="by_status",
    )
    enterprise = django_filters.ModelChoiceFilter(
        label=_("企业"),
        field_name="accident__enterprise",
        queryset=Enterprise.objects.all(),
        empty_label=_("全部企业"),
    )
    audience = django_filters.ChoiceFilter(
        label=_("培训对象"),
        choices=TrainingObligation.Audience.choices,
        empty_label=_("全部对象"),
    )

    class Meta:
        model = TrainingObligation
        fields = ["status", "enterprise", "audience"]

    def by_status(self, qs, name, value):
        return qs.filter(obligations.status_q(value)) if value else qs
