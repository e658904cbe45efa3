"""API viewsets of the workforce app: people, posts, certificates — read-only and scoped.

Writes go through the roster import and the certificate services (pages, CLI),
which keep certificate history; the API reads. Every whole ID number returned
is audit-logged (one ACCESS entry per person and response, `privacy.log_id_access`).
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from xuanpei.audit.context import request_address
from xuanpei.core.api import ScopedReadOnlyViewSet
from xuanpei.core.ordering import name_order
from xuanpei.core.validators import normalize_code
from xuanpei.workforce.api.serializers import (
    CertificateSerializer,
    PersonSerializer,
    PostSerializer,
)
from xuanpei.workforce.forms import PersonFilterSet
from xuanpei.workforce.models import Certificate, Person, Post
from xuanpei.workforce.privacy import log_id_access


class AuditedRevealMixin:
    """Collect the people whose whole ID number a response carries and log them once."""

    # Token first: a bad token gets 401, not the 403 session authentication answers.
    authentication_classes = [TokenAuthentication, SessionAuthentication]

    def get_serializer_context(self):
        context = super().get_serializer_context()
        self._revealed = context["revealed"] = {}
        return context

    def finalize_response(self, request, response, *args, **kwargs):
        revealed = getattr(self, "_revealed", None)
        if revealed and 200 <= response.status_code < 300:
            log_id_access(
                request.user, revealed.values(), via="api", remote_addr=request_address(request)
            )
            revealed.clear()
        return super().finalize_response(request, response, *args, **kwargs)


class PersonViewSet(AuditedRevealMixin, ScopedReadOnlyViewSet):
    """持证人员：按用户范围可见（企业只看本企业人员）；身份证号、手机号按角色脱敏。"""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["name", "updated_at"]
    # Pinyin, as the roster page: the order the (name COLLATE "zh-x-icu", id) index serves.
    # By plain `name`, PostgreSQL sorted a new town's whole roster for each page (0.4 s
    # at scale 10 against 7 ms).
    ordering = [name_order(), "pk"]


class PostFilterSet(django_filters.FilterSet):
    on_duty = django_filters.DateFilter(
        label=_("在岗日期"), method="filter_on_duty", help_text=_("只列出该日在岗的岗位")
    )

    class Meta:
        model = Post
        fields = ["person", "enterprise", "post_type", "on_duty"]

    def filter_on_duty(self, queryset, name, value):
        return queryset.on_duty(value)


class PostViewSet(ScopedReadOnlyViewSet):
    """岗位：人员在企业的岗位及今天是否持证上岗。"""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    queryset = Post.objects.select_related(
        "person", "enterprise", "post_type", "operation_item__category"
    )
    serializer_class = PostSerializer
    filterset_class = PostFilterSet
    ordering_fields = ["start_date", "end_date", "enterprise"]
    ordering = ["enterprise_id", "post_type_id", "pk"]

    def get_queryset(self):
        return super().get_queryset().with_compliance(timezone.localdate())


class CertificateFilterSet(django_filters.FilterSet):
    number = django_filters.CharFilter(label=_("证书编号"), method="filter_number")

    class Meta:
        model = Certificate
        fields = ["number", "holder", "kind", "enterprise", "is_current", "state"]

    def filter_number(self, queryset, name, value):
        # Whole numbers only: a prefix search would let a masked user spell out an ID number.
        return queryset.filter(number=normalize_code(value))


class CertificateViewSet(AuditedRevealMixin, ScopedReadOnlyViewSet):
    """证书（含历史版本）：今天的状态按法定规则计算；含身份证号的编号按角色脱敏。"""

    queryset = Certificate.objects.select_related(
        "holder", "kind", "operation_item__category", "enterprise"
    ).prefetch_related("kind__post_types")
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    ordering_fields = ["valid_until", "review_due_date", "issue_date"]
    ordering = ["-is_current", "number", "-effective_from", "-pk"]
