"""Serializers of the workforce API: people, posts, certificates (read-only).

Personal data follows `workforce.privacy`: ID numbers, phones and birth dates
are masked (or left out) unless the request user's role may see them whole;
every whole ID number the API returns — on its own or inside a certificate
number ("T" + 身份证号) — is collected in `context["revealed"]` so the viewset
writes one audit ACCESS entry per person shown.
"""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from xuanpei.core.api import DisplayField
from xuanpei.core.validators import mask_id_number
from xuanpei.orgs.api.serializers import EnterpriseBriefSerializer
from xuanpei.workforce.models import Certificate, OperationItem, Person, Post
from xuanpei.workforce.privacy import (
    can_see_personal_data,
    display_phone,
    embeds_id_number,
    mask_certificate_number,
)


class PersonalDataMixin:
    """Decide once per request whether whole personal data may be shown, and record each reveal."""

    def may_see(self) -> bool:
        request = self.context.get("request")
        return can_see_personal_data(getattr(request, "user", None))

    def revealed(self, person) -> None:
        self.context.setdefault("revealed", {})[person.pk] = person


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]
        read_only_fields = fields


class OperationItemBriefSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = OperationItem
        fields = ["id", "code", "name", "category"]
        read_only_fields = fields


class PersonSerializer(PersonalDataMixin, serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(
        help_text=_("身份证号；无权查看的角色得到脱敏号码（如 610***********123X）")
    )
    phone = serializers.SerializerMethodField(help_text=_("手机号；无权查看的角色得到脱敏号码"))
    birth_date = serializers.SerializerMethodField(
        help_text=_("出生日期（取自身份证号）；无权查看的角色为 null")
    )
    gender_display = DisplayField("gender")

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "gender",
            "gender_display",
            "birth_date",
            "phone",
            "updated_at",
        ]
        read_only_fields = fields

    def get_id_number(self, person) -> str:
        if self.may_see():
            self.revealed(person)
            return person.id_number
        return mask_id_number(person.id_number)

    def get_phone(self, person) -> str:
        if not person.phone:
            return ""
        return display_phone(person.phone, getattr(self.context.get("request"), "user", None))

    def get_birth_date(self, person) -> date | None:
        return person.birth_date if self.may_see() else None


class PostSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True)
    enterprise = EnterpriseBriefSerializer(read_only=True)
    post_type_display = serializers.CharField(source="post_type.name", read_only=True)
    requires_certificate = serializers.BooleanField(
        source="post_type.requires_certificate", read_only=True
    )
    operation_item = OperationItemBriefSerializer(read_only=True)
    is_compliant = serializers.BooleanField(
        read_only=True, help_text=_("今天是否持有效证书上岗（无须持证的岗位为 true）")
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "person",
            "enterprise",
            "post_type",
            "post_type_display",
            "requires_certificate",
            "operation_item",
            "start_date",
            "end_date",
            "is_compliant",
            "note",
        ]
        read_only_fields = fields

    def to_representation(self, post):
        data = super().to_representation(post)
        if not post.post_type.requires_certificate:
            data["is_compliant"] = True
        return data


class CertificateSerializer(PersonalDataMixin, serializers.ModelSerializer):
    holder = PersonBriefSerializer(read_only=True)
    enterprise = EnterpriseBriefSerializer(read_only=True)
    kind_display = serializers.CharField(source="kind.name", read_only=True)
    operation_item = OperationItemBriefSerializer(read_only=True)
    number = serializers.SerializerMethodField(
        help_text=_("证书编号；含身份证号的编号对无权查看的角色脱敏")
    )
    status = serializers.SerializerMethodField(help_text=_("今天的证书状态"))
    status_display = serializers.SerializerMethodField()
    state_display = DisplayField("state")
    origin_display = DisplayField("origin")

    class Meta:
        model = Certificate
        fields = [
            "id",
            "holder",
            "kind",
            "kind_display",
            "operation_item",
            "enterprise",
            "number",
            "issuing_authority",
            "first_issue_date",
            "issue_date",
            "valid_until",
            "effective_from",
            "review_interval_years",
            "last_review_date",
            "extension_consent_by",
            "extension_consent_ref",
            "review_due_date",
            "status",
            "status_display",
            "state",
            "state_display",
            "state_changed_on",
            "state_reason",
            "origin",
            "origin_display",
            "previous",
            "is_current",
            "superseded_on",
        ]
        read_only_fields = fields

    def get_number(self, cert) -> str:
        id_number = cert.holder.id_number
        if not embeds_id_number(cert.number, id_number):
            return cert.number
        if self.may_see():
            # Whole to the roles that may see IDs, and logged as a disclosure.
            self.revealed(cert.holder)
            return cert.number
        return mask_certificate_number(cert.number, id_number)

    def _status(self, cert):
        cache = self.context.setdefault("status_cache", {})
        if cert.pk not in cache:
            cache[cert.pk] = cert.status_on(timezone.localdate())
        return cache[cert.pk]

    def get_status(self, cert) -> str:
        return str(self._status(cert).value)

    def get_status_display(self, cert) -> str:
        return str(self._status(cert).label)
