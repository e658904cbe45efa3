"""Serializers of the publicity API: campaigns and themed-day rules, fields listed explicitly.

Writes go through the same checks as the pages: a rule's parameters (`calendar.spec_errors`),
a campaign's dates (`campaign_date_errors`), its owner and computed dates taken from its
rule (`services.prepare_campaign`), its plan tasks of the same year.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from xuanpei.core.api import DisplayField, ScopedModelSerializer
from xuanpei.orgs.models import Unit
from xuanpei.plans.models import Task
from xuanpei.publicity import calendar, services
from xuanpei.publicity.choices import RuleKind
from xuanpei.publicity.models import Campaign, ThemedDayRule, campaign_date_errors

SPEC_FIELDS = (
    "month",
    "day",
    "end_month",
    "end_day",
    "weekday",
    "nth",
    "since_year",
    "until_year",
)


class ThemedDayRuleSerializer(ScopedModelSerializer):
    kind_display = DisplayField("kind")
    description = serializers.CharField(
        source="describe", read_only=True, help_text=gettext_lazy("如 每年3月最后一个星期一")
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("发布单位；空为全国统一（仅区安委办）"),
    )

    class Meta:
        model = ThemedDayRule
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "description",
            *SPEC_FIELDS,
            "unit",
            "is_active",
            "order",
            "note",
            "updated_at",
        ]
        read_only_fields = ["id", "kind_display", "description", "updated_at"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        current = self.instance

        def value(name):
            return attrs[name] if name in attrs else getattr(current, name, None)

        spec = calendar.RuleSpec(kind=value("kind") or "", **{k: value(k) for k in SPEC_FIELDS})
        errors = calendar.spec_errors(spec)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class CampaignSerializer(ScopedModelSerializer):
    rule = serializers.PrimaryKeyRelatedField(
        queryset=ThemedDayRule.objects.all(), allow_null=True, required=False
    )
    rule_name = serializers.CharField(source="rule.name", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=RuleKind.choices, read_only=True)
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text=gettext_lazy("发布单位；对应规则的活动取规则的发布单位"),
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    task_ids = serializers.PrimaryKeyRelatedField(
        source="tasks",
        many=True,
        queryset=Task.objects.all(),
        required=False,
        help_text=gettext_lazy("对应的计划任务（须为同一年度的计划）"),
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "rule",
            "rule_name",
            "kind",
            "year",
            "name",
            "start_date",
            "end_date",
            "theme",
            "unit",
            "unit_name",
            "notes",
            "task_ids",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "rule_name", "kind", "unit_name", "created_at", "updated_at"]

    def get_validators(self):
        # DRF makes every field of a unique constraint required, though `rule` may be
        # empty (a local campaign); the one-per-rule-and-year check is in `validate`.
        return []

    def validate(self, attrs):
        attrs = super().validate(attrs)
        current = self.instance
        tasks = attrs.pop("tasks", None)
        campaign = Campaign(pk=getattr(current, "pk", None))
        for f in ("rule", "year", "name", "start_date", "end_date", "theme", "unit", "notes"):
            setattr(campaign, f, attrs[f] if f in attrs else getattr(current, f, None))
        if current is not None and campaign.rule_id and campaign.rule.is_computed:
            # A ruled campaign keeps its rule's dates: they are not the client's to move.
            for f in ("start_date", "end_date"):
                if f in attrs and attrs[f] != getattr(current, f):
                    raise serializers.ValidationError({f: "日期由宣传日规则确定，不能修改"})
        if campaign.rule is None:
            if not campaign.name:
                raise serializers.ValidationError({"name": "不对应规则的活动须填写名称"})
            if campaign.unit_id is None:
                user = self.context["request"].user
                if not user.unit_id:
                    raise serializers.ValidationError({"unit": "请选择发布单位"})
                campaign.unit = user.unit
        try:
            services.prepare_campaign(campaign)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        for f in ("start_date", "end_date"):
            if getattr(campaign, f) is None:
                raise serializers.ValidationError({f: "请填写日期"})
        errors = campaign_date_errors(
            campaign.year, campaign.start_date, campaign.end_date, campaign.kind
        )
        if errors:
            raise serializers.ValidationError(errors)
        taken = Campaign.objects.filter(rule=campaign.rule, year=campaign.year)
        if campaign.rule_id and taken.exclude(pk=campaign.pk).exists():
            raise serializers.ValidationError({"rule": "该宣传日本年度已有活动"})
        if tasks is not None:
            try:
                services.check_tasks(campaign, tasks)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
            attrs["tasks"] = tasks
        attrs.update(
            unit=campaign.unit,
            name=campaign.name,
            start_date=campaign.start_date,
            end_date=campaign.end_date,
        )
        return attrs
