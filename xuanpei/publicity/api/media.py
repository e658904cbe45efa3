"""API of new-media posts (issue #11 item 5), scoped like the pages.

Fields are listed explicitly. Writes go through `services_media.save_media_post`: an
enterprise's post sits on its 属地, counts are never negative, the date is not in the
future, campaigns are of the post's year.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from xuanpei.core.api import DisplayField, ScopedModelSerializer, ScopedModelViewSet
from xuanpei.orgs.models import Unit
from xuanpei.publicity.forms_media import MediaPostFilterSet
from xuanpei.publicity.models import Campaign
from xuanpei.publicity.models_ledger import MediaPost
from xuanpei.publicity.services_media import COUNT_LABELS, media_errors, save_media_post


class MediaPostSerializer(ScopedModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        help_text=gettext_lazy("发布单位；企业账号不填，取企业的属地"),
    )
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    enterprise_name = serializers.CharField(
        source="enterprise.name", read_only=True, allow_null=True
    )
    channel_display = DisplayField("channel")
    kind_display = DisplayField("kind")
    campaign_ids = serializers.PrimaryKeyRelatedField(
        source="campaigns",
        many=True,
        queryset=Campaign.objects.all(),
        required=False,
        help_text=gettext_lazy("宣传主题活动（须与发布日期同一年度）"),
    )
    views = serializers.IntegerField(required=False)
    likes = serializers.IntegerField(required=False)
    shares = serializers.IntegerField(required=False)

    class Meta:
        model = MediaPost
        fields = [
            "id",
            "unit",
            "unit_name",
            "enterprise",
            "enterprise_name",
            "channel",
            "channel_display",
            "account",
            "kind",
            "kind_display",
            "title",
            "url",
            "published_on",
            "is_original",
            "views",
            "likes",
            "shares",
            "campaign_ids",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "unit_name",
            "enterprise",
            "enterprise_name",
            "channel_display",
            "kind_display",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        current = self.instance
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if current is None and getattr(user, "enterprise_id", None):
            attrs["enterprise"] = user.enterprise
            attrs["unit"] = user.enterprise.unit
        elif current is None and "unit" not in attrs:
            raise serializers.ValidationError({"unit": "请填写发布单位"})

        def value(name):
            return attrs[name] if name in attrs else getattr(current, name, None)

        errors = media_errors(
            published_on=value("published_on"),
            counts={k: value(k) for k in COUNT_LABELS},
            campaigns=attrs.get("campaigns") or (),
        )
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return attrs

    def _save(self, instance, validated_data):
        campaigns = validated_data.pop("campaigns", None)
        for name, val in validated_data.items():
            setattr(instance, name, val)
        try:
            return save_media_post(instance, campaigns=campaigns)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc

    def create(self, validated_data):
        return self._save(MediaPost(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class MediaPostViewSet(ScopedModelViewSet):
    """新媒体发布：两微一端、抖音、视频号、门户网站、主流媒体的发布及阅读、点赞、转发数。"""

    queryset = MediaPost.objects.select_related("unit", "enterprise").prefetch_related("campaigns")
    serializer_class = MediaPostSerializer
    filterset_class = MediaPostFilterSet
    ordering_fields = ["published_on", "views", "likes", "shares"]
    ordering = ["-published_on", "-pk"]
