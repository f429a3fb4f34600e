"""Every operation in the published OpenAPI schema is fuzzed by schemathesis through the real WSGI app:
no input may cause a 5xx, and responses must match the schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks as st_checks

from portal.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [
    st_checks.not_a_server_error,
    st_checks.response_schema_conformance,
    st_checks.content_type_conformance,
]


@pytest.fixture
def api_headers(db, write_token, article_catalog) -> Iterator[dict[str, str]]:
    # The WSGI handler closes the database connection after each request; inside a test transaction
    # that would end the test's connection, so keep it open as Django's test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {write_token}"}
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_input_breaks_the_api(case, api_headers):
    case.call_and_validate(headers=api_headers, checks=CHECKS)


def test_the_schema_documents_the_catalog_and_the_token_scheme():
    raw = schema.raw_schema
    assert "/api/catalog/models/" in raw["paths"]
    assert raw["components"]["securitySchemes"]["teamToken"]["scheme"] == "bearer"


def test_the_schema_documents_the_error_shape_on_every_operation():
    raw = schema.raw_schema
    assert raw["components"]["schemas"]["Error"]["required"] == ["status", "code", "detail", "errors"]
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("400", "401", "403", "429", "503"):
                assert responses[status]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path, status)
            if method in {"post", "put", "patch"}:
                assert "413" in responses, (method, path)


def test_the_schema_publishes_the_usage_bounds_from_the_cost_model():
    from evaluations.costing import USAGE_LIMITS

    components = schema.raw_schema["components"]["schemas"]
    for component in ("UsageRequest", "UsagePatternRequest", "PatchedUsagePatternRequest"):
        properties = components[component]["properties"]
        for name, limit in USAGE_LIMITS.items():
            assert (properties[name]["minimum"], properties[name]["maximum"]) == (
                limit.minimum,
                limit.maximum,
            ), (component, name)
    requirements = components["RequirementsRequest"]["properties"]
    assert (requirements["min_context"]["minimum"], requirements["min_context"]["maximum"]) == (
        1,
        100_000_000,
    )
    for component in ("RecommendationRequestRequest", "CostReportRequestRequest"):
        assert components[component]["properties"]["usage"]["allOf"] == [
            {"$ref": "#/components/schemas/UsageRequest"}
        ]


@pytest.mark.django_db
def test_a_value_past_a_published_bound_is_refused_with_the_cost_models_message(write_token, article_catalog):
    from django.test import Client

    from evaluations.costing import USAGE_LIMITS

    usage = {"daily_requests": 1, "avg_input_tokens": 1, "avg_output_tokens": 1, "peak_concurrent": 1}
    client = Client(headers={"Authorization": f"Bearer {write_token}"})
    for name, limit in USAGE_LIMITS.items():
        for value, message in ((limit.maximum + 1, limit.too_high), (limit.minimum - 1, limit.too_low)):
            response = client.post(
                "/api/cost-reports/", {"usage": {**usage, name: value}}, content_type="application/json"
            )
            assert response.status_code == 400
            assert response.json()["errors"]["usage"][name] == [message]
