"""Forms of the publicity calendar: a rule, a campaign (add, edit)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xuanpei.core.forms import ScopedModelForm
from xuanpei.core.scoping import UserScope
from xuanpei.orgs.models import Unit
from xuanpei.plans.models import Task
from xuanpei.publicity import calendar
from xuanpei.publicity.choices import ENTERED_KINDS, RuleKind
from xuanpei.publicity.models import Campaign, ThemedDayRule, campaign_date_errors

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RuleForm(ScopedModelForm):
    """A rule; only the district keeps national rules (no owner unit)."""

    class Meta:
        model = ThemedDayRule
        fields = [
            "name",
            "kind",
            "month",
            "day",
            "end_month",
            "end_day",
            "weekday",
            "nth",
            "since_year",
            "until_year",
            "unit",
            "is_active",
            "order",
            "note",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        unit = self.fields.get("unit")
        if unit is not None and not unit.disabled:
            unit.queryset = unit.queryset.filter(pk__in=Unit.objects.territorial().values("pk"))
            district = user is not None and UserScope.of(user).everything
            unit.required = not district
            unit.empty_label = _("全国统一（不属于任何单位）") if district else _("请选择发布单位")
            if not district and not self.instance.pk:
                unit.initial = user.unit_id

    def clean(self):
        data = super().clean()
        spec = calendar.RuleSpec(
            kind=data.get("kind") or "",
            **{
                k: data.get(k)
                for k in (
                    "month",
                    "day",
                    "end_month",
                    "end_day",
                    "weekday",
                    "nth",
                    "since_year",
                    "until_year",
                )
            },
        )
        for name, reason in calendar.spec_errors(spec).items():
            self.add_error(name, reason)
        return data


class CampaignCreateForm(ScopedModelForm):
    """A campaign whose dates are entered: a by-notice or seasonal rule's, or a local one."""

    class Meta:
        model = Campaign
        fields = ["rule", "year", "name", "start_date", "end_date", "theme", "unit", "notes"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        rule = self.fields["rule"]
        # Rules the user may keep (national ones: the district), whose dates are entered.
        rule.queryset = ThemedDayRule.objects.for_user(user, "change").filter(
            kind__in=ENTERED_KINDS, is_active=True
        )
        rule.required = False
        rule.empty_label = _("（不对应规则：本单位主题活动）")
        rule.help_text = _("选择规则时，发布单位为规则的发布单位，名称默认为规则名称")
        self.fields["name"].required = False
        unit = self.fields["unit"]
        unit.queryset = unit.queryset.filter(pk__in=Unit.objects.territorial().values("pk"))
        if user is not None and user.unit_id:
            unit.initial = user.unit_id
        self.fields["year"].initial = timezone.localdate().year

    def clean(self):
        data = super().clean()
        rule = data.get("rule")
        if not rule and not data.get("name"):
            self.add_error("name", _("不对应规则的活动须填写名称"))
        kind = rule.kind if rule else RuleKind.LOCAL
        errors = campaign_date_errors(
            data.get("year"), data.get("start_date"), data.get("end_date"), kind
        )
        for name, reason in errors.items():
            self.add_error(name, reason)
        return data


class CampaignEditForm(ScopedModelForm):
    """This year's theme, notes and plan tasks; the dates when they are entered, not ruled."""

    tasks = forms.ModelMultipleChoiceField(
        label=_("对应计划任务"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Campaign
        fields = ["name", "start_date", "end_date", "theme", "notes", "tasks"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        campaign = self.instance
        if campaign.rule_id:
            self.fields["name"].disabled = True
        if campaign.dates_from_rule:
            for name in ("start_date", "end_date"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("日期由规则确定：%(rule)s") % {
                    "rule": campaign.rule.describe()
                }
        # The publicity tasks of the campaign's year's plans the user sees.
        self.fields["tasks"].queryset = (
            Task.objects.for_user(user, "view")
            .filter(plan__year=campaign.year)
            .select_related("plan")
            .order_by("plan__kind", "plan__unit__path", "order", "pk")
        )
        self.fields["tasks"].label_from_instance = lambda t: (
            f"{t.number} {t.title}（{t.plan.title}）"
        )
        self.fields["tasks"].widget.attrs.pop("class", None)

    def clean(self):
        data = super().clean()
        c = self.instance
        errors = campaign_date_errors(c.year, data.get("start_date"), data.get("end_date"), c.kind)
        for name, reason in errors.items():
            if name in self.fields and not self.fields[name].disabled:
                self.add_error(name, reason)
            elif name == "end_date":
                raise ValidationError(reason)
        return data
