"""Forms of the reporting pages: a progress report, its review, deadline adjustments, comments.

The forms collect input and check its shape; the rules (who may, which state)
live in `services.py` and `evidence.py`, which the views call with the cleaned
data. Errors a service raises for a field are put back on that field.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import BootstrapMixin, DateInput
from xuanpei.orgs.forms import InvalidFieldsMixin
from xuanpei.plans import evidence, metrics
from xuanpei.plans.models import Assignment, ProgressReport, format_number
from xuanpei.plans.status import effective_due

SUMMARY_MAX = 5000
COMMENT_MAX = 2000


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); each is checked by `evidence`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": evidence.ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ServiceErrorsMixin:
    """Put a service's ValidationError back on the form: per field when it names one."""

    def add_service_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class BaseForm(ServiceErrorsMixin, InvalidFieldsMixin, BootstrapMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_fields()

    def _style_fields(self):
        super()._style_fields()
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"


def period_choices(assignment: Assignment, overrides=None) -> list[tuple[str, str]]:
    overrides = overrides or {}
    return [
        (
            p.key,
            _("%(label)s（%(due)s 截止）") % {"label": p.label, "due": effective_due(p, overrides)},
        )
        for p in assignment.task.periods()
    ]


def target_help(target) -> str:
    scope = _("每期") if target.per_period else _("全年累计")
    return _("目标：%(t)s（%(scope)s）") % {"t": target, "scope": scope}


def new_request_key() -> str:
    return uuid.uuid4().hex


class ReportForm(BaseForm):
    """A progress report: the period, what was done, one quantity per target, new evidence."""

    period_key = forms.ChoiceField(label=_("填报期"))
    summary = forms.CharField(
        label=_("工作开展情况"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("写明开展的活动、时间、地点、参加人数等"),
    )
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可一次选择多个文件：JPG/PNG 照片，PDF、DOCX、XLSX 文件；每个不超过 %(n)d MB"),
    )
    # One key per rendered form: a double click on 提交 creates one report (issue #9).
    request_key = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=new_request_key
    )

    def __init__(self, *args, assignment: Assignment, report: ProgressReport | None = None,
                 overrides=None, initial_period: str | None = None, period_states=None,
                 **kwargs):  # fmt: skip
        self.assignment = assignment
        self.report = report
        self.targets = list(assignment.task.targets.all())
        initial = kwargs.pop("initial", None) or {}
        if report is not None:
            initial.setdefault("period_key", report.period_key)
            initial.setdefault("summary", report.summary)
            for q in report.quantities.all():
                initial.setdefault(f"target_{q.target_id}", format_number(q.value))
        elif initial_period:
            initial.setdefault("period_key", initial_period)
        super().__init__(*args, initial=initial, **kwargs)
        choices = period_choices(assignment, overrides)
        if period_states:  # each period says where it stands (a done one takes more progress)
            choices = [(k, f"{label} · {period_states[k]}") for k, label in choices]
        self.fields["period_key"].choices = choices
        if report is not None:
            self.fields["files"].label = _("添加佐证材料")
        self.fields["files"].help_text = self.fields["files"].help_text % {
            "n": evidence.max_bytes() // 1024 // 1024
        }
        # Computed targets are counted from the records: shown, never typed.
        self.computed = metrics.period_values(assignment, self.targets)
        self.targets = [t for t in self.targets if not t.metric]
        for target in self.targets:
            label = target.name + (f"（{target.unit_label}）" if target.unit_label else "")
            self.fields[f"target_{target.pk}"] = forms.DecimalField(
                label=label,
                required=False,
                min_value=Decimal("0"),
                max_digits=12,
                decimal_places=2,
                help_text=target_help(target),
                widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            )
        # Targets before the files, after the summary.
        order = ["period_key", "summary", *(f"target_{t.pk}" for t in self.targets), "files"]
        self.order_fields(order)
        self._style_fields()

    @property
    def target_fields(self):
        return [self[f"target_{t.pk}"] for t in self.targets]

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        try:
            return evidence.check_files(files)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None

    def quantities(self) -> dict[int, Decimal | None]:
        return {t.pk: self.cleaned_data.get(f"target_{t.pk}") for t in self.targets}


class ReviewForm(BaseForm):
    """验收 or 退回 a submitted report; returning needs a comment (the service says so too)."""

    ACCEPT, RETURN = "accept", "return"
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(ACCEPT, _("验收通过")), (RETURN, _("退回修改"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必须填写，说明需要补充或修改的内容"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not (data.get("comment") or "").strip():
            self.add_error("comment", _("退回时须填写退回意见"))
        return data

    @property
    def accept(self) -> bool:
        return self.cleaned_data["decision"] == self.ACCEPT


class ReopenForm(BaseForm):
    """重新打开 an accepted period: which one and why (the unit reads the reason)."""

    period_key = forms.ChoiceField(label=_("填报期"))
    reason = forms.CharField(
        label=_("重新打开的理由"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明还需补报的内容，如尚未开展的活动；责任单位将收到通知"),
    )

    def __init__(self, *args, assignment: Assignment, done_keys, overrides=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_key"].choices = [
            c for c in period_choices(assignment, overrides) if c[0] in done_keys
        ]


class ExceptionForm(BaseForm):
    """例外验收: accept an assignment whose targets are not all met, saying why."""

    reason = forms.CharField(
        label=_("例外验收理由"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明未达成的目标及同意验收的原因；将记录验收人和时间，并通知责任单位"),
    )


class AdjustmentRequestForm(BaseForm):
    """延期申请: which period, the new date, why."""

    period_key = forms.ChoiceField(label=_("填报期"))
    requested_due = forms.DateField(label=_("申请截止日期"), widget=DateInput())
    reason = forms.CharField(
        label=_("延期理由"), max_length=COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, assignment: Assignment, overrides=None, open_keys=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = period_choices(assignment, overrides)
        if open_keys is not None:
            choices = [c for c in choices if c[0] in open_keys]
        self.fields["period_key"].choices = choices


class AdjustmentDecisionForm(BaseForm):
    """同意 or 不同意 a deadline adjustment; refusing needs a comment."""

    GRANT, REFUSE = "grant", "refuse"
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[(GRANT, _("同意延期")), (REFUSE, _("不同意"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审批意见"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不同意时必须填写理由"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not (data.get("comment") or "").strip():
            self.add_error("comment", _("不同意延期时须填写审批意见"))
        return data

    @property
    def grant(self) -> bool:
        return self.cleaned_data["decision"] == self.GRANT


class CommentForm(BaseForm):
    text = forms.CharField(
        label=_("批示内容"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("输入批示意见")}),
    )
