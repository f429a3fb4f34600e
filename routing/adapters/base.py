"""What every protocol adapter shares: the plain backend configuration and the shapes it returns.

An adapter turns an OpenAI-style chat request into the upstream's HTTP request and the upstream's
answer back into an OpenAI ``chat.completion``. It never performs I/O itself: the gateway and
``routing.calls`` send the request with their shared ``httpx.AsyncClient``. No Django in this package.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson

from routing.pricing import PriceCard


@dataclass(frozen=True)
class BackendTarget:
    """A backend as the data plane needs it: plain values, the key decrypted (never in its repr)."""

    id: int
    team_id: int
    name: str
    kind: str
    protocol: str
    base_url: str
    upstream_model: str
    connect_timeout_s: float
    timeout_s: float
    api_key: str = field(default="", repr=False)
    price: PriceCard | None = None
    enabled: bool = True
    key_error: str = ""  # why the key could not be produced ('' when fine)


@dataclass(frozen=True)
class UpstreamRequest:
    url: str
    headers: dict[str, str]
    content: bytes


@dataclass(frozen=True)
class Completion:
    """An upstream answer in OpenAI shape: ``body`` is the ``chat.completion`` JSON for the caller."""

    body: bytes
    text: str | None
    input_tokens: int | None  # None: the upstream reported no usage
    output_tokens: int | None


class UpstreamProtocolError(Exception):
    """The upstream answered 2xx with something this protocol cannot read."""


def message_text(content: Any) -> str:
    """The text of a message's content: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part.get("text", "") for part in content if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


def messages_chars(messages: list[dict[str, Any]]) -> int:
    return sum(len(message_text(m.get("content"))) for m in messages)


def completion_body(
    *, text: str, model: str, request_id: str, input_tokens: int, output_tokens: int
) -> bytes:
    """An OpenAI ``chat.completion`` for a backend whose protocol has another shape."""
    return orjson.dumps(
        {
            "id": f"chatcmpl-{request_id}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": input_tokens,
                "completion_tokens": output_tokens,
                "total_tokens": input_tokens + output_tokens,
            },
        }
    )


def completion_as_sse(
    *, text: str, model: str, request_id: str, input_tokens: int, output_tokens: int, include_usage: bool
) -> bytes:
    """A whole answer as one server-sent-events stream: the text in one chunk, the finish, [DONE]."""
    base = {
        "id": f"chatcmpl-{request_id}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }
    events = [
        {
            **base,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}],
        },
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ]
    if include_usage:
        events.append(
            {
                **base,
                "choices": [],
                "usage": {
                    "prompt_tokens": input_tokens,
                    "completion_tokens": output_tokens,
                    "total_tokens": input_tokens + output_tokens,
                },
            }
        )
    return b"".join(b"data: " + orjson.dumps(e) + b"\n\n" for e in events) + b"data: [DONE]\n\n"


class ProtocolAdapter:
    """One upstream protocol. Subclasses set ``protocol`` and ``streams`` and implement both methods."""

    protocol: ClassVar[str]
    # True when the upstream itself streams server-sent events that the gateway relays as they come.
    streams: ClassVar[bool] = False

    def prepare(self, target: BackendTarget, payload: dict[str, Any], *, stream: bool) -> UpstreamRequest:
        raise NotImplementedError

    def parse(self, target: BackendTarget, content: bytes, *, request_id: str) -> Completion:
        raise NotImplementedError


def bearer_headers(target: BackendTarget) -> dict[str, str]:
    headers = {"content-type": "application/json", "accept": "application/json"}
    if target.api_key:
        headers["authorization"] = f"Bearer {target.api_key}"
    return headers
