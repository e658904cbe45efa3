"""API of the activity ledger (issue #11 §3, §10), scoped like the pages.

Fields are listed explicitly. Writes go through `services_activities` (the same
checks and messages as the pages: the unit in scope, an enterprise on its 属地,
campaigns and tasks of the activity's year, participants and links); the review
flow is three actions: `submit`, `accept`, `return` (with `comment`). Photos and
files are uploaded on the pages (the API lists them).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from xuanpei.core.api import DisplayField, ScopedModelSerializer, ScopedModelViewSet, ids_only
from xuanpei.orgs.models import Unit
from xuanpei.plans.models import Task
from xuanpei.publicity import services_activities as svc
from xuanpei.publicity.forms_activities import ActivityFilterSet
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import Activity, ActivityFile, ActivityForm, Audience


@extend_schema_field(
    {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$", "example": "09:30", "nullable": True}
)
class ClockField(serializers.TimeField):
    """A time of day without a zone ("09:30"): JSON Schema's `time` format wants an offset."""


class ActivityFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityFile
        fields = ["id", "name", "kind", "size"]
        read_only_fields = fields


class ActivitySerializer(ScopedModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text=gettext_lazy("组织单位；企业账号不填，取企业的属地"),
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, allow_null=True
    )
    status_display = DisplayField("status")
    campaign_ids = serializers.PrimaryKeyRelatedField(
        source="campaigns", many=True, queryset=Campaign.objects.all(), required=False
    )
    task_ids = serializers.PrimaryKeyRelatedField(
        source="tasks", many=True, queryset=Task.objects.all(), required=False
    )
    audience_ids = serializers.PrimaryKeyRelatedField(
        source="audiences", many=True, queryset=Audience.objects.all(), required=False
    )
    form_ids = serializers.PrimaryKeyRelatedField(
        source="forms", many=True, queryset=ActivityForm.objects.all(), required=False
    )
    participants = serializers.IntegerField(required=False)
    start_time = ClockField(format="%H:%M", required=False, allow_null=True)
    end_time = ClockField(format="%H:%M", required=False, allow_null=True)
    files = ActivityFileSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "title",
            "unit",
            "unit_name",
            "enterprise",
            "enterprise_name",
            "held_on",
            "start_time",
            "end_time",
            "place",
            "locality",
            "to_enterprise",
            "to_village",
            "to_community",
            "to_school",
            "to_family",
            "campaign_ids",
            "task_ids",
            "audience_ids",
            "form_ids",
            "participants",
            "summary",
            "media_links",
            "status",
            "status_display",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "is_public",
            "files",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "unit_name",
            "enterprise",
            "enterprise_name",
            "status",
            "status_display",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "is_public",
            "files",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        user = self.context["request"].user
        if user.enterprise_id and attrs.get("unit") is not None:
            raise serializers.ValidationError(
                {"unit": [gettext_lazy("企业账号不填组织单位，系统取企业的属地")]}
            )
        return attrs

    def _save(self, instance, validated_data):
        relations = svc.Relations(
            campaigns=_list(validated_data.pop("campaigns", None)),
            tasks=_list(validated_data.pop("tasks", None)),
            audiences=_list(validated_data.pop("audiences", None)),
            forms=_list(validated_data.pop("forms", None)),
        )
        for name, value in validated_data.items():
            setattr(instance, name, value)
        user = self.context["request"].user
        try:
            if instance.pk:
                return svc.update_activity(instance, actor=user, relations=relations)
            return svc.create_activity(instance, actor=user, relations=relations)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc

    def create(self, validated_data):
        return self._save(Activity(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


def _list(values):
    return None if values is None else list(values)


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


_LINKED = (
    ("campaigns", Campaign),
    ("tasks", Task),
    ("audiences", Audience),
    ("forms", ActivityForm),
)


class ActivityViewSet(ScopedModelViewSet):
    """宣传活动台账：活动名称、日期、地点、五进、对象、形式、人数；提交、审核通过、退回。"""

    queryset = (
        Activity.objects.select_related("unit", "enterprise")
        .prefetch_related(*(name for name, _model in _LINKED), "files")
        .order_by("-held_on", "-pk")
    )
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering_fields = ["held_on", "participants"]
    ordering = ["-held_on", "-pk"]
    stamp_created_by = False

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list":
            # The list shows only the linked rows' ids: build them without their other
            # columns (a write keeps the whole rows: the services read their fields).
            linked = (ids_only(name, model) for name, model in _LINKED)
            qs = qs.prefetch_related(None).prefetch_related(*linked, "files")
        return qs

    def perform_destroy(self, instance):
        try:
            svc.delete_activity(instance, actor=self.request.user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc

    def _run(self, use_case, **kwargs):
        activity = self.get_object()
        try:
            with self.audited():
                activity = use_case(activity, actor=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc
        activity = self.get_queryset().get(pk=activity.pk)
        return Response(self.get_serializer(activity).data)

    @action(detail=True, methods=["post"], action_scope="change")
    def submit(self, request, pk=None):
        """提交审核（上级单位审核；区级单位的活动提交即通过）。"""
        return self._run(svc.submit_activity)

    @action(detail=True, methods=["post"], action_scope="change")
    def accept(self, request, pk=None):
        """审核通过（上级单位）。"""
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._run(svc.accept_activity, comment=data.validated_data.get("comment", ""))

    @action(detail=True, methods=["post"], action_scope="change", url_path="return")
    def return_(self, request, pk=None):
        """退回修改（上级单位，须填写 comment）。"""
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._run(svc.return_activity, comment=data.validated_data.get("comment", ""))
