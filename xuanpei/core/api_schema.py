"""The OpenAPI schema as a contract: every answer a route can give is documented.

drf-spectacular documents the success answer of each operation. A client
generated from that alone breaks on the error answers every route can give, and
on `null` where the schema promised an object or a string. `ContractAutoSchema`
(the project's DEFAULT_SCHEMA_CLASS) adds, once for every route:

- the error responses, with a shared body: 400 (write methods, and list
  filters), 401 (no or bad credentials), 403 (the role's grant), 404 (a detail
  route's object out of scope or missing, a list's page out of range), 409 (a
  write that lost a race on a database constraint, `core.api.exception_handler`),
  429 when the view is throttled; `Error` is `{detail}`, `ValidationError` the map
  field → messages DRF answers for bad input;
- `nullable` on every response field whose source crosses a nullable model field
  (a nested object, a name or an id read through a `null=True` foreign key), so
  a serializer field needs no per-field `allow_null` to tell the truth.

The bounded schemathesis run in tests/test_api_contract.py holds the API to it.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

ERROR_SCHEMA = {
    "type": "object",
    "description": _("错误说明"),
    "properties": {"detail": {"type": "string", "description": _("错误原因（中文）")}},
    "required": ["detail"],
}

VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": _(
        "输入有误：字段名 → 错误信息列表（列表或对象字段按位置或子字段嵌套）；"
        "与单个字段无关的错误在 non_field_errors 中，整体原因在 detail 中"
    ),
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus error responses and nullable relations."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (component, description) in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=component.ref, description=description), code
                )
        return responses

    def _error_responses(self) -> dict:
        error = self._component("Error", ERROR_SCHEMA)
        invalid = self._component("ValidationError", VALIDATION_ERROR_SCHEMA)
        is_list = self.method == "GET" and self._is_list_view()
        has_object = "{" in self.path
        codes = {}
        if self.method in WRITE_METHODS or is_list:
            codes["400"] = (invalid, _("请求参数或提交的数据有误"))
        if not all(p is AllowAny for p in self.view.permission_classes):
            codes["401"] = (error, _("未登录，或令牌无效"))
            codes["403"] = (error, _("您的角色没有执行此操作的权限"))
        if has_object or (is_list and self._get_paginator()):
            codes["404"] = (error, _("对象不存在或不在您的管辖范围内；列表的页码超出范围"))
        if self.method in WRITE_METHODS:
            codes["409"] = (error, _("与同时进行的另一次修改冲突，请刷新后重试"))
        if getattr(self.view, "throttle_classes", None):
            codes["429"] = (error, _("请求过于频繁，请稍后再试"))
        return codes

    def _component(self, name: str, schema: dict) -> ResolvedComponent:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=f"xuanpei.{name}", schema=schema
        )
        self.registry.register_on_missing(component)
        return component

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if direction == "response" and not meta.get("nullable") and reads_through_null(field):
            meta["nullable"] = True
        return meta


def reads_through_null(field) -> bool:
    """Whether a serializer field's source passes a nullable model field (so may read None).

    Walks `source` ("unit", "assignment.task", "reviewed_by") through the model of
    the serializer holding the field; a step that is no model field (a method, a
    property) ends the walk: only what the model says is nullable is declared so.
    """
    source = getattr(field, "source", None)
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if not source or source == "*" or model is None:
        return False
    for name in source.split("."):
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if model_field.auto_created and not model_field.concrete:
            # A reverse relation: a list for one-to-many (never null), None when a
            # reverse one-to-one has no row (DRF reads ObjectDoesNotExist as None).
            return bool(model_field.one_to_one)
        if model_field.null:
            return True
        if not (model_field.many_to_one or model_field.one_to_one):
            return False
        model = model_field.related_model
        if not isinstance(model, type) or not issubclass(model, models.Model):
            return False
    return False
