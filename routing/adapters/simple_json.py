"""The article's self-hosted endpoint: ``POST {base_url}`` with ``{"prompt": ...}`` and a Bearer key,
answering ``{"text": ...}`` (optionally with ``usage``). It does not stream: a streaming caller gets
the whole answer as one chunk."""

from __future__ import annotations

from typing import Any

import orjson

from routing.adapters.base import (
    BackendTarget,
    Completion,
    ProtocolAdapter,
    UpstreamProtocolError,
    UpstreamRequest,
    bearer_headers,
    completion_body,
    message_text,
)
from routing.adapters.openai import usage_counts


def prompt_from_messages(messages: list[dict[str, Any]]) -> str:
    """One prompt from a chat: a lone user message as is, otherwise ``Role: text`` lines in order."""
    if len(messages) == 1 and messages[0].get("role") == "user":
        return message_text(messages[0].get("content"))
    return "\n".join(
        f"{str(m.get('role', 'user')).capitalize()}: {message_text(m.get('content'))}" for m in messages
    )


class SimpleJsonAdapter(ProtocolAdapter):
    protocol = "simple-json"
    streams = False

    def prepare(self, target: BackendTarget, payload: dict[str, Any], *, stream: bool) -> UpstreamRequest:
        body: dict[str, Any] = {"prompt": prompt_from_messages(payload.get("messages") or [])}
        max_tokens = payload.get("max_completion_tokens") or payload.get("max_tokens")
        if max_tokens:
            body["max_tokens"] = max_tokens
        return UpstreamRequest(
            url=target.base_url, headers=bearer_headers(target), content=orjson.dumps(body)
        )

    def parse(self, target: BackendTarget, content: bytes, *, request_id: str) -> Completion:
        try:
            data = orjson.loads(content)
            text = data["text"]
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise UpstreamProtocolError('The backend\'s answer has no "text".') from exc
        if not isinstance(text, str):
            raise UpstreamProtocolError('The backend\'s "text" is not a string.')
        usage = data.get("usage") if isinstance(data, dict) else None
        if isinstance(usage, dict) and "input_tokens" in usage:
            usage = {
                "prompt_tokens": usage.get("input_tokens"),
                "completion_tokens": usage.get("output_tokens"),
            }
        input_tokens, output_tokens = usage_counts(usage)
        body = completion_body(
            text=text,
            model=target.upstream_model or target.name,
            request_id=request_id,
            input_tokens=input_tokens or 0,
            output_tokens=output_tokens or 0,
        )
        return Completion(body=body, text=text, input_tokens=input_tokens, output_tokens=output_tokens)
