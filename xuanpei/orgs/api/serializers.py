"""Serializers of the orgs API: fields listed explicitly, brief nested serializers for FKs.

Related objects are read as brief nested objects (`unit`, `sector`, `departments`)
and written as primary keys (`unit_id`, `sector_id`, `department_ids`), whose
choices `ScopedModelSerializer` narrows to the request user's scope.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from xuanpei.core.api import DisplayField, ScopedModelSerializer
from xuanpei.core.privacy import display_phone
from xuanpei.core.validators import normalize_code, normalize_phones, validate_uscc
from xuanpei.orgs import services
from xuanpei.orgs.choices import TERRITORIAL_HOME_KINDS, UnitKind
from xuanpei.orgs.models import Enterprise, Sector, Unit


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "kind"]
        read_only_fields = fields


class SectorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name", "code"]
        read_only_fields = fields


class EnterpriseBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "uscc"]
        read_only_fields = fields


class USCCField(serializers.CharField):
    """A 统一社会信用代码: normalized as people type it, then checked against GB 32100."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("label", gettext_lazy("统一社会信用代码"))
        kwargs.setdefault("help_text", gettext_lazy("18位，GB 32100-2015 校验"))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        code = normalize_code(super().to_internal_value(data))
        try:
            validate_uscc(code)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return code


class UnitSerializer(ScopedModelSerializer):
    """A unit of the tree. Created under `parent_id`; moving a subtree is not an API operation."""

    parent = serializers.SerializerMethodField(help_text=gettext_lazy("上级单位（在您的范围内时）"))
    parent_id = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        write_only=True,
        required=False,
        label=gettext_lazy("上级单位"),
    )
    kind_display = DisplayField("kind")

    class Meta:
        model = Unit
        fields = [
            "id",
            "url",
            "name",
            "short_name",
            "code",
            "kind",
            "kind_display",
            "established_on",
            "depth",
            "parent",
            "parent_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["depth", "created_at", "updated_at"]
        extra_kwargs = {"url": {"view_name": "api:unit-detail"}}

    def get_parent(self, unit) -> UnitBriefSerializer(allow_null=True):  # type: ignore[valid-type]
        # The view resolves the parents of a whole page in one query (see UnitViewSet);
        # a single unit looks its parent up here. Outside the user's scope → null.
        if unit.depth <= 1:
            return None
        parents = self.context.setdefault("parents", {})
        path = unit.path[: -Unit.steplen]
        if path not in parents:
            user = self.context["request"].user
            parents[path] = Unit.objects.for_user(user, "view").filter(path=path).first()
        parent = parents[path]
        return UnitBriefSerializer(parent).data if parent else None

    def validate_code(self, value):
        value = value.strip()
        if (
            value
            and Unit.objects.filter(code=value)
            .exclude(pk=getattr(self.instance, "pk", None))
            .exists()
        ):
            raise serializers.ValidationError(_("单位编码已存在"))
        return value

    def validate(self, attrs):
        if self.instance is None and not attrs.get("parent_id"):
            raise serializers.ValidationError({"parent_id": _("请指定上级单位")})
        if self.instance is not None:
            attrs.pop("parent_id", None)
        return attrs

    def create(self, validated_data):
        parent = validated_data.pop("parent_id")
        return Unit.objects.add_child(parent, validated_data)


class EnterpriseSerializer(ScopedModelSerializer):
    """An enterprise (生产经营单位). Closing is `POST …/close/`, not a field edit."""

    uscc = USCCField()
    unit = UnitBriefSerializer(read_only=True)
    unit_id = serializers.PrimaryKeyRelatedField(
        source="unit",
        queryset=Unit.objects.filter(kind__in=TERRITORIAL_HOME_KINDS),
        write_only=True,
        label=gettext_lazy("属地"),
    )
    sector = SectorBriefSerializer(read_only=True)
    sector_id = serializers.PrimaryKeyRelatedField(
        source="sector",
        queryset=Sector.objects.all(),
        write_only=True,
        label=gettext_lazy("行业领域"),
    )
    departments = UnitBriefSerializer(many=True, read_only=True)
    department_ids = serializers.PrimaryKeyRelatedField(
        source="departments",
        queryset=Unit.objects.filter(kind=UnitKind.DEPARTMENT),
        many=True,
        write_only=True,
        required=False,
        label=gettext_lazy("行业主管部门"),
    )
    scale_display = DisplayField("scale")
    risk_level_display = DisplayField("risk_level")

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "url",
            "name",
            "uscc",
            "unit",
            "unit_id",
            "sector",
            "sector_id",
            "departments",
            "department_ids",
            "scale",
            "scale_display",
            "risk_level",
            "risk_level_display",
            "address",
            "legal_representative",
            "safety_contact",
            "safety_phone",
            "is_active",
            "closed_at",
            "closed_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "closed_at", "closed_reason", "created_at", "updated_at"]
        extra_kwargs = {"url": {"view_name": "api:enterprise-detail"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Departments are supervisors, not territory: a town registering an
        # enterprise names its supervising department, which lies outside the
        # town's subtree. Naming one grants that department sight of the row,
        # which is the point of 行业监管.
        self.fields["department_ids"].child_relation.queryset = Unit.objects.filter(
            kind=UnitKind.DEPARTMENT
        )

    def _actor(self):
        return self.context["request"].user

    def to_representation(self, instance):
        data = super().to_representation(instance)
        # Contact phones are personal data: masked for the roles `core.privacy` says.
        if data.get("safety_phone"):
            user = getattr(self.context.get("request"), "user", None)
            data["safety_phone"] = display_phone(instance.safety_phone, user)
        return data

    def validate_safety_phone(self, value):
        # The model's validator has checked it (issue #8 item 7); store it as forms do.
        return normalize_phones(value)

    def create(self, validated_data):
        validated_data.pop("created_by", None)  # the service stamps it
        departments = validated_data.pop("departments", ())
        return services.create_enterprise(
            actor=self._actor(), departments=departments, **validated_data
        )

    def update(self, instance, validated_data):
        departments = validated_data.pop("departments", None)
        return services.update_enterprise(
            instance, actor=self._actor(), departments=departments, **validated_data
        )


class EnterpriseCloseSerializer(serializers.Serializer):
    closed_at = serializers.DateField(label=gettext_lazy("关闭日期"))
    reason = serializers.CharField(label=gettext_lazy("关闭原因"), max_length=200)
