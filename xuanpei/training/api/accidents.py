"""API: accidents, their training obligations (issue #12 §7), training institutions (§8).

Scoped like the pages. An accident is created through `services_accidents.record_accident`
(which creates its three obligations); obligations are read-only (they change when
attendance does); an enterprise's account reads its accidents and records none.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers

from xuanpei.core.api import (
    DisplayField,
    ScopedModelSerializer,
    ScopedModelViewSet,
    ScopedReadOnlyViewSet,
)
from xuanpei.orgs.models import Enterprise
from xuanpei.training import obligations
from xuanpei.training.forms_accidents import AccidentFilterSet, ObligationFilterSet
from xuanpei.training.models import Accident, Institution, TrainingObligation
from xuanpei.training.services_accidents import (
    ACCIDENT_KINDS,
    EDITABLE,
    may_record,
    record_accident,
    update_accident,
)


class AccidentSerializer(ScopedModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), help_text=gettext_lazy("事故单位（企业 id）")
    )
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    kind = serializers.ChoiceField(
        choices=[(k, k) for k in ACCIDENT_KINDS], help_text=gettext_lazy("GB 6441 事故类别")
    )
    severity_display = DisplayField("severity")

    class Meta:
        model = Accident
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "occurred_on",
            "kind",
            "severity",
            "severity_display",
            "deaths",
            "injuries",
            "summary",
            "created_at",
        ]
        read_only_fields = ["id", "enterprise_name", "severity_display", "created_at"]
        # The service checks the date (one message: "事故日期不能晚于今天").
        extra_kwargs = {"occurred_on": {"validators": []}}

    def validate_enterprise(self, value):
        if self.instance is not None and value != self.instance.enterprise:
            raise serializers.ValidationError(_("事故单位登记后不能更改"))
        return value

    def create(self, validated_data):
        return record_accident(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        changes = {k: v for k, v in validated_data.items() if k in EDITABLE}
        return update_accident(instance, actor=self.context["request"].user, **changes)


class AccidentViewSet(ScopedModelViewSet):
    """生产安全事故：登记即生成三项事故后培训任务（主要负责人、安全生产管理人员、全体从业人员）。

    企业账号只读本企业的事故；由属地、行业主管部门或区级登记。
    """

    queryset = Accident.objects.select_related("enterprise")
    serializer_class = AccidentSerializer
    filterset_class = AccidentFilterSet
    ordering_fields = ["occurred_on", "deaths", "injuries"]
    ordering = ["-occurred_on", "-pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    stamp_created_by = False  # record_accident stamps it

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.scope_action != "view" and not may_record(request.user):
            raise exceptions.PermissionDenied(_("企业账号不能登记或修改事故"))

    def _save_in_scope(self, serializer, **extra):
        try:
            with self.audited_write():
                serializer.save(**extra)
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc


class ObligationSerializer(serializers.ModelSerializer):
    enterprise = serializers.IntegerField(source="accident.enterprise_id", read_only=True)
    enterprise_name = serializers.CharField(source="accident.enterprise.name", read_only=True)
    audience_display = DisplayField("audience")
    status = serializers.SerializerMethodField(help_text=gettext_lazy("open / overdue / fulfilled"))

    class Meta:
        model = TrainingObligation
        fields = [
            "id",
            "accident",
            "enterprise",
            "enterprise_name",
            "audience",
            "audience_display",
            "due_on",
            "fulfilled_on",
            "status",
        ]
        read_only_fields = fields

    def get_status(self, obj) -> str:
        return obligations.status_of(obj)


class ObligationViewSet(ScopedReadOnlyViewSet):
    """事故后培训任务（只读）：对象人员均在期限内签到后自动认定完成。"""

    queryset = TrainingObligation.objects.select_related("accident", "accident__enterprise")
    serializer_class = ObligationSerializer
    filterset_class = ObligationFilterSet
    ordering_fields = ["due_on", "fulfilled_on"]
    ordering = ["due_on", "pk"]


class InstitutionSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind_display = DisplayField("kind")

    class Meta:
        model = Institution
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "credit_code",
            "address",
            "contact",
            "phone",
            "unit",
            "unit_name",
            "active",
        ]
        read_only_fields = ["id", "kind_display", "unit_name"]


class InstitutionViewSet(ScopedModelViewSet):
    """培训机构和考试点：由监管单位（区级或新城）登记，按监管单位的辖区可见。"""

    queryset = Institution.objects.select_related("unit")
    serializer_class = InstitutionSerializer
    ordering_fields = ["name"]
    ordering = ["name", "pk"]


def register(router) -> None:
    """Register this area's viewsets on the training router."""
    router.register("accidents", AccidentViewSet)
    router.register("training-obligations", ObligationViewSet)
    router.register("training-institutions", InstitutionViewSet)
