"""API viewsets of the plans app, scoped like the pages (`core.api.ScopedModelViewSet`).

Plans, tasks and assignments are read here (they are written through the plan
pages, the template loader and the table import). Progress reports are written
through the services: POST creates a draft, PUT/PATCH edits a draft or returned
report, `POST …/reports/{id}/submit/` submits it and `POST …/reports/{id}/review/`
accepts or returns it (the plan's issuer only).
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from xuanpei.core.api import ScopedModelViewSet
from xuanpei.plans import services, subassign
from xuanpei.plans.api.serializers import (
    AssignmentSerializer,
    ExceptionSerializer,
    PlanSerializer,
    ProgressReportSerializer,
    ReopenSerializer,
    ReviewSerializer,
    TaskSerializer,
)
from xuanpei.plans.api.subassign import SubAssignmentCreateSerializer
from xuanpei.plans.models import Assignment, Plan, ProgressReport, Task

READ_ONLY = ["get", "head", "options"]
IDEMPOTENCY_HEADER = "Idempotency-Key"


class PlanViewSet(ScopedModelViewSet):
    """年度计划：已印发的区级计划全区可见；草稿和单位计划只在制定单位范围内可见。"""

    queryset = Plan.objects.select_related("unit")
    serializer_class = PlanSerializer
    filterset_fields = ["year", "kind", "status", "unit", "parent"]
    ordering_fields = ["year", "title", "issued_on"]
    ordering = ["-year", "kind", "unit__path", "pk"]
    http_method_names = READ_ONLY


class TaskViewSet(ScopedModelViewSet):
    """重点任务：含量化目标、牵头和配合单位及填报期。"""

    queryset = Task.objects.select_related("plan").prefetch_related(
        "lead_units", "cooperating_units", "targets"
    )
    serializer_class = TaskSerializer
    filterset_fields = ["plan", "kind", "timeframe"]
    ordering_fields = ["order", "number"]
    ordering = ["plan_id", "order", "pk"]
    http_method_names = READ_ONLY


class AssignmentFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="task__plan", label=_("计划"))
    due_before = django_filters.DateFilter(
        field_name="next_due", lookup_expr="lte", label=_("截止日期不晚于")
    )

    class Meta:
        model = Assignment
        fields = ["plan", "task", "unit", "parent", "role", "status", "due_before"]


class AssignmentViewSet(ScopedModelViewSet):
    """任务分解：责任单位只看到本单位及下级的任务，含状态和下一截止日期。

    POST 分解给下级单位（parent、unit）：只有 parent 的责任单位可以分解，unit 须是其下级单位。"""

    queryset = Assignment.objects.select_related("task", "unit", "exception_by")
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilterSet
    ordering_fields = ["next_due", "status"]
    ordering = ["next_due", "pk"]
    http_method_names = [*READ_ONLY, "post"]

    @extend_schema(request=SubAssignmentCreateSerializer, responses={201: AssignmentSerializer})
    def create(self, request, *args, **kwargs):
        """分解给下级单位：由 parent 的责任单位把任务交给其下级单位 unit（issue #8）。"""
        params = SubAssignmentCreateSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        with self.audited_write():
            [sub] = subassign.break_down(
                params.validated_data["parent"],
                actor=request.user,
                units=[params.validated_data["unit"]],
            )
        return Response(self.get_serializer(sub).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReopenSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"], action_scope="change")
    def reopen(self, request, pk=None):
        """重新打开已验收的填报期（计划制定单位）：period_key、reason（必填），通知责任单位。"""
        assignment = self.get_object()
        params = ReopenSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with self.audited_write():
            services.reopen_period(assignment, actor=request.user, **params.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)

    @extend_schema(request=ExceptionSerializer, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"], action_scope="change")
    def exception(self, request, pk=None):
        """例外验收（计划制定单位）：各填报期均已验收而量化目标未达成时，写明 reason。"""
        assignment = self.get_object()
        params = ExceptionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with self.audited_write():
            services.accept_with_exception(
                assignment, actor=request.user, reason=params.validated_data["reason"]
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=assignment.pk)).data)


class ReportFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="assignment__task__plan", label=_("计划"))

    class Meta:
        model = ProgressReport
        fields = ["plan", "assignment", "status", "period_key"]


class ProgressReportViewSet(ScopedModelViewSet):
    """进展报告：责任单位填写、提交；计划制定单位验收或退回。"""

    queryset = ProgressReport.objects.select_related(
        "assignment__task__plan", "assignment__unit", "submitted_by", "reviewed_by"
    ).prefetch_related("quantities__target", "evidence", "events__actor")
    serializer_class = ProgressReportSerializer
    filterset_class = ReportFilterSet
    ordering_fields = ["submitted_at", "updated_at"]
    ordering = ["-pk"]
    # Reports are history: a draft is edited, never deleted through the API.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    stamp_created_by = False  # services.save_report stamps it

    def _fresh(self, report):
        return Response(self.get_serializer(self.get_queryset().get(pk=report.pk)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=_(
                    "可选的请求标识（≤64 个字符，如 UUID）：重试时带同一标识，"
                    "返回第一次创建的报告（200），不会重复创建"
                ),
            )
        ],
        responses={201: ProgressReportSerializer, 200: ProgressReportSerializer},
    )
    def create(self, request, *args, **kwargs):
        """新建进展报告（草稿）。同一填报期可有多份报告；带 Idempotency-Key 的重试不会重复创建。"""
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if len(key) > 64:
            raise ValidationError({IDEMPOTENCY_HEADER: [_("请求标识不能超过64个字符")]})
        self.request_key = key
        response = super().create(request, *args, **kwargs)
        if getattr(self, "replayed", False):
            response.status_code = status.HTTP_200_OK
        return response

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self.replayed = getattr(serializer.instance, "replayed", False)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "request_key": getattr(self, "request_key", "")}

    @extend_schema(request=None, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], action_scope="change")
    def submit(self, request, pk=None):
        """提交报告（草稿或已退回的报告），等待计划制定单位审核。"""
        report = self.get_object()
        with self.audited_write():
            services.submit_report(report, actor=request.user)
        return self._fresh(report)

    @extend_schema(request=ReviewSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], action_scope="change")
    def review(self, request, pk=None):
        """审核已提交的报告：accept=true 验收通过；accept=false 退回（须填写 comment）。"""
        report = self.get_object()
        params = ReviewSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with self.audited_write():
            services.review_report(
                report,
                actor=request.user,
                accept=params.validated_data["accept"],
                comment=params.validated_data["comment"],
            )
        return self._fresh(report)
