"""API: training sessions, their rosters (enrolments) and attendance (issue #12 §10).

Scoped like the pages. A session is written through `services_sessions.save_session`
(the page's checks and messages); `held` and `archive` are its status actions. The
roster is listed, added to (idempotent: the same person twice is one row) and removed
from; attendance is read-only here (sign-in, the organiser's list and imports write it).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from xuanpei.core.api import ScopedModelViewSet, ScopedReadOnlyViewSet
from xuanpei.training import services_sessions as svc
from xuanpei.training.api.serializers_sessions import (
    AttendanceSerializer,
    EnrolmentSerializer,
    SessionSerializer,
)
from xuanpei.training.filters import AttendanceFilterSet, EnrolmentFilterSet, SessionFilterSet
from xuanpei.training.models import Attendance, Enrolment, TrainingSession


def _refused(exc: DjangoValidationError):
    return serializers.ValidationError(serializers.as_serializer_error(exc))


class TrainingSessionViewSet(ScopedModelViewSet):
    """培训班次：名称、类型、组织方、计划任务、时间、地点、学时、对象；标记已举办、归档。"""

    queryset = TrainingSession.objects.select_related("unit", "enterprise").order_by(
        "-starts_at", "-pk"
    )
    serializer_class = SessionSerializer
    filterset_class = SessionFilterSet
    ordering_fields = ["starts_at", "hours"]
    ordering = ["-starts_at", "-pk"]
    stamp_created_by = False

    def perform_destroy(self, instance):
        try:
            svc.delete_session(instance, actor=self.request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc

    def _run(self, use_case):
        session = self.get_object()
        try:
            with self.audited():
                use_case(session, actor=self.request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @action(detail=True, methods=["post"], action_scope="change")
    def held(self, request, pk=None):
        """标记为已举办（培训开始后）。"""
        return self._run(svc.mark_held)

    @action(detail=True, methods=["post"], action_scope="change")
    def archive(self, request, pk=None):
        """归档（已举办的培训；此后只读）。"""
        return self._run(svc.archive)


class AttendanceViewSet(ScopedReadOnlyViewSet):
    """签到记录：签到、签退时间，方式，认定学时（只读）。"""

    queryset = Attendance.objects.select_related("person").order_by("session", "pk")
    serializer_class = AttendanceSerializer
    filterset_class = AttendanceFilterSet
    ordering_fields = ["signed_in_at", "hours_credited"]


class EnrolmentViewSet(ScopedModelViewSet):
    """培训名单：列出、加入（重复加入不重复记录）、移出（已签到的不能移出）。"""

    queryset = Enrolment.objects.select_related("person").order_by("session", "pk")
    serializer_class = EnrolmentSerializer
    filterset_class = EnrolmentFilterSet
    ordering_fields = ["created_at"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    stamp_created_by = False

    def perform_destroy(self, instance):
        try:
            with self.audited():
                svc.unenrol(instance, actor=self.request.user)
        except DjangoValidationError as exc:
            raise _refused(exc) from exc


def register(router) -> None:
    """Register this area's viewsets on the training router."""
    router.register("training-sessions", TrainingSessionViewSet, basename="trainingsession")
    router.register("attendances", AttendanceViewSet, basename="attendance")
    router.register("enrolments", EnrolmentViewSet, basename="enrolment")
