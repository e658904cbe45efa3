"""Forms of the plan and task pages: a plan with its text sections, a task with its
targets, a unit's own plan (requirement 四(一)) and the copy-to-next-year form.

Every message names the field and the reason in Chinese. Checks the database
would otherwise make with an IntegrityError (one district plan a year, a task
number unique in its plan) are made here first, so a bad form never becomes a 500.
"""

from __future__ import annotations

import os
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Case, IntegerField, Value, When
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin, ScopedModelForm
from xuanpei.orgs.choices import UnitKind
from xuanpei.orgs.forms import InvalidFieldsMixin
from xuanpei.orgs.models import Unit
from xuanpei.plans import evidence, metrics
from xuanpei.plans.choices import PlanKind, PlanStatus, Timeframe
from xuanpei.plans.matrix import UNIT_GROUP_LABELS, unit_group
from xuanpei.plans.models import Plan, PlanSection, Target, Task, validate_doc_number

PLAN_FILE_TYPES = {".pdf": "PDF", ".docx": "DOCX"}
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def issuer_unit(user) -> Unit | None:
    """The unit a user's plans are issued by: their own; a superuser's is the district root."""
    if getattr(user, "unit_id", None):
        return user.unit
    if getattr(user, "is_superuser", False):
        return Unit.objects.get_first_root_node()
    return None


def clean_plan_file(upload):
    """A plan document: PDF or DOCX, recognised by content and within the size limit by
    the evidence checker (`evidence.check_file`); stored under a generated name."""
    if not isinstance(upload, UploadedFile):
        return upload  # nothing new: the stored file (or none) stays
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in PLAN_FILE_TYPES:
        raise forms.ValidationError(_("计划文件只能是 PDF 或 DOCX 格式"), code="file_type")
    if upload.size > evidence.max_bytes():
        raise forms.ValidationError(
            _("计划文件不能超过 %(mb)d MB") % {"mb": settings.EVIDENCE_MAX_MB}, code="file_size"
        )
    try:
        evidence.check_file(upload)
    except ValidationError:
        raise forms.ValidationError(
            _("文件内容不是有效的 %(type)s 文件") % {"type": PLAN_FILE_TYPES[ext]},
            code="file_content",
        ) from None
    upload.name = f"{uuid.uuid4().hex}{ext}"
    return upload


class StyledInlineFormSet(BaseInlineFormSet):
    """Rows styled like the rest of the form, the delete box included."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("删除")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


# Plans -------------------------------------------------------------------------------


class PlanForm(InvalidFieldsMixin, ScopedModelForm):
    """A plan's heading fields. Its issuer is the user's unit; only the district issues
    a district plan; a unit plan names the district plan it answers."""

    class Meta:
        model = Plan
        fields = ["kind", "parent", "year", "title", "doc_number", "preamble", "file"]
        widgets = {
            "preamble": forms.Textarea(attrs={"rows": 4}),
            "file": forms.FileInput(attrs={"accept": ".pdf,.docx"}),
        }
        help_texts = {
            "doc_number": _("如 XX安委办发〔2022〕3号，可留空"),
            "file": _("印发的计划文件，PDF 或 DOCX，可留空"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.issuer = self.instance.unit if self.instance.unit_id else issuer_unit(user)
        parent = self.fields["parent"]
        parent.queryset = parent.queryset.filter(
            kind=PlanKind.DISTRICT, status__in=(PlanStatus.ISSUED, PlanStatus.CLOSED)
        )
        parent.empty_label = _("（区级计划无需选择）")
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        # On an edit kind and parent are fixed (plans.field_rules: ScopedModelForm disabled them).
        if not self.instance.pk and self.issuer is not None:
            # Offer only the kind this level may write (issue #8 §4): the district
            # issues the district plan, every other unit its own plan.
            kind = PlanKind.DISTRICT if self.issuer.is_root() else PlanKind.UNIT
            self.fields["kind"].choices = [(kind.value, kind.label)]
            self.initial["kind"] = kind
            if kind == PlanKind.DISTRICT:
                parent.widget = forms.HiddenInput()  # a district plan answers to none
            else:
                parent.empty_label = _("请选择本单位计划对应的区级计划")

    def clean_file(self):
        return clean_plan_file(self.cleaned_data.get("file"))

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("年度应在2000至2100之间"))
        return year

    def clean(self):
        cleaned = super().clean()
        kind, year, parent = cleaned.get("kind"), cleaned.get("year"), cleaned.get("parent")
        if self.issuer is None:
            raise forms.ValidationError(_("您的账号未关联单位，不能制定计划"))
        if kind == PlanKind.DISTRICT:
            if not self.issuer.is_root():
                self.add_error(
                    "kind",
                    _(
                        "区级计划只能由区安委办制定；本单位的年度计划请在区级计划页面“编写本单位计划”"
                    ),
                )
            elif year and self._others().filter(kind=kind, year=year).exists():
                self.add_error("year", _("%(y)d年度的区级计划已存在") % {"y": year})
            if parent:
                self.add_error("parent", _("区级计划不需要选择对应的区级计划"))
        elif kind == PlanKind.UNIT:
            if self.issuer.is_root() and not self.instance.pk:
                self.add_error("kind", _("区安委办制定的是区级计划，请选择“区级计划”"))
            if parent is None:
                self.add_error("parent", _("单位计划须选择对应的区级计划"))
            elif self._others().filter(kind=kind, parent=parent).exists():
                self.add_error("parent", _("本单位已有对应该区级计划的年度计划"))
        return cleaned

    def _others(self):
        return Plan.objects.filter(unit=self.issuer).exclude(pk=self.instance.pk)

    def save(self, commit=True):
        plan = super().save(commit=False)
        if not plan.unit_id:
            plan.unit = self.issuer
        if plan.kind == PlanKind.UNIT and plan.parent_id:
            plan.year = plan.parent.year
        if commit:
            plan.save()
        return plan


class SectionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = PlanSection
        fields = ["number", "heading", "body"]
        widgets = {
            "number": forms.TextInput(attrs={"placeholder": _("如 一、")}),
            "body": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()


SectionFormSet = inlineformset_factory(
    Plan,
    PlanSection,
    form=SectionForm,
    formset=StyledInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=50,
)


class CopyPlanForm(BootstrapMixin, forms.Form):
    """复制为下一年度计划: which year, and the new document number if already known."""

    year = forms.IntegerField(label=_("新计划年度"), min_value=2000, max_value=2100)
    doc_number = forms.CharField(
        label=_("发文字号"),
        max_length=60,
        required=False,
        validators=[validate_doc_number],
        help_text=_("可留空，印发前再填写"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()


class UnitPlanForm(InvalidFieldsMixin, ScopedModelForm):
    """A unit's own yearly plan (requirement 四(一)): written here, uploaded, or both."""

    class Meta:
        model = Plan
        fields = ["title", "doc_number", "preamble", "file"]
        labels = {"preamble": _("计划正文")}
        widgets = {
            "preamble": forms.Textarea(attrs={"rows": 14}),
            "file": forms.FileInput(attrs={"accept": ".pdf,.docx"}),
        }
        help_texts = {
            "preamble": _("可直接填写计划内容，也可只上传计划文件"),
            "file": _("PDF 或 DOCX，不超过 %(mb)d MB") % {"mb": settings.EVIDENCE_MAX_MB},
        }

    def clean_file(self):
        return clean_plan_file(self.cleaned_data.get("file"))

    def clean(self):
        cleaned = super().clean()
        has_file = bool(cleaned.get("file")) or bool(self.instance.file)
        if not (cleaned.get("preamble") or "").strip() and not has_file:
            raise forms.ValidationError(_("请填写计划正文或上传计划文件（至少一项）"))
        return cleaned


# Tasks -------------------------------------------------------------------------------

# Villages and communities carry no task of a district plan: keeping them out keeps
# the unit lists short enough to read on a phone.
ASSIGNABLE_KINDS = (
    UnitKind.NEW_TOWN,
    UnitKind.TOWN,
    UnitKind.SUBDISTRICT,
    UnitKind.DEPARTMENT,
)


class TaskForm(InvalidFieldsMixin, ScopedModelForm):
    """A key task: number, title, kind, responsible units, timeframe, deliverables."""

    class Meta:
        model = Task
        fields = [
            "number",
            "title",
            "kind",
            "content",
            "lead_units",
            "cooperating_units",
            "other_units",
            "timeframe",
            "start_date",
            "end_date",
            "timeframe_note",
            "deliverables",
            "audience",
            "method",
        ]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 5}),
            "deliverables": forms.Textarea(attrs={"rows": 2}),
            "lead_units": forms.CheckboxSelectMultiple,
            "cooperating_units": forms.CheckboxSelectMultiple,
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
        }

    def __init__(self, *args, user=None, plan=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.plan = plan or self.instance.plan
        self.instance.plan = self.plan
        units = self.assignable_units(user)
        for name in ("lead_units", "cooperating_units"):
            field = self.fields[name]
            field.queryset = units
            field.label_from_instance = lambda unit: unit.name
            field.widget.attrs["class"] = "form-check-input"

    def assignable_units(self, user):
        """Units below the plan's issuer (the district: all units), in the user's scope.

        New towns with their 镇街 first (tree order), then the departments.
        """
        issuer = self.plan.unit
        qs = (
            Unit.objects.for_user(user, "view")
            .filter(path__startswith=issuer.path, kind__in=ASSIGNABLE_KINDS)
            .exclude(pk=issuer.pk)
        )
        department_last = Case(
            When(kind=UnitKind.DEPARTMENT, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        return qs.order_by(department_last, "path")

    def unit_groups(self, name: str) -> list[dict]:
        """The checkboxes of a unit field, grouped 新城 / 镇街 / 行业部门 for the template."""
        bound = self[name]
        by_group: dict[str, list] = {}
        units = {u.pk: u for u in self.fields[name].queryset}
        for widget in bound.subwidgets:
            unit = units.get(getattr(widget.data["value"], "value", widget.data["value"]))
            group = unit_group(unit.kind) if unit else "other"
            by_group.setdefault(group, []).append(widget)
        return [
            {"code": g, "label": UNIT_GROUP_LABELS[g], "widgets": by_group[g]}
            for g in UNIT_GROUP_LABELS
            if g in by_group
        ]

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        clash = Task.objects.filter(plan=self.plan, number=number).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("本计划中已有编号为“%(n)s”的任务") % {"n": number})
        return number

    def clean(self):
        cleaned = super().clean()
        timeframe = cleaned.get("timeframe")
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if timeframe == Timeframe.DATE_RANGE:
            if not start:
                self.add_error("start_date", _("完成时限为“时间段”时须填写开始日期"))
            if not end:
                self.add_error("end_date", _("完成时限为“时间段”时须填写截止日期"))
        if start and end and end < start:
            self.add_error("end_date", _("截止日期不能早于开始日期"))
        for name, value in (("start_date", start), ("end_date", end)):
            if value and value.year != self.plan.year:
                self.add_error(name, _("日期须在计划年度（%(y)d年）内") % {"y": self.plan.year})
        for name, value in (("start_date", start), ("end_date", end)):
            if value and timeframe in (Timeframe.QUARTERLY, Timeframe.MONTHLY):
                self.add_error(name, _("每季度、每月的任务按期截止，不填写日期"))
        leads = list(cleaned.get("lead_units") or [])
        coops = list(cleaned.get("cooperating_units") or [])
        if "lead_units" in cleaned and not leads:
            self.add_error("lead_units", _("请至少选择一个牵头单位"))
        both = [u.name for u in leads if u in coops]
        if both:
            self.add_error(
                "cooperating_units",
                _("同一单位不能既牵头又配合：%(names)s") % {"names": "、".join(both)},
            )
        return cleaned


class TargetForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Target
        fields = ["name", "comparator", "value", "unit_label", "per_period", "metric"]
        widgets = {
            "name": forms.TextInput(attrs={"placeholder": _("如 持证率、开展培训")}),
            "unit_label": forms.TextInput(attrs={"placeholder": _("如 %、次、人")}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()
        # One row per target: the placeholders say it, the help texts would break the row.
        for name in ("unit_label", "per_period"):
            self.fields[name].help_text = ""
        self.fields["per_period"].label = _("每期都须达到")
        # The metrics the installed apps registered (plans.metrics), read at form time;
        # a stored key no app registers any more stays selectable until changed.
        options = metrics.choices()
        current = self.instance.metric if self.instance.pk else ""
        if current and current not in dict(options):
            options.append((current, current))
        self.fields["metric"] = forms.ChoiceField(
            label=_("完成量来源"), choices=options, required=False
        )
        self._style_fields()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("metric") and (cleaned.get("unit_label") or "").strip() == "%":
            self.add_error("metric", _("自动统计的指标是记录条数，单位不能是 %"))
        return cleaned

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value is not None and value < 0:
            raise forms.ValidationError(_("目标值不能为负数"))
        return value


TargetFormSet = inlineformset_factory(
    Task,
    Target,
    form=TargetForm,
    formset=StyledInlineFormSet,
    extra=1,
    can_delete=True,
    max_num=20,
)
