"""The gateway's in-memory configuration follows saves, and the portal serves both planes."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import httpx
import uvicorn

from catalog.models import ModelOption
from portal.models import ApiToken
from portal.services import api_token_create, api_token_touch
from routing.gateway.snapshot import config_version_read
from routing.models import Route, TeamBudget
from tests.routing.conftest import start_gateway


def test_saving_what_the_gateway_caches_bumps_the_version(alpha, team, alice):
    steps = [
        lambda: api_token_create(team=team, name="another", access="gateway", created_by=alice),
        lambda: Route.objects.create(team=team, name="extra", proprietary_backend=alpha.gpt),
        lambda: TeamBudget.objects.create(team=team, monthly_limit_usd=Decimal("5")),
        lambda: ModelOption.objects.filter(pk=alpha.gpt.catalog_model_id).get().save(),
        lambda: alpha.llama.save(),
        lambda: Route.objects.get(name="extra").delete(),
    ]
    for step in steps:
        before = config_version_read()
        step()
        assert config_version_read() == before + 1


def test_recording_token_use_does_not_bump_the_version(alpha, team):
    token = ApiToken.objects.get(team=team, name="gateway")
    before = config_version_read()
    api_token_touch(token=token)
    token.save(update_fields=["last_used_at"])
    assert config_version_read() == before


def test_the_poller_reloads_after_a_change(alpha, team, gateway_settings):
    gateway_settings.GATEWAY_CONFIG_POLL_S = 0.05
    polling = start_gateway()
    try:
        Route.objects.create(team=team, name="fresh", proprietary_backend=alpha.gpt)
        deadline = time.monotonic() + 5
        with polling.client(alpha.token) as client:
            while time.monotonic() < deadline:
                ids = [m["id"] for m in client.get("/v1/models").json()["data"]]
                if "fresh" in ids:
                    break
                time.sleep(0.05)
        assert "fresh" in ids
    finally:
        polling.stop()


def test_portal_serves_the_gateway_and_django_side_by_side(alpha):
    from portal.asgi import application

    server = uvicorn.Server(
        uvicorn.Config(application, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    try:
        headers = {"Authorization": f"Bearer {alpha.token}"}
        body = {"model": "auto", "messages": [{"role": "user", "content": "What is 1 + 1?"}]}
        gateway = httpx.post(url + "/v1/chat/completions", json=body, headers=headers)
        assert gateway.status_code == 200 and gateway.json()["choices"][0]["message"]["content"] == "2"
        page = httpx.get(url + "/accounts/login/")
        assert page.status_code == 200 and "<form" in page.text
    finally:
        server.should_exit = True
        thread.join(timeout=20)
