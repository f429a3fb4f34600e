"""Calling a backend: the one place a request is sent upstream and its answer read.

``backend_target`` turns a ``Backend`` row into plain values (key decrypted); ``backend_call`` sends
one non-streaming chat request and returns a ``CallResult`` (never raises: a failure or a timeout is
a result with ``error`` set). The gateway uses ``exchange`` and ``classify_error`` directly so that a
request follows exactly the same path whether it comes from a caller or from a probe.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from catalog.models import ModelKind, ModelOption
from routing.adapters import BackendTarget, Completion, UpstreamProtocolError, adapter_for
from routing.adapters.base import messages_chars
from routing.keys import KeyUnavailable, api_key_resolve
from routing.models import Backend
from routing.pricing import PriceCard, estimate_tokens, request_cost

__all__ = [
    "BackendTarget",
    "CallResult",
    "UpstreamFailure",
    "backend_call",
    "backend_target",
    "classify_error",
    "exchange",
    "price_card",
]


@dataclass(frozen=True)
class CallResult:
    text: str | None
    input_tokens: int
    output_tokens: int
    tokens_estimated: bool
    latency_ms: int
    cost_usd: Decimal
    gpu_seconds: Decimal | None
    error: str  # '' when ok
    status: int | None


@dataclass(frozen=True)
class UpstreamFailure:
    """Why a backend did not answer. ``retryable`` failures (connection, timeout, 429, 5xx) fall back."""

    kind: str  # connect | timeout | status | protocol | config
    message: str
    status: int | None = None  # the upstream's HTTP status, for kind == "status"
    retryable: bool = True

    @property
    def gateway_status(self) -> int:
        """The status a caller gets when no backend answered: 504 for a timeout, 502 otherwise."""
        return 504 if self.kind == "timeout" else 502


def price_card(option: ModelOption | None, *, backend_kind: str) -> PriceCard | None:
    """The catalog figures that price a backend's requests (None when it names no catalog model)."""
    if option is None:
        return None
    self_hosted = backend_kind == ModelKind.OPEN_SOURCE and option.instance_hourly_cost is not None
    return PriceCard(
        self_hosted=self_hosted,
        input_per_mtok=option.input_price_per_mtok,
        output_per_mtok=option.output_price_per_mtok,
        instance_hourly_cost=option.instance_hourly_cost,
        throughput_tokens_per_s=option.throughput_tokens_per_s,
    )


def backend_target(backend: Backend) -> BackendTarget:
    """Plain configuration for calling ``backend``; select_related('catalog_model') avoids a query."""
    key_error = ""
    try:
        api_key = api_key_resolve(encrypted=backend.api_key_encrypted, env_name=backend.api_key_env)
    except KeyUnavailable as exc:
        api_key, key_error = "", str(exc)
    return BackendTarget(
        id=backend.pk,
        team_id=backend.team_id,
        name=backend.name,
        kind=backend.kind,
        protocol=backend.protocol,
        base_url=backend.base_url,
        upstream_model=backend.upstream_model,
        connect_timeout_s=float(backend.connect_timeout_s),
        timeout_s=float(backend.timeout_s),
        api_key=api_key,
        price=price_card(backend.catalog_model, backend_kind=backend.kind),
        enabled=backend.enabled,
        key_error=key_error,
    )


_TIMEOUTS: dict[tuple[float, float], httpx.Timeout] = {}


def httpx_timeout(target: BackendTarget) -> httpx.Timeout:
    """Connect timeout as configured; reads and writes bounded by the total (one object per pair)."""
    key = (target.connect_timeout_s, target.timeout_s)
    timeout = _TIMEOUTS.get(key)
    if timeout is None:
        timeout = _TIMEOUTS[key] = httpx.Timeout(target.timeout_s, connect=target.connect_timeout_s)
    return timeout


def classify_error(exc: BaseException, target: BackendTarget) -> UpstreamFailure:
    """An exception raised while talking to a backend, as a failure the caller may be told about.

    Messages name the backend, never its URL's credentials or its key.
    """
    if isinstance(exc, (httpx.TimeoutException, TimeoutError)):
        return UpstreamFailure("timeout", f"Backend {target.name} did not answer in time.")
    if isinstance(exc, httpx.ConnectError):
        return UpstreamFailure("connect", f"Backend {target.name} could not be reached.")
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return UpstreamFailure("connect", f"Backend {target.name} closed the connection.")
    if isinstance(exc, UpstreamProtocolError):
        return UpstreamFailure("protocol", f"Backend {target.name}: {exc}", retryable=True)
    return UpstreamFailure("connect", f"Backend {target.name} failed ({type(exc).__name__}).")


def status_failure(status: int, target: BackendTarget) -> UpstreamFailure:
    retryable = status == 429 or status >= 500
    if status in (401, 403):
        message = f"Backend {target.name} refused the gateway's credentials (HTTP {status})."
    elif status == 429:
        message = f"Backend {target.name} is rate limited (HTTP 429)."
    else:
        message = f"Backend {target.name} answered HTTP {status}."
    return UpstreamFailure("status", message, status=status, retryable=retryable)


async def exchange(
    *, client: httpx.AsyncClient, target: BackendTarget, payload: dict[str, Any], request_id: str
) -> tuple[Completion | None, UpstreamFailure | None, bytes]:
    """One non-streaming request: (completion, None, b'') or (None, failure, upstream error body)."""
    if target.key_error:
        return None, UpstreamFailure("config", f"Backend {target.name}: {target.key_error}"), b""
    adapter = adapter_for(target.protocol)
    upstream = adapter.prepare(target, payload, stream=False)
    try:
        async with asyncio.timeout(target.timeout_s):
            response = await client.post(
                upstream.url,
                content=upstream.content,
                headers=upstream.headers,
                timeout=httpx_timeout(target),
            )
        if response.status_code >= 400:
            return None, status_failure(response.status_code, target), response.content
        return adapter.parse(target, response.content, request_id=request_id), None, b""
    except (httpx.HTTPError, TimeoutError, UpstreamProtocolError) as exc:
        return None, classify_error(exc, target), b""


def completion_counts(
    completion: Completion, payload_messages: list[dict[str, Any]]
) -> tuple[int, int, bool]:
    """(input, output, estimated): the upstream's usage, or estimates from the text when it gave none."""
    if completion.input_tokens is not None and completion.output_tokens is not None:
        return completion.input_tokens, completion.output_tokens, False
    return (
        estimate_tokens(messages_chars(payload_messages)),
        estimate_tokens(len(completion.text or "")),
        True,
    )


async def backend_call(
    *,
    client: httpx.AsyncClient,
    target: BackendTarget,
    messages: list[dict[str, Any]],
    max_tokens: int | None = None,
) -> CallResult:
    """Send one chat request to the backend and price it; a failure is a result with ``error`` set."""
    payload: dict[str, Any] = {"model": target.upstream_model, "messages": messages}
    if max_tokens is not None:
        payload["max_tokens"] = max_tokens
    started = time.perf_counter()
    completion, failure, _ = await exchange(client=client, target=target, payload=payload, request_id="call")
    latency_ms = int((time.perf_counter() - started) * 1000)
    if completion is None:
        assert failure is not None
        return CallResult(
            text=None,
            input_tokens=0,
            output_tokens=0,
            tokens_estimated=False,
            latency_ms=latency_ms,
            cost_usd=Decimal(0),
            gpu_seconds=None,
            error=failure.message,
            status=failure.status,
        )
    input_tokens, output_tokens, estimated = completion_counts(completion, messages)
    cost = request_cost(
        card=target.price, input_tokens=input_tokens, output_tokens=output_tokens, latency_ms=latency_ms
    )
    return CallResult(
        text=completion.text,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        tokens_estimated=estimated,
        latency_ms=latency_ms,
        cost_usd=cost.cost_usd,
        gpu_seconds=cost.gpu_seconds,
        error="",
        status=200,
    )
