"""Forms of training institutions, their inspections and rectifications (issue #12 §8)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin, DateInput, ScopedModelForm
from xuanpei.core.uploads import ACCEPT
from xuanpei.core.validators import normalize_code, uscc_error
from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit
from xuanpei.training.models import Inspection, Institution, Rectification


class InstitutionForm(ScopedModelForm):
    class Meta:
        model = Institution
        fields = ["name", "kind", "unit", "credit_code", "address", "contact", "phone", "active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not self.instance.pk and user is not None and user.unit_id:
            self.fields["unit"].initial = user.unit_id
        self.fields["unit"].help_text = _("登记并监管该机构的单位（区级或新城）")

    def clean_credit_code(self):
        code = normalize_code(self.cleaned_data.get("credit_code") or "")
        if code:
            error = uscc_error(code)
            if error:
                raise forms.ValidationError(error)
        return code


class InspectionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Inspection
        fields = ["inspected_on", "inspectors", "findings", "perfunctory", "problems"]
        widgets = {
            "inspected_on": DateInput(),
            "findings": forms.Textarea(attrs={"rows": 4}),
            "problems": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspected_on"].initial = timezone.localdate()
        self.fields["inspected_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self._style_fields()


class RectificationForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Rectification
        fields = ["requirement", "due_on"]
        widgets = {"due_on": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()


class EvidenceForm(BootstrapMixin, forms.Form):
    evidence = forms.CharField(
        label=_("整改情况"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    evidence_file = forms.FileField(
        label=_("整改佐证"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("照片（JPG、PNG）或 PDF、DOCX、XLSX 文件"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()


class InstitutionFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=Institution.Kind.choices, empty_label=_("全部类型")
    )
    unit = UnitSubtreeFilter(
        label=_("监管单位"), queryset=Unit.objects.all(), empty_label=_("全部单位")
    )
    active = django_filters.BooleanFilter(label=_("在册"))

    class Meta:
        model = Institution
        fields = ["q", "kind", "unit", "active"]

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value) | Q(credit_code__icontains=value) | Q(address__icontains=value)
        )
