"""Forms of the activity ledger (issue #11 §3): the activity, its materials, review, filters.

The forms collect input and narrow every choice to what the recording unit may name
(campaigns and tasks of the year, 村/社区 of its subtree); the rules themselves live in
`services_activities`, whose errors are put back on the field they name.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core import uploads
from xuanpei.core.forms import BootstrapMixin, DateInput, ScopedModelForm
from xuanpei.orgs.filters import ScopedFilterSet, UnitSubtreeFilter
from xuanpei.orgs.models import Unit
from xuanpei.plans.forms_reports import (
    COMMENT_MAX,
    MultipleFileInput,
    ReviewForm,
    ServiceErrorsMixin,
)
from xuanpei.plans.models import Task
from xuanpei.publicity import services_activities as svc
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import (
    FIVE_IN_FIELDS,
    Activity,
    ActivityForm,
    ActivityMaterial,
    Audience,
    FiveIn,
    ReviewStatus,
)

PHOTO_ACCEPT = uploads.ACCEPT


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class FilesField(forms.FileField):
    """Several photos and files in one input; each is checked by core's checker."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(FilesField, self).clean(item, initial) for item in items]


class TaskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.plan.year}年 {obj.number} {obj.title}"


class CampaignChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.start_date:%m.%d}—{obj.end_date:%m.%d}）"


def home_unit(user):
    """The unit whose choices an add page offers: the user's, or an enterprise's 属地."""
    if user.enterprise_id:
        return user.enterprise.unit
    return user.unit


class ActivityEditForm(ServiceErrorsMixin, ScopedModelForm):
    """录入/修改 an activity. An enterprise account has no unit field (the service sets
    the 属地); campaigns and tasks are those of the activity's year (on a GET) or all the
    recording unit sees (on a POST, so another year's pick earns the service's message)."""

    files = FilesField(
        label=_("照片和附件"),
        required=False,
        help_text=_("JPG、PNG 照片或 PDF、DOCX、XLSX 文件；照片的位置信息会被去除"),
    )
    remove_files = forms.ModelMultipleChoiceField(
        label=_("删除已上传的文件"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = [
            "title",
            "unit",
            "held_on",
            "start_time",
            "end_time",
            "place",
            "locality",
            *FIVE_IN_FIELDS.values(),
            "campaigns",
            "tasks",
            "audiences",
            "forms",
            "participants",
            "summary",
            "media_links",
        ]
        widgets = {
            "held_on": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
            "media_links": forms.Textarea(attrs={"rows": 2}),
            "audiences": forms.CheckboxSelectMultiple,
            "forms": forms.CheckboxSelectMultiple,
            "campaigns": forms.CheckboxSelectMultiple,
            "tasks": forms.CheckboxSelectMultiple,
        }
        field_classes = {"tasks": TaskChoiceField, "campaigns": CampaignChoiceField}

    def __init__(self, *args, user=None, year: int | None = None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        instance = self.instance
        unit = instance.unit if instance.unit_id else home_unit(user)
        self.fields["unit"].required = False  # not named: the user's own unit
        if user.enterprise_id:
            # The service sets the 属地: an enterprise names no unit and no 村/社区.
            self.fields["unit"].queryset = Unit.objects.none()
        else:
            self.fields["unit"].queryset = svc.recording_units(user)
            if not instance.pk:
                self.fields["unit"].initial = user.unit_id
        if self.is_bound:
            year = None
        else:
            # A new activity: the year picked on the page (last year's 安全生产月 can be
            # recorded in January), else this year.
            year = instance.held_on.year if instance.held_on else year or timezone.localdate().year
        ent = bool(user.enterprise_id)
        self.fields["campaigns"].queryset = svc.campaigns_for(unit, year, enterprise=ent)
        self.fields["tasks"].queryset = svc.tasks_for(unit, year, enterprise=ent)
        self.fields["locality"].queryset = (
            Unit.objects.none() if user.enterprise_id else svc.localities_for(unit)
        )
        self.for_enterprise = bool(user.enterprise_id)
        self.fields["audiences"].queryset = Audience.objects.filter(
            Q(is_active=True) | Q(pk__in=instance.audiences.all() if instance.pk else [])
        )
        self.fields["forms"].queryset = ActivityForm.objects.filter(
            Q(is_active=True) | Q(pk__in=instance.forms.all() if instance.pk else [])
        )
        self.fields["participants"].min_value = None  # the service's message, in Chinese
        self.fields["participants"].validators = []
        self.fields["participants"].widget.attrs.update(min=0, inputmode="numeric")
        if instance.pk:
            self.fields["remove_files"].queryset = instance.files.all()
        else:
            del self.fields["remove_files"]
        for name in (*FIVE_IN_FIELDS.values(), "campaigns", "tasks", "audiences", "forms"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def five_in_fields(self):
        return [self[FIVE_IN_FIELDS[v]] for v in FiveIn.values]

    def relations(self, materials) -> svc.Relations:
        data = self.cleaned_data
        return svc.Relations(
            campaigns=list(data["campaigns"]),
            tasks=list(data["tasks"]),
            audiences=list(data["audiences"]),
            forms=list(data["forms"]),
            materials=materials,
        )


class MaterialForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ActivityMaterial
        fields = ["kind", "count"]
        widgets = {"count": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()
        self.fields["kind"].widget.attrs["placeholder"] = _("如 宣传册、折页")


MaterialFormSet = forms.inlineformset_factory(
    Activity, ActivityMaterial, form=MaterialForm, extra=2, can_delete=True, max_num=30
)


def material_rows(formset) -> list[tuple[str, int]]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("kind"):
            continue
        rows.append((data["kind"].strip(), data.get("count") or 0))
    return rows


class ActivityReviewForm(ReviewForm):
    """通过 or 退回 a submitted activity."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [
            (self.ACCEPT, _("审核通过")),
            (self.RETURN, _("退回修改")),
        ]
        self.fields["comment"].max_length = COMMENT_MAX


class ActivityFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    year = django_filters.NumberFilter(field_name="held_on__year", label=_("年度"))
    start = django_filters.DateFilter(
        field_name="held_on", lookup_expr="gte", label=_("起始日期"), widget=DateInput()
    )
    end = django_filters.DateFilter(
        field_name="held_on", lookup_expr="lte", label=_("截止日期"), widget=DateInput()
    )
    unit = UnitSubtreeFilter(
        label=_("单位（含下级）"), queryset=Unit.objects.territorial(), empty_label=_("全部单位")
    )
    campaign = django_filters.ModelChoiceFilter(
        field_name="campaigns", queryset=Campaign.objects.all(), label=_("宣传主题活动")
    )
    task = django_filters.ModelChoiceFilter(
        field_name="tasks", queryset=Task.objects.all(), label=_("计划任务")
    )
    five_in = django_filters.ChoiceFilter(
        choices=FiveIn.choices, method="filter_five_in", label=_("五进")
    )
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label=_("状态"))

    class Meta:
        model = Activity
        fields = ["q", "year", "start", "end", "unit", "campaign", "task", "five_in", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(place__icontains=value))

    def filter_five_in(self, queryset, name, value):
        field = FIVE_IN_FIELDS.get(value)
        return queryset.filter(**{field: True}) if field else queryset
