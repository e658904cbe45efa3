"""Forms of the assessment pages (issue #13 §1–2). Writes go through the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xuanpei.assessment import quarters
from xuanpei.assessment.models import AssessedKind, Indicator, IndicatorSet, ManualEntry
from xuanpei.core import uploads
from xuanpei.core.forms import BootstrapMixin, ScopedModelForm
from xuanpei.core.pickers import enhance_pickers
from xuanpei.orgs.models import Unit


def parse_quarter(text: str) -> tuple[int, int]:
    """ "2026Q2" → (2026, 2); a ValidationError naming the expected form otherwise (the
    rule and its message: `quarters.parse_quarter`)."""
    try:
        return quarters.parse_quarter(text)
    except quarters.QuarterError as exc:
        raise ValidationError(str(exc), code="quarter") from exc


class IndicatorSetForm(ScopedModelForm):
    class Meta:
        model = IndicatorSet
        fields = ["year", "title", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(ScopedModelForm):
    applies_to = forms.MultipleChoiceField(
        label=_("适用单位类型"),
        choices=AssessedKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Indicator
        fields = ["code", "name", "kind", "applies_to", "weight", "rule", "source", "sort_order"]
        widgets = {"rule": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"source": _("数据公式的代码，或 manual（按单位手工录入）")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applies_to"].widget.attrs.pop("class", None)


class ManualEntryForm(BootstrapMixin, forms.Form):
    """A 督查 deduction or bonus, a typical case adopted, or a manual indicator's value."""

    indicator = forms.ModelChoiceField(label=_("指标"), queryset=Indicator.objects.none())
    unit = forms.ModelChoiceField(label=_("被考核单位"), queryset=Unit.objects.none())
    quarter = forms.CharField(label=_("季度"), max_length=7, help_text=_("例如 2026Q2"))
    points = forms.DecimalField(
        label=_("分值"),
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text=_("扣分填负数，加分填正数；典型经验采用可只选级别"),
    )
    level = forms.ChoiceField(
        label=_("采用级别"), choices=[("", "—"), *ManualEntry.Level.choices], required=False
    )
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("扣分必须附佐证（照片、PDF、DOCX 或 XLSX）"),
        widget=forms.ClearableFileInput(attrs={"accept": uploads.ACCEPT}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["indicator"].queryset = (
            Indicator.objects.for_user(user, "view")
            .select_related("indicator_set")
            .order_by("-indicator_set__year", "sort_order", "pk")
        )
        self.fields["indicator"].label_from_instance = lambda i: (
            f"{i.indicator_set.year}年 · {i.name}（{i.get_kind_display()}）"
        )
        self.fields["unit"].queryset = Unit.objects.for_user(user, "view")
        enhance_pickers(self.fields)
        self._style_fields()

    def clean_quarter(self):
        return parse_quarter(self.cleaned_data["quarter"])

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            uploads.check_file(upload)
        return upload


class ManualEntryEditForm(ManualEntryForm):
    """An entry's correction: the same fields, filled with its values. The evidence input
    has no "clear" box — leaving it blank keeps the stored file."""

    def __init__(self, *args, entry: ManualEntry, **kwargs):
        kwargs["initial"] = {
            "indicator": entry.indicator_id,
            "unit": entry.unit_id,
            "quarter": quarters.format_quarter(entry.year, entry.quarter),
            "points": entry.points,
            "level": entry.level,
            "reason": entry.reason,
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        evidence = self.fields["evidence"]
        evidence.widget = forms.FileInput(attrs={"accept": uploads.ACCEPT})
        self._style_fields()
        if entry.evidence:
            evidence.help_text = _("已有佐证：%(name)s；不选择文件即保留原佐证") % {
                "name": entry.evidence.name.rsplit("/", 1)[-1]
            }


class ObjectionForm(BootstrapMixin, forms.Form):
    indicator_code = forms.ChoiceField(label=_("针对的指标"), required=False)
    text = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, score=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = (score.items if score else None) or []
        self.fields["indicator_code"].choices = [
            ("", _("总分")),
            *[(i.get("code", ""), i.get("name", "")) for i in items],
        ]
        self._style_fields()


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()


def add_errors(form, exc: ValidationError) -> None:
    """Show a service's refusal on the form: beside its field when it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
