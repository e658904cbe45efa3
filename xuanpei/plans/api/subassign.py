"""The API's sub-assignment input (issue #8): POST /api/v1/assignments/ with a parent and a
unit breaks the parent down through `subassign.break_down`, as the page does."""

from django.utils.translation import gettext_lazy
from rest_framework import serializers

from xuanpei.core.api import ScopedSerializerMixin
from xuanpei.orgs.models import Unit
from xuanpei.plans.models import Assignment


class SubAssignmentCreateSerializer(ScopedSerializerMixin, serializers.Serializer):
    """Both keys are narrowed to the user's scope (a foreign one "does not exist");
    the service then checks the unit lies strictly below the parent's unit."""

    parent = serializers.PrimaryKeyRelatedField(
        queryset=Assignment.objects.all(), help_text=gettext_lazy("要分解的任务分解 id")
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text=gettext_lazy("承担任务的下级单位 id")
    )
