"""Serializers of the plans API: plans, tasks, assignments (read) and progress reports.

Fields are listed explicitly; related rows are brief nested objects. A report is
written through `services.save_report` (create, or edit a draft/returned one),
never by assigning fields: status, submission and review are service actions
(`…/submit/`, `…/review/`).
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from xuanpei.core.api import DisplayField, ScopedModelSerializer
from xuanpei.orgs.api.serializers import UnitBriefSerializer
from xuanpei.plans import services
from xuanpei.plans.models import (
    Assignment,
    Evidence,
    Plan,
    ProgressReport,
    ReportEvent,
    Target,
    Task,
)
from xuanpei.plans.tables import TimeframeValue, format_target, format_timeframe, to_value


class PlanBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Plan
        fields = ["id", "year", "title"]
        read_only_fields = fields


class TaskBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "number", "title", "kind"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    unit = UnitBriefSerializer(read_only=True, help_text=gettext_lazy("制定单位"))
    kind_display = DisplayField("kind")
    status_display = DisplayField("status")

    class Meta:
        model = Plan
        fields = [
            "id",
            "url",
            "kind",
            "kind_display",
            "unit",
            "year",
            "title",
            "doc_number",
            "status",
            "status_display",
            "issued_on",
            "preamble",
            "parent",
            "copied_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"url": {"view_name": "api:plan-detail"}}


class TargetSerializer(serializers.ModelSerializer):
    comparator_display = DisplayField("comparator")
    text = serializers.SerializerMethodField(help_text=gettext_lazy("如 网格员培训≥1次（每季度）"))

    class Meta:
        model = Target
        fields = [
            "id",
            "order",
            "name",
            "comparator",
            "comparator_display",
            "value",
            "unit_label",
            "per_period",
            "metric",
            "text",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "metric": {"help_text": gettext_lazy("非空：完成量由系统按台账记录自动统计，不能填报")}
        }

    def get_text(self, target) -> str:
        return format_target(to_value(target), target.task.timeframe)


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=gettext_lazy("填报期，如 2022、2022Q1、2022-03、2022R"))
    label = serializers.CharField()
    start = serializers.DateField()
    due = serializers.DateField()


class TaskSerializer(serializers.ModelSerializer):
    plan = PlanBriefSerializer(read_only=True)
    kind_display = DisplayField("kind")
    lead_units = UnitBriefSerializer(many=True, read_only=True)
    cooperating_units = UnitBriefSerializer(many=True, read_only=True)
    timeframe_display = DisplayField("timeframe")
    timeframe_text = serializers.SerializerMethodField(
        help_text=gettext_lazy("完成时限，如 2022年6月1日至6月30日、每季度（至少一次）")
    )
    targets = TargetSerializer(many=True, read_only=True)
    periods = serializers.SerializerMethodField(help_text=gettext_lazy("该任务的填报期"))

    class Meta:
        model = Task
        fields = [
            "id",
            "url",
            "plan",
            "order",
            "number",
            "title",
            "content",
            "kind",
            "kind_display",
            "lead_units",
            "cooperating_units",
            "other_units",
            "timeframe",
            "timeframe_display",
            "start_date",
            "end_date",
            "timeframe_note",
            "timeframe_text",
            "targets",
            "periods",
            "deliverables",
            "audience",
            "method",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"url": {"view_name": "api:task-detail"}}

    def get_timeframe_text(self, task) -> str:
        return format_timeframe(
            TimeframeValue(task.timeframe, task.start_date, task.end_date, task.timeframe_note)
        )

    @extend_schema_field(PeriodSerializer(many=True))
    def get_periods(self, task):
        return PeriodSerializer(task.periods(), many=True).data


class AssignmentSerializer(serializers.ModelSerializer):
    task = TaskBriefSerializer(read_only=True)
    plan = serializers.IntegerField(source="task.plan_id", read_only=True)
    unit = UnitBriefSerializer(read_only=True, help_text=gettext_lazy("责任单位"))
    role_display = DisplayField("role")
    status_display = DisplayField("status")
    exception_by = serializers.StringRelatedField(help_text=gettext_lazy("例外验收人"))
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=gettext_lazy("分解自：上级单位的任务分解 id（区级下达的为 null）")
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "url",
            "task",
            "plan",
            "unit",
            "parent",
            "role",
            "role_display",
            "status",
            "status_display",
            "next_due",
            "overdue_periods",
            "status_on",
            "exception_reason",
            "exception_at",
            "exception_by",
        ]
        read_only_fields = fields
        extra_kwargs = {"url": {"view_name": "api:assignment-detail"}}


class QuantitySerializer(serializers.Serializer):
    """One target's achieved quantity; `value: null` clears it."""

    target = serializers.IntegerField(source="target_id", help_text=gettext_lazy("指标 id"))
    target_name = serializers.CharField(source="target.name", read_only=True)
    value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class EvidenceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "name", "kind", "size", "created_at"]
        read_only_fields = fields


class ReportEventSerializer(serializers.ModelSerializer):
    action_display = DisplayField("action")
    actor = serializers.StringRelatedField()

    class Meta:
        model = ReportEvent
        fields = ["id", "action", "action_display", "actor", "comment", "created_at"]
        read_only_fields = fields


class ProgressReportSerializer(ScopedModelSerializer):
    """A progress report. POST creates a draft, PUT/PATCH edits a draft or returned one."""

    assignment = serializers.PrimaryKeyRelatedField(
        queryset=Assignment.objects.all(), label=gettext_lazy("任务分解")
    )
    task = TaskBriefSerializer(source="assignment.task", read_only=True)
    unit = UnitBriefSerializer(source="assignment.unit", read_only=True)
    period_label = serializers.CharField(read_only=True)
    status_display = DisplayField("status")
    submitted_by = serializers.StringRelatedField()
    reviewed_by = serializers.StringRelatedField()
    quantities = QuantitySerializer(many=True, required=False)
    evidence = EvidenceBriefSerializer(many=True, read_only=True)
    events = ReportEventSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "url",
            "assignment",
            "task",
            "unit",
            "period_key",
            "period_label",
            "summary",
            "quantities",
            "status",
            "status_display",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
            "reopened_at",
            "evidence",
            "events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "reopened_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"url": {"view_name": "api:progressreport-detail"}}

    def _save(self, assignment, validated, report=None):
        quantities = {q["target_id"]: q["value"] for q in validated.get("quantities", [])}
        return services.save_report(
            assignment,
            actor=self.context["request"].user,
            period_key=validated.get("period_key", getattr(report, "period_key", "")),
            summary=validated.get("summary", getattr(report, "summary", "")),
            quantities=quantities,
            report=report,
            request_key="" if report is not None else self.context.get("request_key", ""),
        )

    def create(self, validated_data):
        return self._save(validated_data["assignment"], validated_data)

    def update(self, instance, validated_data):
        return self._save(instance.assignment, validated_data, report=instance)


class ReviewSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text=gettext_lazy("true 验收通过，false 退回"))
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=gettext_lazy("退回时必填")
    )


class ReopenSerializer(serializers.Serializer):
    period_key = serializers.CharField(help_text=gettext_lazy("已验收的填报期，如 2022Q1"))
    reason = serializers.CharField(help_text=gettext_lazy("重新打开的理由（通知责任单位）"))


class ExceptionSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text=gettext_lazy("例外验收的理由"))
