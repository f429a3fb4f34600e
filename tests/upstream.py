"""The project's local upstream over real HTTP, shared by the gateway and the probe tests: one server
per test session, reset to healthy and instant for each test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from routing.local_upstream import LocalUpstream, serve_in_thread


@dataclass
class RunningUpstream:
    app: LocalUpstream
    host: str
    port: int

    def url(self, path: str = "/v1", **directives: object) -> str:
        """The base URL for a backend, with per-backend failure directives (see routing.local_upstream)."""
        if directives:
            spec = ";".join(k if v is True else f"{k}={v}" for k, v in directives.items())
            return f"http://{self.host}:{self.port}/t/{spec}{path}"
        return f"http://{self.host}:{self.port}{path}"


@pytest.fixture(scope="session")
def upstream_server():
    app = LocalUpstream(seed=7)
    host, port, stop = serve_in_thread(port=0, app=app)
    yield RunningUpstream(app=app, host=host, port=port)
    stop()


@pytest.fixture
def upstream(upstream_server):
    """The shared local upstream, reset to healthy and instant for each test."""
    upstream_server.app.latency_ms = 0
    upstream_server.app.failure_rate = 0
    return upstream_server
