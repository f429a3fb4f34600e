"""The API docs' examples work when tried as they stand, and the docs lead back to the portal."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

DECISION_ENDPOINTS = ["/api/recommendations/", "/api/cost-reports/"]


@pytest.fixture
def schema(alice_client) -> dict:
    return alice_client.get("/api/schema/", {"format": "json"}).json()


def _examples(schema: dict, path: str) -> dict[str, dict]:
    body = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return {name: example["value"] for name, example in body.get("examples", {}).items()}


@pytest.mark.parametrize("path", DECISION_ENDPOINTS)
def test_every_example_of_a_decision_endpoint_is_answered_with_a_2xx(
    alice_client, article_catalog, schema, path
):
    examples = _examples(schema, path)

    assert len(examples) >= 2, path
    for name, body in examples.items():
        response = alice_client.post(path, body, content_type="application/json")
        assert 200 <= response.status_code < 300, (name, response.json())
        assert response.json()[("results" if "recommend" in path else "models")], name


def test_an_example_with_a_usage_is_priced(alice_client, article_catalog, schema):
    body = _examples(schema, "/api/recommendations/")["PricedAtYourTraffic"]

    result = alice_client.post("/api/recommendations/", body, content_type="application/json").json()

    assert result["cost_from_usage"] is True


def test_the_docs_link_back_to_the_portal(alice_client, schema):
    assert "[← Back to the portal](/)" in schema["info"]["description"]
    assert alice_client.get("/api/docs/").status_code == 200
