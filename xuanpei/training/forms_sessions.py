"""Forms of training sessions (issue #12 §2): the session, roster, attendance, exam
results and files. They collect input and narrow choices to what the user may name;
the rules live in `services_sessions`, whose errors land on the field they name."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin, DateInput, ScopedModelForm
from xuanpei.core.pickers import enhance_pickers
from xuanpei.orgs.models import Enterprise, Unit
from xuanpei.plans.forms_reports import ServiceErrorsMixin
from xuanpei.publicity.forms_activities import FilesField
from xuanpei.training import services_sessions as svc
from xuanpei.training.models import Institution, SessionFile, TrainingSession, UnitPost
from xuanpei.workforce.models import Certificate, CertificateKind, OperationItem, PostType

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker (value as YYYY-MM-DDTHH:MM)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


class TaskChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.plan.year}年 {obj.number} {obj.title}"


class SessionForm(ServiceErrorsMixin, ScopedModelForm):
    """录入/修改 a session. An enterprise account names no unit (the service sets its 属地)."""

    class Meta:
        model = TrainingSession
        fields = [
            "title",
            "kind",
            "unit",
            "task",
            "starts_at",
            "ends_at",
            "hours",
            "place",
            "online",
            "teacher",
            "partner",
            "institution",
            "audience",
            "planned_headcount",
            "content",
            "summary",
            "allow_walk_ins",
            "sign_in_opens_minutes",
            "sign_in_closes_minutes",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "content": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"task": TaskChoiceField}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        instance = self.instance
        self.for_enterprise = bool(user.enterprise_id)
        unit_field = self.fields["unit"]
        unit_field.required = False  # not named: the user's own unit
        if self.for_enterprise:
            unit_field.queryset = Unit.objects.none()
        elif not unit_field.disabled:
            unit_field.queryset = svc.organiser_units(user)
            if not instance.pk:
                unit_field.initial = user.unit_id
        unit = instance.unit if instance.unit_id else None
        self.fields["task"].queryset = svc.tasks_for_session(user, unit).select_related("plan")
        self.fields["task"].required = False
        self.fields["task"].empty_label = _("— 不对应计划任务 —")
        self.fields["institution"].empty_label = _("— 无 —")
        self.fields["institution"].queryset = Institution.objects.for_user(user, "view").filter(
            Q(active=True) | Q(pk=instance.institution_id or 0)
        )
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = [
                DATETIME_FORMAT,
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
            ]
        # The service's messages, in Chinese, rather than the browser's or the model's.
        self.fields["hours"].validators = []
        self.fields["hours"].widget.attrs.update(step="0.5", min="0", inputmode="decimal")
        self.fields["planned_headcount"].widget.attrs.update(min="0", inputmode="numeric")

    def _post_clean(self):
        # Only build the instance: the rules (and their Chinese messages naming the
        # field) are `services_sessions.save_session`'s, not the model's constraints.
        opts = self._meta
        try:
            self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        except forms.ValidationError as exc:
            self._update_errors(exc)


class FileUploadForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("用途"), choices=SessionFile.Purpose.choices)
    files = FilesField(
        label=_("照片和资料"),
        help_text=_("JPG、PNG 照片或 PDF、DOCX、XLSX 文件；照片的位置信息会被去除"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()


class EnrolByPostForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    """Enrol by post and scope: grid officers / cadres of a unit subtree, or the holders
    of a post type (at one enterprise, or in a unit subtree)."""

    ROLE_CHOICES = [("", _("— 按单位身份 —")), *UnitPost.Role.choices]

    role = forms.ChoiceField(label=_("身份"), choices=ROLE_CHOICES, required=False)
    post_type = forms.ModelChoiceField(
        label=_("企业岗位"),
        queryset=PostType.objects.all(),
        required=False,
        empty_label=_("— 按企业岗位 —"),
    )
    unit = forms.ModelChoiceField(
        label=_("单位（含下级）"), queryset=Unit.objects.all(), required=False
    )
    enterprise = forms.ModelChoiceField(
        label=_("企业"), queryset=Enterprise.objects.all(), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.for_user(user, "view")
        self.fields["enterprise"].queryset = Enterprise.objects.for_user(user, "view")
        enhance_pickers(self.fields)
        self._style_fields()

    def clean(self):
        data = super().clean()
        if bool(data.get("role")) == bool(data.get("post_type")):
            raise forms.ValidationError(_("请在“身份”和“企业岗位”中选择一项"))
        return data

    def scope(self) -> svc.PostScope:
        data = self.cleaned_data
        return svc.PostScope(
            role=data.get("role") or "",
            unit=data.get("unit"),
            post_type=data.get("post_type"),
            enterprise=data.get("enterprise"),
        )


class CorrectHoursForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    hours = forms.CharField(label=_("认定学时"), max_length=10)
    reason = forms.CharField(label=_("更正原因"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hours"].widget.attrs.update(inputmode="decimal")
        self._style_fields()


class CertifyForm(ServiceErrorsMixin, BootstrapMixin, forms.Form):
    """据此发证/复审: a new certificate, or a review of the trainee's current one."""

    ISSUE, REVIEW = "issue", "review"
    mode = forms.ChoiceField(
        label=_("办理事项"),
        choices=[(ISSUE, _("发放新证")), (REVIEW, _("登记复审"))],
        widget=forms.RadioSelect,
        initial=ISSUE,
    )
    on = forms.DateField(label=_("发证或复审日期"), widget=DateInput())
    certificate = forms.ModelChoiceField(
        label=_("复审的证书"), queryset=Certificate.objects.none(), required=False
    )
    kind = forms.ModelChoiceField(
        label=_("证书类型"), queryset=CertificateKind.objects.all(), required=False
    )
    enterprise = forms.ModelChoiceField(
        label=_("所在企业"), queryset=Enterprise.objects.none(), required=False
    )
    number = forms.CharField(label=_("证书编号"), max_length=50, required=False)
    operation_item = forms.ModelChoiceField(
        label=_("操作项目"), queryset=OperationItem.objects.all(), required=False
    )
    issuing_authority = forms.CharField(label=_("发证机关"), max_length=100, required=False)

    def __init__(self, *args, user=None, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certificate"].queryset = Certificate.objects.for_user(user, "change").filter(
            holder=person, is_current=True
        )
        self.fields["enterprise"].queryset = (
            Enterprise.objects.for_user(user, "view")
            .filter(posts__person=person, posts__end_date__isnull=True)
            .distinct()
        )
        self._style_fields()
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        if data["mode"] == self.REVIEW:
            if data.get("certificate") is None:
                raise forms.ValidationError({"certificate": _("请选择复审的证书")})
            return {"on": data["on"], "certificate": data["certificate"]}
        return {
            "on": data["on"],
            "kind": data.get("kind"),
            "enterprise": data.get("enterprise"),
            "number": data.get("number", ""),
            "operation_item": data.get("operation_item"),
            "issuing_authority": data.get("issuing_authority", ""),
        }
