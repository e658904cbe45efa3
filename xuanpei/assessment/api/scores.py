"""API: quarterly runs (compute, publish), unit scores, objections, manual entries and the
indicator library (issue #13 §1–2). Scoped like the pages; writes go through the same
services, so the refusals and their Chinese messages are the pages' own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from xuanpei.assessment import services_indicators, services_objections, services_scoring
from xuanpei.assessment.filters import ManualEntryFilterSet, ObjectionFilterSet, UnitScoreFilterSet
from xuanpei.assessment.models import (
    Indicator,
    ManualEntry,
    Objection,
    QuarterRun,
    UnitScore,
)
from xuanpei.core import uploads
from xuanpei.core.api import (
    DisplayField,
    ScopedModelSerializer,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
)
from xuanpei.core.permissions import is_district_admin


def _refused(exc: DjangoValidationError):
    return serializers.ValidationError(serializers.as_serializer_error(exc))


class QuarterRunSerializer(serializers.ModelSerializer):
    status_display = DisplayField("status")
    indicator_set_title = serializers.CharField(source="indicator_set.title", read_only=True)

    class Meta:
        model = QuarterRun
        fields = [
            "id",
            "year",
            "quarter",
            "indicator_set",
            "indicator_set_title",
            "status",
            "status_display",
            "quarter_ended",
            "computed_at",
            "published_at",
        ]
        read_only_fields = fields


class ComputeSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class QuarterRunViewSet(ScopedReadOnlyViewSet):
    """季度考核（只读）；区安委办计算（compute）和发布（publish）。"""

    queryset = QuarterRun.objects.select_related("indicator_set")
    serializer_class = QuarterRunSerializer
    ordering = ["-year", "-quarter"]

    def _district_only(self):
        if not is_district_admin(self.request.user):
            raise exceptions.PermissionDenied(_("只有区安委办计算和发布季度考核"))

    @extend_schema(request=ComputeSerializer, responses={201: QuarterRunSerializer})
    @action(detail=False, methods=["post"], serializer_class=ComputeSerializer)
    def compute(self, request):
        """计算（或重新计算）一个季度的考核草稿：{"year": 2026, "quarter": 2}。"""
        self._district_only()
        data = ComputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = services_scoring.compute_run(**data.validated_data, actor=request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(QuarterRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: QuarterRunSerializer})
    @action(detail=True, methods=["post"], serializer_class=serializers.Serializer)
    def publish(self, request, pk=None):
        """发布（冻结）考核结果：季度未结束或已发布的不能发布。"""
        run = self.get_object()
        self._district_only()
        try:
            run = services_scoring.publish_run(run=run, actor=request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(QuarterRunSerializer(run).data)


class UnitScoreSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    year = serializers.IntegerField(source="run.year", read_only=True)
    quarter = serializers.IntegerField(source="run.quarter", read_only=True)
    run_status = serializers.CharField(source="run.status", read_only=True)

    class Meta:
        model = UnitScore
        fields = [
            "id",
            "run",
            "year",
            "quarter",
            "run_status",
            "unit",
            "unit_name",
            "assessed_kind",
            "total",
            "ytd_total",
            "previous_total",
            "rank",
            "items",
        ]
        read_only_fields = fields


class UnitScoreViewSet(ScopedReadOnlyViewSet):
    """单位季度得分（只读）：总分、年度累计、上季度、同类排名和分项得分（含明细链接）。"""

    queryset = UnitScore.objects.select_related("unit", "run")
    serializer_class = UnitScoreSerializer
    filterset_class = UnitScoreFilterSet
    ordering_fields = ["total", "rank"]
    ordering = ["run", "assessed_kind", "rank", "pk"]


class ObjectionSerializer(ScopedModelSerializer):
    score = serializers.PrimaryKeyRelatedField(queryset=UnitScore.objects.all())

    class Meta:
        model = Objection
        fields = [
            "id",
            "score",
            "indicator_code",
            "text",
            "status",
            "raised_at",
            "answer",
            "answered_at",
        ]
        read_only_fields = ["status", "raised_at", "answer", "answered_at"]


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class ObjectionViewSet(ScopedModelViewSet):
    """考核异议：单位对已发布的得分提出（create），区安委办答复（answer）。"""

    queryset = Objection.objects.select_related("score")
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilterSet
    ordering = ["-raised_at", "-pk"]
    http_method_names = ["get", "post", "head", "options"]
    stamp_created_by = False

    def perform_create(self, serializer):
        data = serializer.validated_data
        score = UnitScore.objects.for_user(self.request.user, "add").filter(pk=data["score"].pk)
        if not score.exists():
            raise exceptions.NotFound()
        try:
            with self.audited():
                serializer.instance = services_objections.raise_objection(
                    score=score.get(),
                    text=data["text"],
                    indicator_code=data.get("indicator_code", ""),
                    actor=self.request.user,
                )
        except DjangoValidationError as exc:
            raise _refused(exc) from exc

    @extend_schema(request=AnswerSerializer, responses={200: ObjectionSerializer})
    @action(detail=True, methods=["post"], action_scope="change", serializer_class=AnswerSerializer)
    def answer(self, request, pk=None):
        """答复异议（区安委办）。"""
        objection = self.get_object()
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            with self.audited():
                objection = services_objections.answer_objection(
                    objection=objection, answer=data.validated_data["answer"], actor=request.user
                )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(ObjectionSerializer(objection, context={"request": request}).data)


class ManualEntrySerializer(ScopedModelSerializer):
    evidence = serializers.FileField(required=False, allow_null=True)

    class Meta:
        model = ManualEntry
        fields = [
            "id",
            "indicator",
            "unit",
            "year",
            "quarter",
            "points",
            "level",
            "reason",
            "evidence",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"points": {"required": False, "allow_null": True}}

    def validate_evidence(self, upload):
        if upload:
            try:
                uploads.check_file(upload)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return upload


class ManualEntryViewSet(ScopedModelViewSet):
    """督查扣分、加分和典型经验采用：区安委办录入（扣分须有事由和佐证），单位查看本单位的。"""

    queryset = ManualEntry.objects.select_related("indicator", "unit")
    serializer_class = ManualEntrySerializer
    filterset_class = ManualEntryFilterSet
    ordering = ["-year", "-quarter", "pk"]
    http_method_names = ["get", "post", "head", "options"]
    stamp_created_by = False

    def perform_create(self, serializer):
        try:
            with self.audited_write():
                serializer.instance = services_scoring.save_manual_entry(
                    **serializer.validated_data, actor=self.request.user
                )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc


class IndicatorSerializer(ScopedModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "id",
            "indicator_set",
            "code",
            "name",
            "kind",
            "applies_to",
            "weight",
            "rule",
            "source",
            "params",
            "sort_order",
        ]


class IndicatorViewSet(ScopedModelViewSet):
    """考核指标：各单位查看；区安委办新增和修改（权重合计在保存指标体系时核对）。"""

    queryset = Indicator.objects.select_related("indicator_set")
    serializer_class = IndicatorSerializer
    ordering = ["indicator_set", "sort_order", "pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    stamp_created_by = False

    def _save_in_scope(self, serializer, **extra):
        instance = serializer.instance or Indicator()
        for name, value in serializer.validated_data.items():
            setattr(instance, name, value)
        try:
            with self.audited_write():
                serializer.instance = services_indicators.save_indicator(
                    indicator=instance, actor=self.request.user
                )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc


def register(router) -> None:
    """Register this area's viewsets on the assessment router."""
    router.register("assessment-runs", QuarterRunViewSet, basename="assessment-run")
    router.register("unit-scores", UnitScoreViewSet, basename="unit-score")
    router.register("objections", ObjectionViewSet, basename="objection")
    router.register("manual-entries", ManualEntryViewSet, basename="manual-entry")
    router.register("indicators", IndicatorViewSet, basename="indicator")
