"""API viewsets of the orgs app: scoped exactly like the pages (core.api.ScopedModelViewSet)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, filters
from rest_framework.decorators import action
from rest_framework.response import Response

from xuanpei.core.api import ScopedModelViewSet
from xuanpei.core.ordering import name_order
from xuanpei.orgs import services
from xuanpei.orgs.api.serializers import (
    EnterpriseCloseSerializer,
    EnterpriseSerializer,
    UnitSerializer,
)
from xuanpei.orgs.filters import EnterpriseFilterSet
from xuanpei.orgs.models import Enterprise, Unit


class UnitViewSet(ScopedModelViewSet):
    """单位树：每个用户只看到本单位及下级；只有区安委办管理员可以新增、修改、删除。"""

    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    filter_backends = [*ScopedModelViewSet.filter_backends, filters.SearchFilter]
    filterset_fields = ["kind", "depth"]
    search_fields = ["name", "short_name", "code"]
    ordering_fields = ["path", "name", "code"]
    ordering = ["path"]

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if kwargs.get("many") and args:
            serializer.context["parents"] = self._parents_in_scope(args[0])
        return serializer

    def _parents_in_scope(self, units) -> dict:
        """Parents of a page of units in one query; a parent outside the user's scope is None."""
        paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
        found = Unit.objects.for_user(self.request.user, "view").filter(path__in=paths)
        parents = dict.fromkeys(paths)
        parents.update({p.path: p for p in found})
        return parents

    def perform_destroy(self, instance):
        if Unit.objects.get_children_count(instance):
            raise exceptions.ValidationError(
                {"detail": _("该单位还有下级单位，请先删除或调整下级单位")}
            )
        if instance.enterprises.exists() or instance.users.exists():
            raise exceptions.ValidationError({"detail": _("该单位仍有企业或用户，不能删除")})
        super().perform_destroy(instance)


class EnterpriseViewSet(ScopedModelViewSet):
    """企业（生产经营单位）：属地单位及其上级、行业主管部门、企业本身各按范围可见可改。

    关闭企业用 `POST /enterprises/{id}/close/`；企业记录不做物理删除。
    """

    queryset = Enterprise.objects.select_related("unit", "sector").prefetch_related("departments")
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "uscc", "risk_level", "scale", "updated_at", "created_at"]
    ordering = [name_order(), "pk"]  # pinyin, served by the (name COLLATE, id) index
    # Enterprises are closed, never deleted: their history belongs to the record.
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    stamp_created_by = False  # services.create_enterprise stamps it

    @extend_schema(request=EnterpriseCloseSerializer, responses=EnterpriseSerializer)
    @action(detail=True, methods=["post"], action_scope="delete")
    def close(self, request, pk=None):
        """关闭企业（停业、注销、迁出）：记录保留，不再计入在营统计。"""
        enterprise = self.get_object()
        params = EnterpriseCloseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with self.audited_write():
            services.close_enterprise(
                enterprise,
                actor=request.user,
                closed_at=params.validated_data["closed_at"],
                reason=params.validated_data["reason"],
            )
        return Response(self.get_serializer(enterprise).data)
