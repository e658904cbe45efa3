"""The API schema is a contract: a bounded schemathesis run holds every route to it (issue #9 §14).

Every operation of the schema is fuzzed as two personas — the district admin
(reads and writes everything) and an enterprise reporter (a narrow scope, many
403/404) — with a fixed number of deterministic examples of valid and of invalid
input, against pytest-django's disposable test database holding a small world.
A server error, a status code the schema does not list, a response body that
does not match its schema or a wrong content type fails the test. A route added
later is in the schema, so it is fuzzed too, without editing this file.
"""

import functools
import json
from collections import Counter

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode, openapi
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from xuanpei.plans.factories import ProgressReportFactory
from xuanpei.plans.models import ProgressReport

# Examples per operation and generation mode: ~23 operations × 2 modes × 2 personas.
EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def api_schema() -> dict:
    """The schema exactly as /api/schema/ serves it (JSON), without going through its login."""
    return json.loads(_schema_json())


@functools.cache
def _schema_json() -> bytes:
    # Generated once per run (~1 s); each caller gets its own copy to mutate.
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return OpenApiJsonRenderer().render(generated)


@pytest.fixture
def wsgi_app():
    """Django's WSGI handler inside the test transaction.

    A real handler closes "old" connections at the start and end of each request,
    which would end the test's transaction; Django's test client unhooks the same
    signals for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def fuzz(app, user) -> tuple[list[str], Counter]:
    """Run every operation with EXAMPLES positive and negative cases.

    Returns the failures (all operations reported at once) and the requests sent per
    operation, so the caller can see that every operation was exercised."""
    schema = openapi.from_dict(api_schema())
    schema.app = app
    headers = {"Authorization": f"Token {Token.objects.create(user=user).key}"}
    failures, sent = [], Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                sent[case.operation.label] += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            label = f"{user.username} {operation.label} [{mode.value}]"
            try:
                run()
            except Unsatisfiable as exc:
                # No parameter to make invalid (a list without filters): nothing negative to send.
                if mode is GenerationMode.POSITIVE:
                    failures.append(f"{label}: {exc}")
            except (Exception, BaseExceptionGroup) as exc:
                failures.append(f"{label}: {str(exc)[:1500]}")
    return failures, sent


@pytest.fixture
def world(district):
    from tests.world import build_world

    return build_world(district)


@pytest.mark.parametrize("persona", ["district", "enterprise"])
def test_every_api_operation_answers_as_its_schema_says_for_generated_requests(
    world, wsgi_app, persona
):
    failures, sent = fuzz(wsgi_app, getattr(world.district, persona))
    assert not failures, "\n\n".join(failures)
    operations = [
        f"{method.upper()} {path}"
        for path, methods in api_schema()["paths"].items()
        for method in methods
    ]
    assert len(operations) >= 30  # the routes of orgs, workforce and plans (34 today)
    assert set(sent) == set(operations)


def operation(schema: dict, path: str, method: str) -> dict:
    return schema["paths"][path][method]


def test_a_page_out_of_range_of_the_enterprise_list_is_a_documented_404(district, client):
    client.force_login(district.district)
    response = client.get("/api/v1/enterprises/", {"page": -14140})
    assert response.status_code == 404
    responses = operation(api_schema(), "/api/v1/enterprises/", "get")["responses"]
    assert responses["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }


def test_the_error_responses_are_documented_once_for_every_route():
    schema = api_schema()
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            codes = set(op["responses"])
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path or method == "get":
                assert "404" in codes, (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"400", "409"} <= codes, (method, path)


def test_fields_read_through_a_nullable_relation_are_nullable_and_lists_are_not():
    components = api_schema()["components"]["schemas"]
    report = components["ProgressReport"]["properties"]
    assert report["reviewed_by"]["nullable"] is True  # StringRelatedField over a null FK
    assert "nullable" not in report["events"]  # a reverse relation reads as a list
    assert "nullable" not in report["assignment"]  # a required FK
    operation_item = components["Certificate"]["properties"]["operation_item"]
    assert operation_item == {
        "allOf": [{"$ref": "#/components/schemas/OperationItemBrief"}],
        "readOnly": True,
        "nullable": True,
    }


def test_a_report_nobody_reviewed_validates_against_the_schema(world, wsgi_app):
    report = ProgressReport.objects.filter(reviewed_by=None).first() or ProgressReportFactory()
    assert report.reviewed_by is None
    schema = openapi.from_dict(api_schema())
    schema.app = wsgi_app
    token = Token.objects.create(user=world.district.district)
    case = schema["/api/v1/reports/{id}/"]["GET"].Case(path_parameters={"id": report.pk})
    response = case.call(headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert response.json()["reviewed_by"] is None
    case.validate_response(response, checks=CHECKS)
