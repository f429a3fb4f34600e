"""Keep-alive clients are asked to reconnect after a number of requests on one connection."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from portal.keepalive import KeepAliveRequestLimit


async def _app(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _request(app, client=("127.0.0.1", 50000)) -> list[tuple[bytes, bytes]]:
    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    # A thread of its own: another test's event loop may be running in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app({"type": "http", "client": client}, receive, send)).result()
    return sent[0]["headers"]


def test_the_nth_response_on_a_connection_closes_it():
    app = KeepAliveRequestLimit(_app, max_requests=3)
    assert (b"connection", b"close") not in _request(app)
    assert (b"connection", b"close") not in _request(app)
    assert (b"connection", b"close") in _request(app)
    # The count starts again (the client reconnects from a new port in practice).
    assert (b"connection", b"close") not in _request(app)


def test_connections_are_counted_apart():
    app = KeepAliveRequestLimit(_app, max_requests=2)
    assert (b"connection", b"close") not in _request(app, ("127.0.0.1", 1))
    assert (b"connection", b"close") not in _request(app, ("127.0.0.1", 2))
    assert (b"connection", b"close") in _request(app, ("127.0.0.1", 1))


def test_zero_turns_it_off():
    app = KeepAliveRequestLimit(_app, max_requests=0)
    assert all((b"connection", b"close") not in _request(app) for _ in range(5))
