"""API throttles: per token (or signed-in user), per client address, and failed token checks.

Rates come from settings (``DEFAULT_THROTTLE_RATES``); counts live in the shared cache (Redis in
production), so every web worker sees the same numbers. A throttled request is a 429 with
``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from portal.tenancy import request_token


class TokenRateThrottle(SimpleRateThrottle):
    """Requests per team token, or per signed-in user; anonymous requests are left to the next one."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        token = request_token(request)
        if token is not None:
            ident = f"t{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(SimpleRateThrottle):
    """Requests per client address, whoever sends them."""

    scope = "address"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AuthFailureThrottle(SimpleRateThrottle):
    """Failed token checks per address: once over the rate, every token request from that address is
    refused (429) until the window passes, before any database lookup."""

    scope = "auth_failures"
    duration: int
    num_requests: int

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def wait_if_blocked(self, request: Request) -> float | None:
        """Seconds to wait when this address has used up its failures, else None."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.wait()
        return None

    def record_failure(self) -> None:
        """Count one failure (after ``wait_if_blocked`` loaded the history)."""
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
