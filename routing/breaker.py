"""A circuit breaker per backend: skip a backend that keeps failing, then try it again carefully.

Pure (no Django). States: *closed* (requests flow; consecutive failures are counted), *open* (after
``failure_threshold`` consecutive failures: requests skip the backend for ``cooldown_s`` seconds),
*half-open* (the cool-down has passed: exactly one request is let through as a probe; success closes
the breaker, failure opens it for another cool-down). Breakers are per gateway process; the log
writer publishes their state so the portal can show it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

CLOSED = "closed"
OPEN = "open"
HALF_OPEN = "half_open"


class CircuitBreaker:
    __slots__ = (
        "_clock",
        "_opened_at",
        "_probe_in_flight",
        "cooldown_s",
        "failure_threshold",
        "failures",
        "last_error",
        "state",
        "version",
    )

    def __init__(
        self,
        *,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1.")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self.state = CLOSED
        self.failures = 0
        self.last_error = ""
        self._opened_at = 0.0
        self._probe_in_flight = False
        # Goes up on every state change, so a publisher can tell what changed since it last looked.
        self.version = 0

    def current_state(self) -> str:
        """The state as of now: an open breaker whose cool-down has passed reads as half-open."""
        if self.state == OPEN and self._clock() - self._opened_at >= self.cooldown_s:
            self._set(HALF_OPEN)
            self._probe_in_flight = False
        return self.state

    def allow(self) -> bool:
        """May a request go to this backend now? In half-open, only the first caller (the probe) may."""
        state = self.current_state()
        if state == CLOSED:
            return True
        if state == HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            return True
        return False

    def record_success(self) -> None:
        self.failures = 0
        self._probe_in_flight = False
        if self.state != CLOSED:
            self._set(CLOSED)

    def record_failure(self, error: str = "") -> None:
        self.failures += 1
        self.last_error = error[:300]
        self._probe_in_flight = False
        if self.state == HALF_OPEN or (self.state == CLOSED and self.failures >= self.failure_threshold):
            self._opened_at = self._clock()
            self._set(OPEN)
        else:
            self.version += 1  # the failure count changed: worth publishing

    def _set(self, state: str) -> None:
        self.state = state
        self.version += 1
