"""The gateway: a small ASGI application for ``/v1/chat/completions``, ``/v1/models`` and ``/api/route/``.

Nothing on the request path touches Django's request cycle, the ORM or a template: a request is
authenticated against the in-memory snapshot (token digests), routed by task type or route name,
sent to the backend the route's share picks (sticky per caller), retried once on the route's other
backend when the first fails before any byte reached the caller, priced from the catalog figures held
in memory and logged into a buffer that a background task writes in bulk. See docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from django.conf import settings
from django.db import connections

from portal.tokens import token_digest
from routing.adapters import BackendTarget, Completion, SSERelay, UpstreamProtocolError, adapter_for
from routing.adapters.base import completion_as_sse, messages_chars
from routing.breaker import CircuitBreaker
from routing.budget import LocalLedger, RedisLedger
from routing.calls import (
    UpstreamFailure,
    classify_error,
    completion_counts,
    exchange,
    httpx_timeout,
    status_failure,
)
from routing.gateway.logwriter import LogWriter
from routing.gateway.snapshot import (
    AUTO,
    EMPTY,
    RouteEntry,
    Snapshot,
    TeamConfig,
    TokenEntry,
    config_version_read,
    models_body,
    snapshot_load,
)
from routing.gateway.validation import RequestInvalid, chat_request_validate, route_request_validate
from routing.picking import route_choose_backend, shadow_sampled
from routing.pricing import estimate_tokens, request_cost

logger = logging.getLogger("routing.gateway")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
ROUTE_PATHS = ("/api/route/", "/api/route")
JSON = b"application/json"
SSE_HEADERS = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]
CLIENT_CLOSED = 499  # nginx's convention for "the caller went away": logged, never sent

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    429: "insufficient_quota",
    502: "upstream_error",
    504: "timeout_error",
}


def gateway_path(path: str) -> bool:
    """Paths the gateway answers; everything else belongs to Django."""
    return path.startswith("/v1/") or path in ROUTE_PATHS


def error_body(
    status: int, message: str, *, param: str | None = None, code: str | None = None, fields: Any = None
) -> bytes:
    error: dict[str, Any] = {
        "message": message,
        "type": ERROR_TYPES.get(status, "api_error"),
        "param": param,
        "code": code,
    }
    if fields:
        error["fields"] = fields
    return orjson.dumps({"error": error})


def _header_value(text: str) -> bytes:
    return text.encode() if text.isascii() else quote(text, safe=" -_.~()").encode()


class GatewayError(Exception):
    """A refusal the caller is told about, OpenAI-shaped."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        fields: Any = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code, self.fields = status, message, param, code, fields


class Exchange:
    """One request's state from authentication to its log row."""

    __slots__ = (
        "backend",
        "caller",
        "created_at",
        "error",
        "fallback_used",
        "include_usage",
        "input_tokens",
        "output_tokens",
        "payload",
        "request_id",
        "route",
        "shape",
        "started",
        "status",
        "stream",
        "task_type",
        "token",
        "tokens_estimated",
        "ttft_ms",
    )

    def __init__(self, *, request_id: str, token: TokenEntry, shape: str) -> None:
        self.request_id = request_id
        self.token = token
        self.shape = shape  # "chat" (OpenAI) or "route" (the article's simple shape)
        self.started = time.perf_counter()
        self.created_at = dt.datetime.now(dt.UTC)
        self.payload: dict[str, Any] = {}
        self.task_type = ""
        self.caller = ""
        self.stream = False
        self.include_usage = False
        self.route: RouteEntry | None = None
        self.backend: BackendTarget | None = None
        self.fallback_used = False
        self.status = 0
        self.error = ""
        self.ttft_ms: int | None = None
        self.input_tokens = 0
        self.output_tokens = 0
        self.tokens_estimated = False

    def elapsed_ms(self) -> int:
        return int((time.perf_counter() - self.started) * 1000)

    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [(b"x-request-id", self.request_id.encode())]
        if self.route is not None:
            headers.append((b"x-modelwise-route", _header_value(self.route.name)))
        if self.backend is not None:
            headers.append((b"x-modelwise-backend", _header_value(self.backend.name)))
            headers.append((b"x-modelwise-fallback", b"true" if self.fallback_used else b"false"))
        return headers


class GatewayApp:
    """The data plane. ``fallback`` (Django) serves every path the gateway does not own."""

    def __init__(self, fallback: ASGIApp | None = None) -> None:
        self.fallback = fallback
        self.snapshot: Snapshot = EMPTY
        self.breakers: dict[int, CircuitBreaker] = {}
        self._published: dict[int, int] = {}  # backend id -> breaker version last published
        self._last_ok: dict[int, dt.datetime] = {}
        self._last_error_at: dict[int, dt.datetime] = {}
        self.client: httpx.AsyncClient | None = None
        self.ledger: LocalLedger = LocalLedger()
        self.writer: LogWriter | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-db")
        self._poller: asyncio.Task[None] | None = None
        self._start_lock: asyncio.Lock | None = None
        self.started = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.max_body = settings.GATEWAY_MAX_BODY_BYTES
        self.max_tokens = settings.GATEWAY_MAX_TOKENS

    # ---------------------------------------------------------------- lifecycle

    async def startup(self) -> None:
        """Open the upstream pool, load the configuration, start the poller and the log writer."""
        if self.started:
            return
        if self._start_lock is None:
            self._start_lock = asyncio.Lock()
        async with self._start_lock:
            if self.started:
                return
            self.loop = asyncio.get_running_loop()
            limits = httpx.Limits(
                max_connections=settings.GATEWAY_MAX_CONNECTIONS,
                max_keepalive_connections=settings.GATEWAY_MAX_CONNECTIONS,
                keepalive_expiry=60,
            )
            # Retries off: the gateway's own loop decides when to try the other backend.
            self.client = httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(retries=0, limits=limits),
                timeout=httpx.Timeout(60, connect=5),
                follow_redirects=False,
                trust_env=False,
            )
            redis_url = settings.GATEWAY_REDIS_URL
            self.ledger = (
                RedisLedger(redis_url, prefix=settings.GATEWAY_BUDGET_KEY_PREFIX)
                if redis_url
                else LocalLedger()
            )
            self.writer = LogWriter(
                executor=self._executor,
                flush_interval_s=settings.GATEWAY_LOG_FLUSH_S,
                batch_size=settings.GATEWAY_LOG_BATCH,
                collect_health=self._health_changes,
                limited_team_ids=self._limited_team_ids,
                on_flushed=self.ledger.flushed,
            )
            try:
                await self.reload(force=True)
            except Exception:
                logger.exception("Loading the gateway configuration failed; retrying in the background.")
            self.writer.start()
            self._poller = asyncio.create_task(self._poll(), name="gateway-config-poll")
            self.started = True

    async def shutdown(self) -> None:
        """Stop polling, write every buffered log, close the pool."""
        if not self.started:
            return
        self.started = False
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
        if self.writer is not None:
            await self.writer.stop()
        if self.client is not None:
            await self.client.aclose()
        await self.ledger.close()
        # Close the database thread's connection: the process (or test) may go on without us.
        await asyncio.get_running_loop().run_in_executor(self._executor, connections.close_all)

    async def _in_db_thread(self, job: Callable[[], Any]) -> Any:
        from routing.gateway.logwriter import _db_job

        return await asyncio.get_running_loop().run_in_executor(self._executor, _db_job, job)

    async def reload(self, *, force: bool = False) -> bool:
        """Reload the snapshot if the configuration version moved (or ``force``); True when reloaded."""
        if not force:
            version = await self._in_db_thread(config_version_read)
            if version == self.snapshot.version:
                return False
        snapshot: Snapshot = await self._in_db_thread(snapshot_load)
        self.snapshot = snapshot
        self.ledger.written.update(snapshot.month_spend)
        return True

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(settings.GATEWAY_CONFIG_POLL_S)
            try:
                await self.reload()
            except Exception:
                logger.exception("Checking the gateway configuration version failed.")

    def _limited_team_ids(self) -> list[int]:
        return [tid for tid, team in self.snapshot.teams.items() if team.monthly_limit_usd is not None]

    def breaker(self, backend_id: int) -> CircuitBreaker:
        breaker = self.breakers.get(backend_id)
        if breaker is None:
            breaker = self.breakers[backend_id] = CircuitBreaker(
                failure_threshold=settings.GATEWAY_BREAKER_FAILURES,
                cooldown_s=settings.GATEWAY_BREAKER_COOLDOWN_S,
            )
        return breaker

    def _health_changes(self) -> list[dict[str, Any]]:
        """Breakers whose state or failure count changed since the last publication."""
        changes = []
        for backend_id, breaker in self.breakers.items():
            state = breaker.current_state()
            if self._published.get(backend_id) == breaker.version:
                continue
            self._published[backend_id] = breaker.version
            changes.append(
                {
                    "backend_id": backend_id,
                    "breaker_state": state,
                    "consecutive_failures": breaker.failures,
                    "last_error": breaker.last_error,
                    "last_error_at": self._last_error_at.get(backend_id),
                    "last_success_at": self._last_ok.get(backend_id),
                }
            )
        return changes

    def _record_success(self, backend: BackendTarget) -> None:
        breaker = self.breaker(backend.id)
        if breaker.failures or breaker.state != "closed" or backend.id not in self._last_ok:
            self._last_ok[backend.id] = dt.datetime.now(dt.UTC)
            breaker.record_success()
            breaker.version += 1  # publish the recovery

    def _record_failure(self, backend: BackendTarget, failure: UpstreamFailure) -> None:
        self._last_error_at[backend.id] = dt.datetime.now(dt.UTC)
        self.breaker(backend.id).record_failure(failure.message)

    # ---------------------------------------------------------------- ASGI

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" and gateway_path(scope["path"]):
            if not self.started:
                await self.startup()
            await self.handle(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(scope, receive, send)
        elif self.fallback is not None:
            await self.fallback(scope, receive, send)
        elif kind == "http":
            if scope["path"] == "/health":
                await self._respond(send, 200, b'{"status":"ok"}')
            else:
                await self._respond(
                    send, 404, error_body(404, "Not found: the gateway serves /v1/ and /api/route/.")
                )

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _respond(
        self, send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", JSON),
                    (b"content-length", str(len(body)).encode()),
                    *(headers or ()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        request_id = "req_" + os.urandom(12).hex()
        headers = dict(scope["headers"])
        ex: Exchange | None = None
        try:
            if path == CHAT_PATH or path in ROUTE_PATHS:
                if method != "POST":
                    raise GatewayError(405, f"Use POST for {path}.")
            elif path == MODELS_PATH:
                if method != "GET":
                    raise GatewayError(405, f"Use GET for {path}.")
            else:
                raise GatewayError(
                    404, f"Unknown path {path}: the gateway serves {CHAT_PATH} and {MODELS_PATH}."
                )
            token = self._authenticate(headers)
            team = self.snapshot.teams.get(token.team_id) or TeamConfig()
            if path == MODELS_PATH:
                body = team.models_body or models_body(team)
                await self._respond(send, 200, body, [(b"x-request-id", request_id.encode())])
                return
            ex = Exchange(request_id=request_id, token=token, shape="chat" if path == CHAT_PATH else "route")
            body = await self._read_body(headers, receive)
            self._parse(ex, body, headers)
            await self._check_budget(ex, team)
            ex.route = team.route_for(model=str(ex.payload.get("model", AUTO)), task_type=ex.task_type)
            if ex.route is None:
                raise self._unknown_route(ex)
            await self._serve(ex, receive, send)
        except GatewayError as exc:
            body = error_body(exc.status, exc.message, param=exc.param, code=exc.code, fields=exc.fields)
            await self._respond(
                send, exc.status, body, ex.headers() if ex else [(b"x-request-id", request_id.encode())]
            )
            if ex is not None:
                ex.status, ex.error = exc.status, exc.message
                self._log(ex)

    # ---------------------------------------------------------------- request steps

    def _authenticate(self, headers: dict[bytes, bytes]) -> TokenEntry:
        raw = headers.get(b"authorization", b"")
        if not raw:
            raise GatewayError(
                401, "Send a team token: 'Authorization: Bearer mw_...'.", code="missing_token"
            )
        scheme, _, secret = raw.decode("latin-1").partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret.startswith("mw_"):
            raise GatewayError(
                401, "Malformed token header: use 'Authorization: Bearer mw_...'.", code="invalid_token"
            )
        token = self.snapshot.tokens.get(token_digest(secret))
        if token is None:
            raise GatewayError(401, "Invalid or revoked token.", code="invalid_token")
        if not token.may_call_gateway:
            raise GatewayError(
                403,
                "This token is read-only: the gateway needs a gateway or read-write token.",
                code="token_read_only",
            )
        return token

    async def _read_body(self, headers: dict[bytes, bytes], receive: Receive) -> bytes:
        declared = headers.get(b"content-length")
        too_large = GatewayError(
            413,
            f"The request body is larger than the gateway's limit of {self.max_body:,} bytes.",
            code="body_too_large",
        )
        if declared is not None:
            try:
                if int(declared) > self.max_body:
                    raise too_large
            except ValueError:
                raise GatewayError(400, "Malformed Content-Length header.") from None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise GatewayError(400, "The caller disconnected while sending the request.")
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > self.max_body:
                    raise too_large
                chunks.append(chunk)
            if not message.get("more_body"):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    def _parse(self, ex: Exchange, body: bytes, headers: dict[bytes, bytes]) -> None:
        if not body:
            raise GatewayError(400, "The request body is empty: send a JSON object.", param="body")
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise GatewayError(
                400, "The request body is not valid JSON.", param="body", code="invalid_json"
            ) from None
        header_task = headers.get(b"x-task-type")
        try:
            if ex.shape == "chat":
                ex.task_type = chat_request_validate(
                    data,
                    max_tokens_limit=self.max_tokens,
                    header_task_type=header_task.decode("latin-1") if header_task is not None else None,
                )
                ex.payload = data
                ex.stream = data.get("stream") is True
                options = data.get("stream_options")
                ex.include_usage = isinstance(options, dict) and options.get("include_usage") is True
            else:
                ex.task_type, prompt = route_request_validate(data, max_tokens_limit=self.max_tokens)
                ex.payload = {"model": AUTO, "messages": [{"role": "user", "content": prompt}]}
                if data.get("max_tokens") is not None:
                    ex.payload["max_tokens"] = data["max_tokens"]
                if data.get("user"):
                    ex.payload["user"] = data["user"]
        except RequestInvalid as exc:
            first = next(iter(exc.fields))
            raise GatewayError(
                400, f"Invalid request: {exc}", param=first, code="invalid_value", fields=exc.fields
            ) from None
        session = headers.get(b"x-session-id")
        user = ex.payload.get("user")
        ex.caller = session.decode("latin-1")[:256] if session else (user if isinstance(user, str) else "")

    async def _check_budget(self, ex: Exchange, team: TeamConfig) -> None:
        limit = team.monthly_limit_usd
        if limit is None:
            return
        spent = await self.ledger.spent(ex.token.team_id)
        if spent >= limit:
            raise GatewayError(
                429,
                f"Your team's monthly gateway budget of ${limit:,.2f} is spent (${spent:,.2f} this month): "
                "requests are refused until an owner raises the limit or the month ends.",
                code="budget_exceeded",
            )

    def _unknown_route(self, ex: Exchange) -> GatewayError:
        model = str(ex.payload.get("model", AUTO))
        if model == AUTO:
            what = f"task type '{ex.task_type}'" if ex.task_type else "requests without a task type"
            return GatewayError(
                404,
                f"No route serves {what} and your team has no default route.",
                param="model",
                code="route_not_found",
            )
        return GatewayError(
            404,
            f"No route named '{model[:100]}' in your team: use \"auto\" or a route from GET /v1/models.",
            param="model",
            code="route_not_found",
        )

    # ---------------------------------------------------------------- serving

    async def _serve(self, ex: Exchange, receive: Receive, send: Send) -> None:
        """Try the picked backend, then (once) the route's other one, unless a byte already went out."""
        assert ex.route is not None
        snapshot = self.snapshot
        first, second = route_choose_backend(ex.route.pair, caller=ex.caller)
        failure: UpstreamFailure | None = None
        failure_body = b""
        for index, backend_id in enumerate((first, second)):
            if backend_id is None:
                continue
            target = snapshot.backends.get(backend_id)
            if target is None or not target.enabled:
                failure = failure or UpstreamFailure(
                    "config", f"The route's backend {backend_id} is disabled."
                )
                continue
            if not self.breaker(backend_id).allow():
                failure = failure or UpstreamFailure(
                    "open", f"Backend {target.name} is skipped for a while after repeated failures."
                )
                continue
            ex.backend, ex.fallback_used = target, index > 0
            if ex.stream and adapter_for(target.protocol).streams:
                failure, failure_body = await self._attempt_stream(ex, target, receive, send)
            else:
                failure, failure_body = await self._attempt(ex, target, send)
            if failure is None:
                return
            if not failure.retryable:
                break
        await self._fail(ex, failure, failure_body, send)

    async def _fail(
        self, ex: Exchange, failure: UpstreamFailure | None, upstream_body: bytes, send: Send
    ) -> None:
        if failure is None:
            failure = UpstreamFailure("config", f"Route {ex.route.name if ex.route else ''} has no backend.")
        if (
            failure.kind == "status"
            and failure.status
            and not failure.retryable
            and failure.status not in (401, 403)
        ):
            # The backend refused this request (e.g. a 400): pass its status on, with its message.
            status, message = (
                failure.status,
                f"{failure.message} {self._upstream_message(upstream_body, ex)}".strip(),
            )
        else:
            status, message = failure.gateway_status, failure.message
        raise GatewayError(status, message, code="upstream_timeout" if status == 504 else "upstream_failed")

    @staticmethod
    def _upstream_message(body: bytes, ex: Exchange) -> str:
        try:
            data = orjson.loads(body)
            message = (
                str(data["error"]["message"]) if isinstance(data.get("error"), dict) else str(data["error"])
            )
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            return ""
        key = ex.backend.api_key if ex.backend else ""
        if key and key in message:
            message = message.replace(key, "[key]")
        return message[:300]

    def _price(self, ex: Exchange, target: BackendTarget) -> tuple[Decimal, Decimal | None, int]:
        latency_ms = ex.elapsed_ms()
        cost = request_cost(
            card=target.price,
            input_tokens=ex.input_tokens,
            output_tokens=ex.output_tokens,
            latency_ms=latency_ms,
        )
        return cost.cost_usd, cost.gpu_seconds, latency_ms

    async def _attempt(
        self, ex: Exchange, target: BackendTarget, send: Send
    ) -> tuple[UpstreamFailure | None, bytes]:
        assert self.client is not None
        completion, failure, failure_body = await exchange(
            client=self.client, target=target, payload=ex.payload, request_id=ex.request_id
        )
        if completion is None:
            assert failure is not None
            if failure.retryable:
                self._record_failure(target, failure)
            else:  # the backend is up, it refused this request: that settles a half-open probe
                self._record_success(target)
            return failure, failure_body
        self._record_success(target)
        ex.input_tokens, ex.output_tokens, ex.tokens_estimated = completion_counts(
            completion, ex.payload["messages"]
        )
        cost, gpu_seconds, latency_ms = self._price(ex, target)
        ex.ttft_ms = latency_ms
        if ex.shape == "route":
            body = self._route_body(ex, completion, target, cost, latency_ms)
        elif ex.stream:  # a backend that cannot stream: the whole answer as one chunk
            body = completion_as_sse(
                text=completion.text or "",
                model=target.upstream_model or target.name,
                request_id=ex.request_id,
                input_tokens=ex.input_tokens,
                output_tokens=ex.output_tokens,
                include_usage=ex.include_usage,
            )
            # Counted before the caller has the answer, so its next request sees the spend on any replica.
            await self._finish(ex, 200, cost, gpu_seconds, latency_ms, reference_text=completion.text)
            await send(
                {"type": "http.response.start", "status": 200, "headers": [*SSE_HEADERS, *ex.headers()]}
            )
            await send({"type": "http.response.body", "body": body})
            return None, b""
        else:
            body = completion.body
        await self._finish(ex, 200, cost, gpu_seconds, latency_ms, reference_text=completion.text)
        await self._respond(send, 200, body, ex.headers())
        return None, b""

    @staticmethod
    def _route_body(
        ex: Exchange, completion: Completion, target: BackendTarget, cost: Decimal, latency_ms: int
    ) -> bytes:
        return orjson.dumps(
            {
                "text": completion.text,
                "backend": target.name,
                "route": ex.route.name if ex.route else "",
                "fallback_used": ex.fallback_used,
                "usage": {
                    "input_tokens": ex.input_tokens,
                    "output_tokens": ex.output_tokens,
                    "estimated": ex.tokens_estimated,
                },
                "cost": str(cost),
                "latency_ms": latency_ms,
                "request_id": ex.request_id,
            }
        )

    async def _attempt_stream(
        self, ex: Exchange, target: BackendTarget, receive: Receive, send: Send
    ) -> tuple[UpstreamFailure | None, bytes]:
        """Relay an upstream stream. Failures before the first event fall back; later ones end the stream."""
        assert self.client is not None
        if target.key_error:
            failure = UpstreamFailure("config", f"Backend {target.name}: {target.key_error}")
            self._record_failure(target, failure)
            return failure, b""
        upstream = adapter_for(target.protocol).prepare(target, ex.payload, stream=True)
        request = self.client.build_request(
            "POST",
            upstream.url,
            content=upstream.content,
            headers=upstream.headers,
            timeout=httpx_timeout(target),
        )
        relay = SSERelay(forward_usage=ex.include_usage)
        response: httpx.Response | None = None
        try:
            async with asyncio.timeout(target.timeout_s):
                response = await self.client.send(request, stream=True)
                if response.status_code >= 400:
                    error_content = await response.aread()
                    await response.aclose()
                    failure = status_failure(response.status_code, target)
                    if failure.retryable:
                        self._record_failure(target, failure)
                    else:
                        self._record_success(target)
                    return failure, error_content
                chunks = response.aiter_bytes()
                first = b""
                while not first:
                    first = relay.feed(await chunks.__anext__())
        except (httpx.HTTPError, TimeoutError, StopAsyncIteration) as exc:
            if response is not None:
                await response.aclose()
            failure = (
                UpstreamFailure("protocol", f"Backend {target.name} ended the stream before any event.")
                if isinstance(exc, StopAsyncIteration)
                else classify_error(exc, target)
            )
            self._record_failure(target, failure)
            return failure, b""

        # The first event is ready: from here on the caller is committed to this backend.
        ex.ttft_ms = ex.elapsed_ms()
        await send({"type": "http.response.start", "status": 200, "headers": [*SSE_HEADERS, *ex.headers()]})
        await send({"type": "http.response.body", "body": first, "more_body": True})
        disconnected = asyncio.ensure_future(receive())  # completes when the caller goes away
        status, error = 200, ""
        try:
            async for chunk in chunks:
                data = relay.feed(chunk)
                if data:
                    if disconnected.done():
                        status, error = CLIENT_CLOSED, "The caller closed the connection mid-stream."
                        break
                    await send({"type": "http.response.body", "body": data, "more_body": True})
            else:
                if not relay.done and relay._buffer.strip():
                    await send(
                        {"type": "http.response.body", "body": relay._buffer + b"\n\n", "more_body": True}
                    )
        except (httpx.HTTPError, UpstreamProtocolError) as exc:
            failure = classify_error(exc, target)
            status, error = failure.gateway_status, f"{failure.message} The stream was cut after it started."
            self._record_failure(target, failure)
            event = {
                "error": {"message": error, "type": ERROR_TYPES[status], "param": None, "code": "stream_cut"}
            }
            await send(
                {
                    "type": "http.response.body",
                    "body": b"data: " + orjson.dumps(event) + b"\n\n",
                    "more_body": True,
                }
            )
        finally:
            disconnected.cancel()
            await response.aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if status in (200, CLIENT_CLOSED):
            self._record_success(target)
        if relay.input_tokens is not None and relay.output_tokens is not None:
            ex.input_tokens, ex.output_tokens = relay.input_tokens, relay.output_tokens
        else:
            ex.input_tokens = estimate_tokens(messages_chars(ex.payload["messages"]))
            ex.output_tokens = estimate_tokens(relay.output_chars())
            ex.tokens_estimated = True
        cost, gpu_seconds, latency_ms = self._price(ex, target)
        ex.error = error
        text = relay.output_text() if status == 200 and self._shadowed(ex, target) else None
        await self._finish(ex, status, cost, gpu_seconds, latency_ms, reference_text=text)
        return None, b""

    # ---------------------------------------------------------------- accounting

    async def _finish(
        self,
        ex: Exchange,
        status: int,
        cost: Decimal,
        gpu_seconds: Decimal | None,
        latency_ms: int,
        *,
        reference_text: str | None = None,
    ) -> None:
        ex.status = status
        self._log(ex, cost=cost, gpu_seconds=gpu_seconds, latency_ms=latency_ms)
        if (
            status == 200
            and reference_text is not None
            and ex.route is not None
            and ex.backend is not None
            and self.writer is not None
            and self._shadowed(ex, ex.backend)
        ):
            self.writer.add_shadow(
                {
                    "team_id": ex.token.team_id,
                    "route_id": ex.route.id,
                    "request_id": ex.request_id,
                    "messages": ex.payload.get("messages") or [],
                    "reference_text": reference_text,
                    "task_type": ex.task_type,
                    "max_tokens": ex.payload.get("max_tokens"),
                }
            )
        team = self.snapshot.teams.get(ex.token.team_id)
        if cost and team is not None and team.monthly_limit_usd is not None:
            await self.ledger.add(ex.token.team_id, cost)
        elif cost:
            await LocalLedger.add(self.ledger, ex.token.team_id, cost)

    @staticmethod
    def _shadowed(ex: Exchange, target: BackendTarget) -> bool:
        """A proprietary answer on a route with shadow sampling, picked by its request id."""
        route = ex.route
        return (
            route is not None
            and bool(route.shadow_rate)
            and target.kind == "proprietary"
            and route.pair.open_source_backend_id is not None
            and shadow_sampled(route.shadow_rate, ex.request_id)
        )

    def _log(
        self,
        ex: Exchange,
        *,
        cost: Decimal = Decimal(0),
        gpu_seconds: Decimal | None = None,
        latency_ms: int | None = None,
    ) -> None:
        if self.writer is None:
            return
        route, backend = ex.route, ex.backend
        self.writer.add(
            {
                "team_id": ex.token.team_id,
                "created_at": ex.created_at,
                "request_id": ex.request_id,
                "route_id": route.id if route else None,
                "route_name": route.name if route else "",
                "backend_id": backend.id if backend else None,
                "backend_name": backend.name if backend else "",
                "backend_kind": backend.kind if backend else "",
                "task_type": ex.task_type,
                "stream": ex.stream,
                "fallback_used": ex.fallback_used,
                "status_code": ex.status,
                "error": ex.error[:300],
                "latency_ms": ex.elapsed_ms() if latency_ms is None else latency_ms,
                "ttft_ms": ex.ttft_ms,
                "input_tokens": ex.input_tokens,
                "output_tokens": ex.output_tokens,
                "tokens_estimated": ex.tokens_estimated,
                "cost_usd": cost,
                "gpu_seconds": gpu_seconds,
            },
            ex.token.token_id,
        )
