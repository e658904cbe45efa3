"""DRF bases: a viewset that scopes like the pages, and a Chinese error handler."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from xuanpei.core.permissions import has_action
from xuanpei.core.views import ScopeViolation, ensure_in_scope

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Maps HTTP methods to actions, checks the grant in `initial()`, scopes the queryset.

    Out-of-scope objects are 404; a write that would leave scope is rolled back (400).
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.scope_action = METHOD_ACTIONS.get(request.method, "view")
        if not has_action(request.user, self.queryset.model, self.scope_action):
            raise exceptions.PermissionDenied(_("您没有执行此操作的权限"))

    def get_queryset(self):
        action = getattr(self, "scope_action", "view")
        return self.queryset.all().for_user(self.request.user, action)

    def _save_in_scope(self, serializer, **extra):
        try:
            with transaction.atomic():
                obj = serializer.save(**extra)
                ensure_in_scope(obj, self.request.user, self.scope_action)
        except ScopeViolation as exc:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("保存后的数据超出了您的管辖范围，未保存")]}
            ) from exc

    def perform_create(self, serializer):
        extra = {}
        if hasattr(self.queryset.model, "created_by_id"):
            extra["created_by"] = self.request.user
        self._save_in_scope(serializer, **extra)

    def perform_update(self, serializer):
        self._save_in_scope(serializer)


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return self.queryset.all().for_user(self.request.user, "view")


def exception_handler(exc, context):
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("您没有执行此操作的权限"))
    return drf_exception_handler(exc, context)
