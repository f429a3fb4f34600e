from __future__ import annotations

# ---------------------------------------------------------------------------- the running gateway
import asyncio
import threading
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

import httpx
import pytest
import uvicorn

from portal.services import api_token_create
from routing.gateway.app import GatewayApp
from routing.keys import api_key_encrypt
from routing.models import Backend, Route
from tests.factories import ModelOptionFactory

GPT_KEY = "sk-proprietary-secret-0001"
LLAMA_KEY = "sk-selfhosted-secret-0002"


@dataclass
class RunningGateway:
    app: GatewayApp
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def _run(self, coro):
        assert self.app.loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self.app.loop).result(timeout=20)

    def reload(self) -> None:
        """Pick up configuration saved since start (what the 1 s poll does in production)."""
        self._run(self.app.reload(force=True))

    def flush(self) -> None:
        """Write the buffered request logs now (the background writer does this every second)."""
        assert self.app.writer is not None
        self._run(self.app.writer.flush())

    def client(self, token: str, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=30, **kw)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def start_gateway() -> RunningGateway:
    app = GatewayApp()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, lifespan="on", log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="gateway-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The gateway did not start.")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    return RunningGateway(app=app, url=f"http://127.0.0.1:{port}", server=server, thread=thread)


@pytest.fixture
def gateway_settings(settings):
    settings.GATEWAY_CONFIG_POLL_S = 3600  # tests reload explicitly
    settings.GATEWAY_LOG_FLUSH_S = 3600  # and flush explicitly
    settings.GATEWAY_REDIS_URL = ""
    settings.GATEWAY_BUDGET_KEY_PREFIX = f"modelwise-test:{uuid.uuid4().hex}"
    settings.GATEWAY_BREAKER_FAILURES = 3
    settings.GATEWAY_BREAKER_COOLDOWN_S = 30
    return settings


@pytest.fixture
def priced_models(transactional_db):
    """A proprietary model at $10/$30 per 1M tokens; a self-hosted one at $4.50/h and 1,000 tokens/s."""
    return {
        "gpt": ModelOptionFactory(
            name="GPT Test",
            kind="proprietary",
            input_price_per_mtok=Decimal("10"),
            output_price_per_mtok=Decimal("30"),
        ),
        "llama": ModelOptionFactory(
            name="Llama Test",
            kind="open_source",
            input_price_per_mtok=None,
            output_price_per_mtok=None,
            instance_hourly_cost=Decimal("4.50"),
            throughput_tokens_per_s=1000,
        ),
    }


def backend_create(team, name: str, kind: str, base_url: str, **fields) -> Backend:
    key = fields.pop("key", "")
    return Backend.objects.create(
        team=team,
        name=name,
        kind=kind,
        base_url=base_url,
        upstream_model=fields.pop("upstream_model", name),
        api_key_encrypted=api_key_encrypt(key) if key else "",
        **fields,
    )


@dataclass
class GatewaySetup:
    gateway: RunningGateway
    token: str
    gpt: Backend
    llama: Backend
    general: Route
    analysis: Route

    def client(self, **kw) -> httpx.Client:
        return self.gateway.client(self.token, **kw)


@pytest.fixture
def alpha(transactional_db, gateway_settings, team, alice, upstream, priced_models):
    """Team Alpha: "gpt" (proprietary) and "llama" (self-hosted), both at the local upstream; a default
    route "general" sending everything to llama, and "analysis" (analysis, reasoning, creative) to gpt:
    the article's rule. The gateway runs in a thread with a gateway-only token."""
    gpt = backend_create(
        team, "gpt", "proprietary", upstream.url(), key=GPT_KEY, catalog_model=priced_models["gpt"]
    )
    llama = backend_create(
        team, "llama", "open_source", upstream.url(), key=LLAMA_KEY, catalog_model=priced_models["llama"]
    )
    general = Route.objects.create(
        team=team,
        name="general",
        is_default=True,
        proprietary_backend=gpt,
        open_source_backend=llama,
        open_source_share=100,
    )
    analysis = Route.objects.create(
        team=team,
        name="analysis",
        task_types=["analysis", "reasoning", "creative"],
        proprietary_backend=gpt,
        open_source_backend=llama,
        open_source_share=0,
    )
    token = api_token_create(team=team, name="gateway", access="gateway", created_by=alice)[1]
    gateway = start_gateway()
    yield GatewaySetup(gateway=gateway, token=token, gpt=gpt, llama=llama, general=general, analysis=analysis)
    gateway.stop()
