"""Routing fixtures for the control-plane tests: the team's two backends priced by the article's
models, the article's default routes, and rows of charlie's team that must stay invisible."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from catalog.models import ModelOption
from routing.models import Backend, RequestLog, Route
from routing.services import backend_create, routing_defaults_create

SECRET = "sk-live-very-secret-key-123456"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def gpt4(article_catalog) -> ModelOption:
    return article_catalog["GPT-4 Turbo"]


@pytest.fixture
def llama(article_catalog) -> ModelOption:
    return article_catalog["Llama 2 70B"]


@pytest.fixture
def proprietary(team, gpt4) -> Backend:
    return backend_create(
        team=team,
        name="OpenAI",
        kind="proprietary",
        base_url="https://api.openai.com/v1",
        upstream_model="gpt-4-turbo",
        catalog_model=gpt4,
        api_key=SECRET,
    )


@pytest.fixture
def open_source(team, llama) -> Backend:
    return backend_create(
        team=team,
        name="Llama on A100",
        kind="open_source",
        base_url="http://llama.internal:8000/v1",
        upstream_model="llama-2-70b",
        catalog_model=llama,
    )


@pytest.fixture
def routes(team, proprietary, open_source) -> list[Route]:
    return routing_defaults_create(team=team, proprietary=proprietary, open_source=open_source)


@pytest.fixture
def charlies_backend(other_team) -> Backend:
    return backend_create(
        team=other_team,
        name="Charlie's GPT",
        kind="proprietary",
        base_url="https://c.example/v1",
        api_key=SECRET,
    )


@pytest.fixture
def charlies_oss(other_team) -> Backend:
    return backend_create(
        team=other_team, name="Charlie's Llama", kind="open_source", base_url="https://c2.example/v1"
    )


@pytest.fixture
def charlies_route(other_team, charlies_backend, charlies_oss) -> Route:
    from routing.services import route_create

    return route_create(
        team=other_team, name="charlies-route", task_types=["analysis"], proprietary_backend=charlies_backend
    )


def log(
    team: Any, *, at: datetime, route: Route | None = None, backend: Backend | None = None, **fields: Any
) -> RequestLog:
    """A logged request as the gateway writes it."""
    values: dict[str, Any] = {
        "team": team,
        "created_at": at,
        "route": route,
        "route_name": route.name if route else "",
        "backend": backend,
        "backend_name": backend.name if backend else "",
        "backend_kind": backend.kind if backend else "",
        "task_type": "summary",
        "status_code": 200,
        "latency_ms": 100,
        "input_tokens": 500,
        "output_tokens": 1000,
        "cost_usd": Decimal("0"),
    }
    values.update(fields)
    return RequestLog.objects.create(**values)
