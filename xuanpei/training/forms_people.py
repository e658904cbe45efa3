"""Forms of the grid-officer and cadre pages (issue #12 item 1). The person is found by
身份证号 or created by `services_people`; the forms only collect and show."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin, ScopedModelForm
from xuanpei.core.privacy import keep_masked_phone
from xuanpei.orgs.forms import InvalidFieldsMixin
from xuanpei.training import services_people
from xuanpei.training.models import UnitPost

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnitPostForm(ScopedModelForm):
    """A new post: the person by name and 身份证号, the unit picked in scope."""

    name = forms.CharField(label=_("姓名"), max_length=services_people.NAME_LENGTH)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=20,
        help_text=_("已登记过的人员（如企业从业人员）按身份证号自动关联，不会重复登记"),
    )

    class Meta:
        model = UnitPost
        fields = ["role", "unit", "title", "phone", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    field_order = ["role", "name", "id_number", "unit", "title", "phone", "start_date"]

    def __init__(self, *args, user=None, role=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if role in UnitPost.Role.values:
            self.fields["role"].initial = role
        if user is not None and getattr(user, "unit_id", None):
            self.fields["unit"].initial = user.unit_id
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text")

    def clean_id_number(self):
        try:
            return services_people.clean_id_number(self.cleaned_data["id_number"])
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean_name(self):
        return services_people.normalize_name(self.cleaned_data["name"])

    def clean(self):
        data = super().clean()
        errors = services_people.post_errors(
            role=data.get("role"),
            unit=data.get("unit"),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
        )
        for name, reason in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, reason)
        return data


class UnitPostEditForm(ScopedModelForm):
    """A post's unit, title, phone and dates; the person and the role stay."""

    class Meta:
        model = UnitPost
        fields = ["unit", "title", "phone", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        keep_masked_phone(self, "phone", user)

    def clean(self):
        data = super().clean()
        errors = services_people.post_errors(
            role=self.instance.role,
            unit=data.get("unit"),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
        )
        for name, reason in errors.items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, reason)
        return data


class UnitPostEndForm(InvalidFieldsMixin, BootstrapMixin, forms.Form):
    end_date = forms.DateField(label=_("离任日期"), widget=DATE)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["end_date"].initial = timezone.localdate()

    def clean_end_date(self):
        day = self.cleaned_data["end_date"]
        start = self.instance.start_date if self.instance else None
        if start and day < start:
            raise forms.ValidationError(_("离任日期不能早于任职日期"))
        return day
