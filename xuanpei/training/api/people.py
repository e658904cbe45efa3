"""API: grid officers and cadres (issue #12 item 1) — one `unit-posts` route, `?role=`
grid_officer | cadre.

Scoped like the pages (a unit sees the posts in its subtree). Creates and updates go
through `services_people` (the person found by 身份证号 or created, the rules and
messages of the form). ID numbers are returned masked; phones as the personal-data
policy allows (a masked phone sent back unchanged keeps the stored one). Posts end
(`end_date`) rather than being deleted.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from xuanpei.core.api import DisplayField, ScopedModelSerializer, ScopedModelViewSet
from xuanpei.core.privacy import can_see_personal_data, display_phone, mask_phones
from xuanpei.core.validators import mask_id_number
from xuanpei.orgs.models import Unit
from xuanpei.training import services_people
from xuanpei.training.filters_people import UnitPostFilterSet
from xuanpei.training.models import UnitPost


class UnitPostSerializer(ScopedModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), help_text=gettext_lazy("所在单位或网格")
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role_display = DisplayField("role")
    name = serializers.CharField(
        source="person.name", max_length=services_people.NAME_LENGTH, help_text="姓名"
    )
    id_number = serializers.CharField(
        write_only=True, required=False, help_text=gettext_lazy("身份证号（新增时必填）")
    )
    id_number_masked = serializers.SerializerMethodField(help_text="身份证号（脱敏）")

    class Meta:
        model = UnitPost
        fields = [
            "id",
            "role",
            "role_display",
            "name",
            "id_number",
            "id_number_masked",
            "unit",
            "unit_name",
            "title",
            "phone",
            "start_date",
            "end_date",
        ]
        read_only_fields = ["id", "role_display", "unit_name", "id_number_masked"]

    def get_id_number_masked(self, post) -> str:
        return mask_id_number(post.person.id_number)

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def to_representation(self, post):
        data = super().to_representation(post)
        data["phone"] = display_phone(post.phone, self._user())
        return data

    def validate(self, attrs):
        attrs = super().validate(attrs)
        post = self.instance
        if post is not None:
            for name in ("role", "person"):
                value = attrs.pop(name, None)
                stored = post.role if name == "role" else {"name": post.person.name}
                if value is not None and value != stored:
                    raise serializers.ValidationError({name: ["岗位的人员和身份不能修改"]})
            if attrs.pop("id_number", None):
                raise serializers.ValidationError({"id_number": ["岗位的人员不能修改"]})
            phone = attrs.get("phone")
            user = self._user()
            if phone and not can_see_personal_data(user) and phone == mask_phones(post.phone):
                attrs.pop("phone")  # the masked number sent back: the stored one stays
        elif not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": ["请填写身份证号"]})
        role = attrs.get("role", post.role if post else None)
        unit = attrs.get("unit", post.unit if post else None)
        start = attrs.get("start_date", post.start_date if post else None)
        end = attrs.get("end_date", post.end_date if post else None)
        errors = services_people.post_errors(role=role, unit=unit, start_date=start, end_date=end)
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return attrs

    def _refused(self, exc):
        return serializers.ValidationError(serializers.as_serializer_error(exc))

    def create(self, validated_data):
        person = validated_data.pop("person", {})
        try:
            return services_people.create_unit_post(
                actor=self._user(),
                role=validated_data["role"],
                unit=validated_data["unit"],
                id_number=validated_data["id_number"],
                name=person.get("name", ""),
                **{k: validated_data.get(k) for k in services_people.POST_FIELDS},
            )
        except DjangoValidationError as exc:
            raise self._refused(exc) from exc

    def update(self, instance, validated_data):
        fields = {k: validated_data[k] for k in services_people.POST_FIELDS if k in validated_data}
        try:
            return services_people.update_unit_post(
                instance, actor=self._user(), unit=validated_data.get("unit"), **fields
            )
        except DjangoValidationError as exc:
            raise self._refused(exc) from exc


class UnitPostViewSet(ScopedModelViewSet):
    """干部和网格员的岗位：姓名、身份证号（脱敏）、所在单位或网格、职务、电话、任职和离任日期。"""

    queryset = UnitPost.objects.select_related("person", "unit").order_by("unit__path", "pk")
    serializer_class = UnitPostSerializer
    filterset_class = UnitPostFilterSet
    ordering_fields = ["start_date", "end_date"]
    ordering = ["unit__path", "pk"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    stamp_created_by = False


def register(router) -> None:
    """Register this area's viewsets on the training router."""
    router.register("unit-posts", UnitPostViewSet, basename="unitpost")
