"""Refusals: tokens, bad requests, sizes. Every one a clear OpenAI-shaped 4xx, never a 500."""

from __future__ import annotations

import pytest

from portal.models import ApiToken
from portal.services import api_token_create, api_token_revoke


def chat(**extra):
    return {"model": "auto", "messages": [{"role": "user", "content": "hi"}], **extra}


def test_no_token_is_401(alpha):
    import httpx

    response = httpx.post(alpha.gateway.url + "/v1/chat/completions", json=chat())
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "authentication_error"


def test_wrong_and_revoked_tokens_are_401(alpha, team):
    with alpha.gateway.client("mw_not-a-real-token") as client:
        assert client.post("/v1/chat/completions", json=chat()).status_code == 401
    api_token_revoke(token=ApiToken.objects.get(team=team, name="gateway"))
    alpha.gateway.reload()
    with alpha.client() as client:
        assert client.post("/v1/chat/completions", json=chat()).status_code == 401


def test_read_only_token_is_403_and_read_write_is_served(alpha, team, alice):
    read = api_token_create(team=team, name="r", access="read", created_by=alice)[1]
    write = api_token_create(team=team, name="rw", access="read_write", created_by=alice)[1]
    alpha.gateway.reload()
    with alpha.gateway.client(read) as client:
        response = client.post("/v1/chat/completions", json=chat())
    assert response.status_code == 403 and "read-only" in response.json()["error"]["message"]
    with alpha.gateway.client(write) as client:
        assert client.post("/v1/chat/completions", json=chat()).status_code == 200


def test_rest_api_refuses_gateway_tokens(db, team, alice, client):
    token = api_token_create(team=team, name="gw", access="gateway", created_by=alice)[1]
    response = client.get("/api/catalog/models/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert "only call the gateway" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"model": "auto"}, "messages", "non-empty list"),
        ({"model": "auto", "messages": []}, "messages", "non-empty list"),
        ({"model": "auto", "messages": "hi"}, "messages", "non-empty list"),
        ({"model": "auto", "messages": [{"role": "wizard", "content": "hi"}]}, "messages[0].role", "one of"),
        ({"model": "auto", "messages": [{"role": "user", "content": 5}]}, "messages[0].content", "string"),
        ({"model": 5, "messages": [{"role": "user", "content": "hi"}]}, "model", "auto"),
        (chat(stream="yes"), "stream", "true or false"),
        (chat(max_tokens=10**12), "max_tokens", "between 1 and 131,072"),
        (chat(max_tokens="many"), "max_tokens", "whole number"),
        (chat(temperature=7), "temperature", "between 0 and 2"),
        (chat(metadata={"task_type": "not a task type!"}), "metadata.task_type", "1-60 characters"),
        (chat(metadata="analysis"), "metadata", "object"),
        ([1, 2], "body", "JSON object"),
    ],
)
def test_bad_requests_get_field_messages(alpha, body, field, message):
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == field
    assert message in " ".join(error["fields"][field])


def test_bad_task_type_header(alpha):
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=chat(), headers={"X-Task-Type": "x" * 80})
    assert response.status_code == 400 and response.json()["error"]["param"] == "X-Task-Type"


def test_unknown_task_type_without_default_route_is_404(alpha):
    alpha.general.delete()
    alpha.gateway.reload()
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=chat(), headers={"X-Task-Type": "poetry"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "No route serves task type 'poetry' and your team has no default route."
    )


def test_non_json_body(alpha):
    with alpha.client() as client:
        response = client.post(
            "/v1/chat/completions", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        empty = client.post("/v1/chat/completions", content=b"")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json"
    assert empty.status_code == 400


def test_ten_megabyte_body_is_413(alpha):
    huge = b'{"model":"auto","messages":[{"role":"user","content":"' + b"x" * 10_000_000 + b'"}]}'
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", content=huge)
    assert response.status_code == 413
    assert "larger than the gateway's limit" in response.json()["error"]["message"]


def test_wrong_method_and_unknown_path(alpha):
    with alpha.client() as client:
        assert client.get("/v1/chat/completions").status_code == 405
        assert client.post("/v1/embeddings", json={}).status_code == 404
