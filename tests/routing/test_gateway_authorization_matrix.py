"""Who may call the gateway: its three endpoints against every kind of caller, over real HTTP to the
ASGI application that serves them (the gateway answers before Django's resolver, so the resolver-wide
matrix in tests/authorization cannot see them)."""

from __future__ import annotations

import httpx
import pytest

from portal.models import ApiToken
from portal.services import api_token_create, api_token_revoke
from routing.models import Route
from tests.routing.conftest import backend_create

CHAT = (
    "POST",
    "/v1/chat/completions",
    {"model": "analysis", "messages": [{"role": "user", "content": "2 + 3?"}]},
)
MODELS = ("GET", "/v1/models", None)
ROUTE = ("POST", "/api/route/", {"task_type": "analysis", "prompt": "What is 2 + 3?"})
ENDPOINTS = {"chat": CHAT, "models": MODELS, "route": ROUTE}

# identity -> expected status for (chat, models, route). The chat request names Alpha's "analysis"
# route; /api/route/ routes by task type only ("analysis", which Alpha's "analysis" route serves).
EXPECTED: dict[str, tuple[int, int, int]] = {
    "anonymous": (401, 401, 401),
    "read token": (403, 403, 403),
    "read-write token": (200, 200, 200),
    "gateway token": (200, 200, 200),
    "revoked token": (401, 401, 401),
    # Charlie's gateway token: Alpha's route name is unknown in Charlie's team (404), its models are
    # Charlie's routes, and a task type goes to Charlie's own default route.
    "another team's token": (404, 200, 200),
    "basic scheme": (401, 401, 401),
    "bearer without a secret": (401, 401, 401),
    "not a team token": (401, 401, 401),
    "empty header": (401, 401, 401),
}


@pytest.fixture
def identities(alpha, team, alice, other_team, charlie, upstream) -> dict[str, dict[str, str]]:
    read = api_token_create(team=team, name="reader", access="read", created_by=alice)[1]
    write = api_token_create(team=team, name="writer", access="read_write", created_by=alice)[1]
    revoked, secret = api_token_create(team=team, name="revoked", access="gateway", created_by=alice)
    api_token_revoke(token=revoked)
    # Charlie's team has a default route of its own, so a miss is the route name, not a missing default.
    charlies_backend = backend_create(other_team, "charlies", "proprietary", upstream.url(), key="sk-c")
    Route.objects.create(
        team=other_team, name="charlies", is_default=True, proprietary_backend=charlies_backend
    )
    charlies = api_token_create(team=other_team, name="gateway", access="gateway", created_by=charlie)[1]
    alpha.gateway.reload()
    assert ApiToken.objects.filter(team=team, revoked_at__isnull=False).count() == 1

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return {
        "anonymous": {},
        "read token": bearer(read),
        "read-write token": bearer(write),
        "gateway token": bearer(alpha.token),
        "revoked token": bearer(secret),
        "another team's token": bearer(charlies),
        "basic scheme": {"Authorization": f"Basic {alpha.token}"},
        "bearer without a secret": {"Authorization": "Bearer"},
        "not a team token": {"Authorization": "Bearer sk-not-a-team-token"},
        "empty header": {"Authorization": ""},
    }


def test_every_caller_gets_its_expected_status_from_every_gateway_endpoint(alpha, identities):
    assert set(identities) == set(EXPECTED), "every identity needs an expectation"
    got: dict[str, tuple[int, ...]] = {}
    bodies: dict[tuple[str, str], httpx.Response] = {}
    with httpx.Client(base_url=alpha.gateway.url, timeout=30) as client:
        for identity, headers in identities.items():
            statuses = []
            for name, (method, path, body) in ENDPOINTS.items():
                response = client.request(method, path, json=body, headers=headers)
                statuses.append(response.status_code)
                bodies[identity, name] = response
            got[identity] = tuple(statuses)

    assert got == EXPECTED
    for (identity, name), response in bodies.items():
        if response.status_code >= 400:  # every refusal is the gateway's JSON error, never a page
            assert response.headers["content-type"].startswith("application/json"), (identity, name)
            assert response.json()["error"]["message"], (identity, name)
    # Alpha's callers reach Alpha's route; Charlie's caller sees only Charlie's routes.
    assert bodies["gateway token", "chat"].headers["x-modelwise-route"] == "analysis"
    assert bodies["read-write token", "route"].headers["x-modelwise-route"] == "analysis"
    assert [m["id"] for m in bodies["gateway token", "models"].json()["data"]] == [
        "auto",
        "analysis",
        "general",
    ]
    assert [m["id"] for m in bodies["another team's token", "models"].json()["data"]] == ["auto", "charlies"]
    assert "No route named 'analysis' in your team" in bodies["another team's token", "chat"].text
    assert bodies["another team's token", "route"].headers["x-modelwise-route"] == "charlies"
    assert bodies["another team's token", "route"].headers["x-modelwise-backend"] == "charlies"
    assert bodies["read token", "chat"].json()["error"]["code"] == "token_read_only"
    assert bodies["revoked token", "chat"].json()["error"]["code"] == "invalid_token"
    assert bodies["anonymous", "chat"].json()["error"]["code"] == "missing_token"
