"""Demo data for routing (development only): two backends on the local upstream that `make run`
starts, the article's default routes over them, and a gateway token whose secret is printed."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User

from catalog.models import ModelOption
from portal.models import ApiToken, Team, TokenAccess
from portal.selectors import api_token_get_active
from portal.services import api_token_create, api_token_revoke
from routing.models import Backend, Route
from routing.services import backend_create, routing_defaults_create

DEMO_BACKENDS = [
    # name, kind, upstream model, catalog model that prices it
    ("Demo proprietary", "proprietary", "fake-gpt", "GPT-4 Turbo"),
    ("Demo open source", "open_source", "fake-llama", "Llama 2 70B"),
]
DEMO_TOKEN_NAME = "Demo gateway (development only)"


def _token_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-gateway-token"


def _demo_token(team: Team, owner: User | None) -> str:
    """The demo token's secret. Only its digest is in the database, so the secret is kept in a file
    under var/ (mode 600) for `make run` to print again; a missing or revoked token is replaced."""
    path = _token_file()
    if path.exists():
        raw = path.read_text().strip()
        token = api_token_get_active(raw_token=raw)
        if token is not None and token.team_id == team.pk:
            return raw
    for stale in ApiToken.objects.filter(team=team, name=DEMO_TOKEN_NAME, revoked_at__isnull=True):
        api_token_revoke(token=stale)
    # The gateway access level is the narrowest that may call the gateway; read_write where absent.
    access = getattr(TokenAccess, "GATEWAY", TokenAccess.READ_WRITE)
    _token, raw = api_token_create(team=team, name=DEMO_TOKEN_NAME, access=access, created_by=owner)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw + "\n")
    os.chmod(path, 0o600)
    return raw


def seed_demo(*, team: Team, users: dict[str, User]) -> list[str]:
    upstream = settings.LOCAL_UPSTREAM_URL.rstrip("/")
    catalog = {m.name: m for m in ModelOption.objects.filter(name__in=[b[3] for b in DEMO_BACKENDS])}
    backends: dict[str, Backend] = {}
    for name, kind, upstream_model, priced_by in DEMO_BACKENDS:
        backend = Backend.objects.filter(team=team, name=name).first()
        if backend is None:
            backend = backend_create(
                team=team,
                name=name,
                kind=kind,
                base_url=f"{upstream}/v1",
                upstream_model=upstream_model,
                catalog_model=catalog.get(priced_by),
            )
        backends[kind] = backend
    if not Route.objects.filter(team=team).exists():
        routing_defaults_create(
            team=team, proprietary=backends["proprietary"], open_source=backends["open_source"]
        )
    raw = _demo_token(team, users.get("demo-owner"))
    return [
        f"Demo gateway token (development only): {raw}",
        "  curl http://127.0.0.1:8000/v1/chat/completions -H 'Authorization: Bearer "
        + raw
        + "' -H 'Content-Type: application/json' -H 'X-Task-Type: analysis' "
        + '-d \'{"model": "auto", "messages": [{"role": "user", "content": "What is 2 + 3?"}]}\'',
    ]
