"""OpenAI-compatible upstreams (OpenAI, vLLM, TGI, llama.cpp server, Ollama): `POST {base}/chat/completions`.

Requests are passed through with the backend's upstream model name; streamed answers are relayed
event by event as they arrive (``SSERelay``), reading only the usage chunk on the way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from routing.adapters.base import (
    BackendTarget,
    Completion,
    ProtocolAdapter,
    UpstreamProtocolError,
    UpstreamRequest,
    bearer_headers,
    message_text,
)

# Fields that steer the gateway, not the model: never sent upstream.
GATEWAY_ONLY_FIELDS = ("metadata",)


class OpenAIAdapter(ProtocolAdapter):
    protocol = "openai"
    streams = True

    def prepare(self, target: BackendTarget, payload: dict[str, Any], *, stream: bool) -> UpstreamRequest:
        body = {k: v for k, v in payload.items() if k not in GATEWAY_ONLY_FIELDS}
        if target.upstream_model:
            body["model"] = target.upstream_model
        if stream:
            body["stream"] = True
            # Ask for the usage chunk so every streamed request is priced from real counts.
            options = body.get("stream_options")
            body["stream_options"] = {**(options if isinstance(options, dict) else {}), "include_usage": True}
        else:
            body.pop("stream", None)
            body.pop("stream_options", None)
        return UpstreamRequest(
            url=target.base_url.rstrip("/") + "/chat/completions",
            headers=bearer_headers(target),
            content=orjson.dumps(body),
        )

    def parse(self, target: BackendTarget, content: bytes, *, request_id: str) -> Completion:
        try:
            data = orjson.loads(content)
            choice = data["choices"][0]
            text = message_text(choice.get("message", {}).get("content"))
        except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, AttributeError) as exc:
            raise UpstreamProtocolError("The backend's answer is not an OpenAI chat completion.") from exc
        input_tokens, output_tokens = usage_counts(data.get("usage"))
        return Completion(body=content, text=text, input_tokens=input_tokens, output_tokens=output_tokens)


def usage_counts(usage: Any) -> tuple[int | None, int | None]:
    if not isinstance(usage, dict):
        return None, None
    prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if not isinstance(prompt, int) or not isinstance(completion, int):
        return None, None
    return prompt, completion


class SSERelay:
    """Relays an upstream's server-sent events whole, as they arrive, and reads the usage on the way.

    Only complete events are passed on (so an error event appended after a cut stays well formed).
    The usage-only chunk the gateway asked for is dropped unless the caller asked for it too; the
    relayed events are kept so the output can be estimated when the upstream sends no usage.
    """

    __slots__ = ("_buffer", "_forward_usage", "_relayed", "done", "input_tokens", "output_tokens")

    def __init__(self, *, forward_usage: bool) -> None:
        self._forward_usage = forward_usage
        self._buffer = b""
        self._relayed: list[bytes] = []
        self.input_tokens: int | None = None
        self.output_tokens: int | None = None
        self.done = False

    def feed(self, chunk: bytes) -> bytes:
        """Complete events in ``chunk`` (plus what was buffered) to pass on; may be b''."""
        buffer = self._buffer + chunk if self._buffer else chunk
        if b"\r\n" in buffer:
            buffer = buffer.replace(b"\r\n", b"\n")
        end = buffer.rfind(b"\n\n")
        if end < 0:
            self._buffer = buffer
            return b""
        ready, self._buffer = buffer[: end + 2], buffer[end + 2 :]
        if b'"usage"' in ready:
            ready = self._read_usage(ready)
        if b"[DONE]" in ready:
            self.done = True
        self._relayed.append(ready)
        return ready

    def _read_usage(self, ready: bytes) -> bytes:
        kept: list[bytes] = []
        for event in ready.split(b"\n\n"):
            if not event:
                continue
            if event.startswith(b"data: {") and b'"usage"' in event:
                try:
                    data = orjson.loads(event[6:])
                except orjson.JSONDecodeError:
                    data = None
                if isinstance(data, dict) and isinstance(data.get("usage"), dict):
                    self.input_tokens, self.output_tokens = usage_counts(data["usage"])
                    if not data.get("choices") and not self._forward_usage:
                        continue
            kept.append(event + b"\n\n")
        return b"".join(kept)

    def _contents(self) -> Iterator[str]:
        for block in self._relayed:
            for event in block.split(b"\n\n"):
                if not event.startswith(b"data: {"):
                    continue
                try:
                    data = orjson.loads(event[6:])
                    for choice in data.get("choices") or ():
                        content = (choice.get("delta") or {}).get("content")
                        if isinstance(content, str):
                            yield content
                except (orjson.JSONDecodeError, AttributeError, TypeError):
                    continue

    def output_chars(self) -> int:
        """Characters of content relayed so far (for estimating tokens when no usage came)."""
        return sum(len(content) for content in self._contents())

    def output_text(self) -> str:
        """The content relayed so far, joined (for a shadow comparison)."""
        return "".join(self._contents())
