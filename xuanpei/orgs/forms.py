"""Forms of the orgs app: the enterprise form and the close form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin, DateInput, ScopedModelForm
from xuanpei.core.privacy import keep_masked_phone
from xuanpei.core.validators import normalize_code, validate_uscc
from xuanpei.orgs.choices import TERRITORIAL_HOME_KINDS
from xuanpei.orgs.models import Enterprise, Unit


class InvalidFieldsMixin:
    """Mark widgets of fields with errors `is-invalid`, so Bootstrap shows them in red."""

    def full_clean(self):
        super().full_clean()
        for name in getattr(self, "_errors", None) or {}:
            field = self.fields.get(name)
            if field is not None:
                css = field.widget.attrs.get("class", "")
                if "is-invalid" not in css:
                    field.widget.attrs["class"] = f"{css} is-invalid".strip()


class UnitChoiceField(forms.ModelChoiceField):
    """A unit choice. Forms and filter forms label it by path with a search box
    (`core.pickers.enhance_pickers`, run by ScopedModelForm and ScopedFilterSet)."""


class USCCField(forms.CharField):
    """统一社会信用代码: normalised (full-width → half-width, upper-case) before validation."""

    default_validators = [validate_uscc]

    def to_python(self, value):
        return normalize_code(super().to_python(value))


class EnterpriseForm(InvalidFieldsMixin, ScopedModelForm):
    """Create or edit an enterprise.

    The 属地 choices are the territorial units of kind 新城/镇/街道 in the user's
    scope. 行业主管部门 lists the district's departments: they are the district's
    public directory (like 行业领域), and a town must be able to name who
    supervises an enterprise it registers. Who may change which field (an
    enterprise's own account not where it sits, who supervises it or its code)
    is declared once in `orgs.field_rules`.
    """

    uscc = USCCField(
        label=_("统一社会信用代码"),
        max_length=18,
        help_text=_("18位，可粘贴全角字符，保存时自动转换为半角大写"),
        # A declared field keeps its own messages (Meta.error_messages is for generated ones).
        error_messages={"unique": _("该统一社会信用代码已登记")},
    )

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "uscc",
            "unit",
            "departments",
            "sector",
            "scale",
            "risk_level",
            "address",
            "legal_representative",
            "safety_contact",
            "safety_phone",
        ]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # The widget limit is looser than 18: spaces and full-width characters are
        # cleaned away before the length is checked.
        self.fields["uscc"].widget.attrs.update(maxlength="40", autocomplete="off")
        unit_field = self.fields["unit"]
        unit_field.queryset = unit_field.queryset.filter(kind__in=TERRITORIAL_HOME_KINDS)
        unit_field.empty_label = _("请选择镇街或新城")
        departments = self.fields["departments"]
        departments.queryset = Unit.objects.departments()
        departments.widget.attrs["class"] = "form-check-input"
        self.fields["sector"].empty_label = _("请选择行业领域")
        for name in ("scale", "risk_level"):
            field = self.fields[name]
            field.choices = [("", _("未填写")), *[c for c in field.choices if c[0]]]

        # Who may change what is `orgs.field_rules` (ScopedModelForm disabled those).
        # Beyond the rules, a 属地 the user cannot choose (a unit outside its scope,
        # or a village) stays as it is rather than fail the form.
        if (
            self.instance.unit_id
            and not unit_field.queryset.filter(pk=self.instance.unit_id).exists()
        ):
            unit_field.disabled = True
        if unit_field.disabled:
            # A disabled field still renders its choices; show only the current one.
            unit_field.queryset = Unit.objects.filter(pk=self.instance.unit_id)
        # Contact phones are masked for reporters (core.privacy), on the edit page too.
        keep_masked_phone(self, "safety_phone", user)

    def service_kwargs(self) -> dict:
        """cleaned_data split into the service's keyword arguments."""
        data = dict(self.cleaned_data)
        departments = data.pop("departments", None)
        return {"departments": departments, **data}


class EnterpriseCloseForm(InvalidFieldsMixin, BootstrapMixin, forms.Form):
    """关闭企业: the date and the reason (停业、注销、迁出…)."""

    closed_at = forms.DateField(
        label=_("关闭日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("关闭原因"),
        max_length=200,
        help_text=_("例如：停业、注销、迁出本区"),
    )

    def __init__(self, *args, instance=None, user=None, **kwargs):
        kwargs["initial"] = {"closed_at": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.user = user
        self._style_fields()

    def clean_closed_at(self):
        value = self.cleaned_data["closed_at"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("关闭日期不能晚于今天"))
        return value

    def clean(self):
        cleaned = super().clean()
        if self.instance is not None and not self.instance.is_active:
            raise forms.ValidationError(_("该企业已关闭"))
        return cleaned


class UnitForm(ScopedModelForm):
    """What a district admin keeps on a unit beside the tree itself (its shape and names
    come from the district's set-up): the 成立日期 that activities are checked against."""

    class Meta:
        model = Unit
        fields = ["established_on"]
        widgets = {"established_on": DateInput()}
        help_texts = {
            "established_on": _("留空表示不详；早于成立日期的宣传活动将被拒绝"),
        }
