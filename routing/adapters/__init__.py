"""Protocol adapters, one class per protocol. To add a protocol: subclass ``ProtocolAdapter`` in a new
module here, register it in ``ADAPTERS`` and add its value to ``routing.models.BackendProtocol``."""

from __future__ import annotations

from routing.adapters.base import BackendTarget, Completion, ProtocolAdapter, UpstreamProtocolError
from routing.adapters.openai import OpenAIAdapter, SSERelay
from routing.adapters.simple_json import SimpleJsonAdapter

ADAPTERS: dict[str, ProtocolAdapter] = {
    OpenAIAdapter.protocol: OpenAIAdapter(),
    SimpleJsonAdapter.protocol: SimpleJsonAdapter(),
}


def adapter_for(protocol: str) -> ProtocolAdapter:
    try:
        return ADAPTERS[protocol]
    except KeyError:
        raise ValueError(f"No adapter for protocol {protocol!r}.") from None


__all__ = [
    "ADAPTERS",
    "BackendTarget",
    "Completion",
    "OpenAIAdapter",
    "ProtocolAdapter",
    "SSERelay",
    "SimpleJsonAdapter",
    "UpstreamProtocolError",
    "adapter_for",
]
