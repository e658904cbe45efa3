"""Serializers of training sessions, their rosters and attendance (issue #12 §10 API).

Writes go through `services_sessions` (the same checks and Chinese messages as the
pages): a session is saved by `save_session`, a roster row by `enrol_people`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from xuanpei.core.api import DisplayField, ScopedModelSerializer
from xuanpei.orgs.models import Unit
from xuanpei.plans.models import Task
from xuanpei.training import services_sessions as svc
from xuanpei.training.models import Attendance, Enrolment, Institution, TrainingSession
from xuanpei.workforce.models import Person


def _service_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(serializers.as_serializer_error(exc))


class SessionSerializer(ScopedModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text=gettext_lazy("组织单位；企业账号不填，取企业的属地"),
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, allow_null=True
    )
    task = serializers.PrimaryKeyRelatedField(
        queryset=Task.objects.all(), required=False, allow_null=True
    )
    institution = serializers.PrimaryKeyRelatedField(
        queryset=Institution.objects.all(), required=False, allow_null=True
    )
    kind_display = DisplayField("kind")
    status_display = DisplayField("status")
    # Validated by the service (its message names the session's length).
    hours = serializers.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        model = TrainingSession
        fields = [
            "id",
            "title",
            "kind",
            "kind_display",
            "unit",
            "unit_name",
            "enterprise",
            "enterprise_name",
            "task",
            "starts_at",
            "ends_at",
            "hours",
            "place",
            "online",
            "teacher",
            "partner",
            "institution",
            "content",
            "audience",
            "planned_headcount",
            "allow_walk_ins",
            "sign_in_opens_minutes",
            "sign_in_closes_minutes",
            "summary",
            "status",
            "status_display",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "enterprise",
            "status",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        user = self.context["request"].user
        if user.enterprise_id and attrs.get("unit") is not None:
            raise serializers.ValidationError(
                {"unit": [gettext_lazy("企业账号不填组织单位，系统取企业的属地")]}
            )
        return attrs

    def _save(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        try:
            return svc.save_session(instance, actor=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _service_error(exc) from exc

    def create(self, validated_data):
        return self._save(TrainingSession(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    method_display = DisplayField("method")

    class Meta:
        model = Attendance
        fields = [
            "id",
            "session",
            "person",
            "person_name",
            "method",
            "method_display",
            "signed_in_at",
            "signed_out_at",
            "hours_credited",
            "correction_reason",
        ]
        read_only_fields = fields


class EnrolmentSerializer(ScopedModelSerializer):
    session = serializers.PrimaryKeyRelatedField(queryset=TrainingSession.objects.all())
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)
    source_display = DisplayField("source")

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "session",
            "person",
            "person_name",
            "source",
            "source_display",
            "exam_score",
            "passed",
            "created_at",
        ]
        read_only_fields = ["id", "source", "exam_score", "passed", "created_at"]
        # Enrolling someone already on the roster is not an error: the service keeps one row.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "person" in self.fields:
            # Cadres and grid officers of the user's units too, not only enterprise staff.
            self.fields["person"].queryset = svc.enrollable_people(user)

    def create(self, validated_data):
        session, person = validated_data["session"], validated_data["person"]
        try:
            svc.enrol_people(session, [person], actor=self.context["request"].user)
        except DjangoValidationError as exc:
            raise _service_error(exc) from exc
        return Enrolment.objects.select_related("person").get(session=session, person=person)
