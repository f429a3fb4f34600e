"""A small local model server for development and tests: OpenAI-compatible and simple JSON.

``python -m routing.local_upstream --port 8100 [--latency-ms 20] [--failure-rate 0.1] [--seed 7]``

* ``POST /v1/chat/completions`` (streamed or not, with ``usage``), ``GET /v1/models``,
  ``POST /simple`` (``{"prompt"}`` -> ``{"text", "usage"}``), ``GET /health``, ``GET /__stats``.
* Deterministic answers: ``Reply with exactly: X`` in the last user message answers X; ``What is A + B?``
  (integers) answers the sum; anything else a fixed sentence derived from the prompt. A model whose
  name contains ``bad`` answers ``I am not sure.`` to everything.
* Failures on purpose: ``--failure-rate`` answers that fraction of chat requests with 503 (seeded);
  per request the headers ``X-Upstream-Latency-Ms`` and ``X-Upstream-Fail: 1``; per backend a path
  prefix ``/t/<directives>/`` before ``v1`` or ``simple``, directives separated by ``;``: ``status=429``,
  ``latency=200`` (ms), ``cut=2`` (stream two content events, then drop the connection), ``nousage``
  (omit usage), ``garbage`` (answer 200 with a body that is not JSON).

No Django: importable as an ASGI app (``LocalUpstream``) or started in a thread for tests with
``serve_in_thread(port=0) -> (host, port, stop)``. Binds loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
REPLY_EXACTLY = re.compile(r"Reply with exactly:\s*(.+?)\s*$", re.DOTALL)
ADDITION = re.compile(r"What is\s+(-?\d+)\s*\+\s*(-?\d+)\s*\?")
WORDS = re.compile(r"\S+\s*")


def answer_for(*, prompt: str, model: str = "") -> str:
    """The deterministic answer to a prompt (see the module docstring)."""
    if "bad" in model.lower():
        return "I am not sure."
    exact = REPLY_EXACTLY.search(prompt)
    if exact:
        return exact.group(1)
    addition = ADDITION.search(prompt)
    if addition:
        return str(int(addition.group(1)) + int(addition.group(2)))
    words = prompt.split()
    topic = " ".join(words[:6]) if words else "nothing"
    return f"Here is a local answer about: {topic}."


def token_count(text: str) -> int:
    """Deterministic token count: one per 4 characters, at least 1."""
    return max(1, (len(text) + 3) // 4)


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def parse_directives(path: str) -> tuple[str, dict[str, str]]:
    """``/t/status=429;latency=5/v1/chat/completions`` -> (``/v1/chat/completions``, directives)."""
    if not path.startswith("/t/"):
        return path, {}
    head, _, rest = path[3:].partition("/")
    directives: dict[str, str] = {}
    for item in head.split(";"):
        if item:
            key, _, value = item.partition("=")
            directives[key] = value
    return "/" + rest, directives


class LocalUpstream:
    """The ASGI application. Its settings may be changed while it runs (tests flip failures on and off)."""

    def __init__(
        self, *, latency_ms: float = 0.0, failure_rate: float = 0.0, seed: int | None = None
    ) -> None:
        self.latency_ms = latency_ms
        self.failure_rate = failure_rate
        self.rng = random.Random(seed)
        self.stats: dict[str, int] = {"requests": 0, "chat": 0, "stream": 0, "simple": 0, "failures": 0}
        # Authorization headers received (the last 100), so tests can prove the key was sent.
        self.seen_authorization: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        self.stats["requests"] += 1
        path, directives = parse_directives(scope["path"])
        method = scope["method"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if "authorization" in headers:
            self.seen_authorization = [*self.seen_authorization[-99:], headers["authorization"]]
        if method == "GET" and path in ("/health", "/"):
            await _json(send, 200, {"status": "ok"})
        elif method == "GET" and path == "/__stats":
            await _json(send, 200, self.stats)
        elif method == "GET" and path in ("/v1/models", "/models"):
            await _json(
                send,
                200,
                {"object": "list", "data": [{"id": "local-model", "object": "model", "owned_by": "local"}]},
            )
        elif method == "POST" and path in ("/v1/chat/completions", "/chat/completions", "/simple"):
            body = await _read_body(receive)
            await self._answer(path, body, headers, directives, send)
        else:
            await _json(send, 404, {"error": {"message": "Not found.", "type": "invalid_request_error"}})

    async def _answer(
        self, path: str, raw: bytes, headers: dict[str, str], directives: dict[str, str], send: Send
    ) -> None:
        simple = path == "/simple"
        self.stats["simple" if simple else "chat"] += 1
        try:
            body = orjson.loads(raw)
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            await _json(
                send,
                400,
                {"error": {"message": "Body is not a JSON object.", "type": "invalid_request_error"}},
            )
            return
        latency = float(directives.get("latency") or headers.get("x-upstream-latency-ms") or self.latency_ms)
        if latency > 0:
            await asyncio.sleep(latency / 1000)
        status = int(directives.get("status") or 0)
        fail = headers.get("x-upstream-fail") == "1" or (
            self.failure_rate > 0 and self.rng.random() < self.failure_rate
        )
        if status or fail:
            self.stats["failures"] += 1
            code = status or 503
            await _json(
                send, code, {"error": {"message": f"Upstream failure ({code}).", "type": "server_error"}}
            )
            return
        if "garbage" in directives:
            await _raw(send, 200, b"text/plain", b"this is not json")
            return
        if simple:
            prompt = str(body.get("prompt", ""))
            text = answer_for(prompt=prompt)
            answer: dict[str, Any] = {"text": text}
            if "nousage" not in directives:
                answer["usage"] = {"input_tokens": token_count(prompt), "output_tokens": token_count(text)}
            await _json(send, 200, answer)
            return
        raw_messages = body.get("messages")
        messages: list[Any] = raw_messages if isinstance(raw_messages, list) else []
        model = str(body.get("model") or "local-model")
        user_texts = [
            _text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"
        ]
        text = answer_for(prompt=user_texts[-1] if user_texts else "", model=model)
        prompt_tokens = sum(token_count(_text(m.get("content"))) for m in messages if isinstance(m, dict))
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": token_count(text),
            "total_tokens": prompt_tokens + token_count(text),
        }
        if body.get("stream") is True:
            self.stats["stream"] += 1
            options = body.get("stream_options") or {}
            include_usage = isinstance(options, dict) and options.get("include_usage") is True
            await self._stream(
                send,
                model,
                text,
                usage if include_usage and "nousage" not in directives else None,
                cut=int(directives["cut"]) if "cut" in directives else None,
            )
            return
        completion: dict[str, Any] = {
            "id": f"chatcmpl-local{self.stats['chat']}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
            ],
        }
        if "nousage" not in directives:
            completion["usage"] = usage
        await _json(send, 200, completion)

    async def _stream(
        self, send: Send, model: str, text: str, usage: dict[str, int] | None, *, cut: int | None
    ) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")],
            }
        )
        base = {
            "id": f"chatcmpl-local{self.stats['chat']}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }
        pieces = WORDS.findall(text) or [text]
        for index, piece in enumerate(pieces):
            if cut is not None and index >= cut:
                raise ConnectionAbortedError("stream cut on purpose")  # the server drops the connection
            delta = {"role": "assistant", "content": piece} if index == 0 else {"content": piece}
            event = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            await send({"type": "http.response.body", "body": _sse(event), "more_body": True})
        if cut is not None:
            raise ConnectionAbortedError("stream cut on purpose")
        tail = _sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if usage is not None:
            tail += _sse({**base, "choices": [], "usage": usage})
        await send({"type": "http.response.body", "body": tail + b"data: [DONE]\n\n", "more_body": False})


def _sse(event: dict[str, Any]) -> bytes:
    return b"data: " + orjson.dumps(event) + b"\n\n"


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _raw(send: Send, status: int, content_type: bytes, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _json(send: Send, status: int, data: Any) -> None:
    await _raw(send, status, b"application/json", orjson.dumps(data))


def serve_in_thread(
    port: int = 0, *, host: str = "127.0.0.1", app: LocalUpstream | None = None, **options: Any
) -> tuple[str, int, Callable[[], None]]:
    """Start the upstream (``app``, or a new one from ``options``) in a daemon thread on a free port.

    Returns (host, port, stop); ``stop()`` shuts the server down and waits for the thread.
    """
    import uvicorn

    if host not in LOOPBACK:
        raise ValueError("The local upstream binds loopback only.")
    config = uvicorn.Config(
        app or LocalUpstream(**options),
        host=host,
        port=port,
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"local-upstream-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The local upstream did not start.")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return host, bound, stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local OpenAI-compatible and simple-JSON model server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.host not in LOOPBACK:
        sys.exit("The local upstream binds loopback only.")
    if not 0 <= args.failure_rate <= 1:
        sys.exit("--failure-rate must be between 0 and 1.")
    import uvicorn

    app = LocalUpstream(latency_ms=args.latency_ms, failure_rate=args.failure_rate, seed=args.seed)
    print(f"Local upstream on http://{args.host}:{args.port}/v1 (simple JSON at /simple)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, lifespan="off")


if __name__ == "__main__":
    main()
