"""Re-spread keep-alive connections over the server's worker processes.

gunicorn's workers share one listening socket, and whichever worker wakes first accepts every
connection waiting in the backlog: a burst of keep-alive clients can all land on one worker (one
CPU core) and stay there for as long as they keep their connections. Like nginx's
``keepalive_requests``, this ASGI wrapper asks the client to reconnect (``Connection: close``) after
``max_requests`` responses on one connection; the new connection goes to whichever worker accepts it
first, usually an idle one, so a skewed spread evens out within seconds under load.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# A connection is known by its client address and port; entries of closed connections are dropped
# in bulk when the table grows past this size.
_TABLE_LIMIT = 10_000


class KeepAliveRequestLimit:
    def __init__(self, app: ASGIApp, max_requests: int) -> None:
        self.app = app
        self.max_requests = max_requests
        self.counts: dict[tuple[str, int], int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = scope.get("client")
        if scope["type"] != "http" or self.max_requests <= 0 or not client:
            await self.app(scope, receive, send)
            return
        key = (client[0], client[1])
        count = self.counts.get(key, 0) + 1
        if count < self.max_requests:
            if len(self.counts) >= _TABLE_LIMIT:
                self.counts.clear()
            self.counts[key] = count
            await self.app(scope, receive, send)
            return
        self.counts.pop(key, None)

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, send_closing)
