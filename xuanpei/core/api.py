"""DRF bases: a viewset that scopes like the pages, scoped serializers, a Chinese error handler.

An app's API comes down to a serializer listing its fields and a viewset of a
few attribute lines:

    class EnterpriseViewSet(ScopedModelViewSet):
        queryset = Enterprise.objects.select_related("unit", "sector")
        serializer_class = EnterpriseSerializer
        filterset_class = EnterpriseFilterSet

`initial()` maps the HTTP method to an action (GET → view, POST → add, PUT/PATCH
→ change, DELETE → delete), answers 403 without the role's grant, and
`get_queryset()` scopes with `for_user(user, action)`, so an object outside the
user's scope is a 404. Writes run in a transaction, are re-checked against the
scope and rolled back (400) when they would leave it, and are recorded in the
audit log with the authenticated user as actor — token requests included.
"""

import functools
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, Prefetch, ProtectedError, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import api_view, permission_classes
from rest_framework.fields import empty
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from xuanpei.audit.context import acting_as, request_address
from xuanpei.core.concurrency import CONFLICT_MESSAGE
from xuanpei.core.field_rules import locked_fields, refusal
from xuanpei.core.filtering import ScopedFilterBackend
from xuanpei.core.permissions import has_action
from xuanpei.core.scoping import ScopedQuerySet
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


class DisplayField(serializers.CharField):
    """The label of a choices field, read only: `DisplayField("status")` → "已通过".

    Instead of `CharField(source="get_status_display")`: DRF inspects the signature of a
    callable source again on every row (`inspect.signature` of a partialmethod), and
    Django's `get_FOO_display` builds the field's dict of choices on every call — together
    a third of the time of a list of fifty reports. The dict is built once per field here.
    """

    def __init__(self, field_name: str, **kwargs):
        self.choice_field = field_name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        field = instance._meta.get_field(self.choice_field)
        value = getattr(instance, field.attname)
        label = _choice_labels(field).get(value, value)  # as get_FOO_display: unknown → value
        return None if label is None else str(label)


@functools.cache
def _choice_labels(field) -> dict:
    return dict(field.flatchoices)


def ids_only(relation: str, model) -> Prefetch:
    """Prefetch a to-many relation whose list shows only ids (`PrimaryKeyRelatedField`,
    many=True): rows of `model` without their other columns, which would cost a list of
    fifty a model instance each for nothing."""
    return Prefetch(relation, queryset=model._base_manager.only("pk"))


class ScopedSerializerMixin:
    """Narrow every related-field choice of a scoped model to what the request user may see.

    A primary key outside the user's scope is then rejected with DRF's ordinary
    "object does not exist" message, the same answer as a key that does not exist.
    On an update the object's current values stay valid, so a full PUT by a user
    who may edit the row (a department supervising it) can send them back unchanged.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.method in SAFE_METHODS:
            return  # choices only matter when input is validated
        for field in self.fields.values():
            related = getattr(field, "child_relation", field)
            qs = getattr(related, "queryset", None)
            if isinstance(qs, ScopedQuerySet):
                related.queryset = self._current_or_scoped(field, qs, user)

    def _current_or_scoped(self, field, qs, user):
        scoped = qs.for_user(user, "view")
        instance = self.instance
        source = field.source
        if not isinstance(instance, Model) or not source or "." in source:
            return scoped
        current = getattr(instance, source, None)
        if current is None:
            return scoped
        pks = (
            list(current.values_list("pk", flat=True))
            if hasattr(current, "values_list")
            else [current.pk]
        )
        return qs.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=pks))


class FieldRulesMixin:
    """Refuse a change to a field the request user may not change (`core.field_rules`).

    A locked field sent with the value it already has is accepted (a PUT sends the
    whole record back); a different value, or one that does not validate, is
    a 400 naming the field, before anything else is checked or written (issue #9 item 1).
    """

    def locked_rule(self, name, field) -> str | None:
        """The rule name (a model field) a writable serializer field writes, if locked."""
        locked = self._locked_names()
        source = (field.source or name).split(".")[0]
        for candidate in (source, name, source.removesuffix("_id"), source.removesuffix("_ids")):
            if candidate in locked:
                return candidate
        return None

    def _locked_names(self) -> frozenset[str]:
        request = self.context.get("request")
        if self.instance is None or not isinstance(self.instance, Model) or request is None:
            return frozenset()
        return locked_fields(request.user, type(self.instance), self.instance)

    def to_internal_value(self, data):
        if not self._locked_names() or not hasattr(data, "get"):
            return super().to_internal_value(data)
        refused = {}
        for name, field in self.fields.items():
            if field.read_only:
                continue
            rule = self.locked_rule(name, field)
            if rule is None:
                continue
            raw = field.get_value(data)
            if raw is empty:
                continue
            if self._changes(field, raw, rule):
                refused[name] = [refusal(type(self.instance), rule)]
        if refused:
            raise exceptions.ValidationError(refused)
        return super().to_internal_value(data)

    def _changes(self, field, raw, rule: str) -> bool:
        try:
            value = field.run_validation(raw)
        except exceptions.ValidationError:
            return True
        return _comparable(value) != _comparable(_current(self.instance, rule))


def _current(instance, name):
    value = getattr(instance, name, None)
    manager = type(instance)._default_manager
    if value is None and name == "parent" and hasattr(manager, "get_parent"):
        value = manager.get_parent(instance)  # a tree node's parent (treebeard: no field)
    if hasattr(value, "all"):  # a many-to-many manager
        value = list(value.all())
    return value


def _comparable(value):
    if isinstance(value, list | tuple | set):
        return frozenset(_comparable(v) for v in value)
    return value.pk if isinstance(value, Model) else value


class ScopedModelSerializer(FieldRulesMixin, ScopedSerializerMixin, serializers.ModelSerializer):
    """Base for read-write serializers of scoped models: choices narrowed to scope,
    fields the user may not change refused."""


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Maps HTTP methods to actions, checks the grant in `initial()`, scopes the queryset.

    Out-of-scope objects are 404; a write that would leave scope is rolled back (400);
    a delete blocked by protected rows is a 400 with a Chinese reason, never a 500.
    """

    # Token first: a client sending a bad token gets 401 with `WWW-Authenticate`,
    # not the 403 that session authentication answers.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    # An extra action may name the action it performs: @action(..., action_scope="delete").
    action_scope: str | None = None
    # Whether creates stamp `created_by` here (False when a service does it).
    stamp_created_by = True
    # Object filters choose among what the user may see: no existence oracle.
    filter_backends = [ScopedFilterBackend, OrderingFilter]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.scope_action = self.action_scope or METHOD_ACTIONS.get(request.method, "view")
        if not has_action(request.user, self.queryset.model, self.scope_action):
            raise exceptions.PermissionDenied(_("您没有执行此操作的权限"))

    def get_queryset(self):
        action = getattr(self, "scope_action", "view")
        return self.queryset.all().for_user(self.request.user, action)

    def audited(self):
        """The audit context for a write: the DRF-authenticated user, the client address."""
        return acting_as(self.request.user, remote_addr=request_address(self.request))

    @contextmanager
    def audited_write(self):
        """An audited write whose domain errors answer 400: a scope violation (the write
        would leave the user's scope, rolled back) or a model/service ValidationError."""
        try:
            with self.audited():
                yield
        except ScopeViolation as exc:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("保存后的数据超出了您的管辖范围，未保存")]}
            ) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(serializers.as_serializer_error(exc)) from exc

    def _save_in_scope(self, serializer, **extra):
        with self.audited_write(), transaction.atomic():
            obj = serializer.save(**extra)
            ensure_in_scope(obj, self.request.user, self.scope_action)

    def perform_create(self, serializer):
        extra = {}
        if self.stamp_created_by and hasattr(self.queryset.model, "created_by_id"):
            extra["created_by"] = self.request.user
        self._save_in_scope(serializer, **extra)

    def perform_update(self, serializer):
        self._save_in_scope(serializer)

    def perform_destroy(self, instance):
        with self.audited(), transaction.atomic():
            instance.delete()

    def destroy(self, request, *args, **kwargs):
        try:
            return super().destroy(request, *args, **kwargs)
        except ProtectedError:
            return Response(
                {"detail": _("该记录仍被其他数据引用，不能删除")},
                status=status.HTTP_400_BAD_REQUEST,
            )


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    filter_backends = [ScopedFilterBackend, OrderingFilter]

    def get_queryset(self):
        return self.queryset.all().for_user(self.request.user, "view")


def exception_handler(exc, context):
    if isinstance(exc, IntegrityError):
        # A write lost a race on a database constraint (issue #9): 409, never a 500.
        return Response({"detail": str(CONFLICT_MESSAGE)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or _("您没有执行此操作的权限"))
    return drf_exception_handler(exc, context)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
def not_found(request, *args, **kwargs):
    """A URL under /api/ that names no route (`/api/v1/reports/1.5/`): JSON like the routes."""
    raise exceptions.NotFound()
