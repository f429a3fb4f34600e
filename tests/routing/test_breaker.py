"""The circuit breaker: opens after consecutive failures, cools down, lets one probe through, closes."""

from __future__ import annotations

import pytest

from routing.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def test_opens_after_threshold_consecutive_failures(clock):
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=30, clock=clock)
    breaker.record_failure("boom")
    breaker.record_failure("boom")
    assert breaker.allow() and breaker.current_state() == CLOSED
    breaker.record_failure("boom")
    assert breaker.current_state() == OPEN
    assert not breaker.allow()


def test_a_success_resets_the_count(clock):
    breaker = CircuitBreaker(failure_threshold=2, cooldown_s=30, clock=clock)
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.current_state() == CLOSED


def test_half_open_after_cooldown_lets_exactly_one_probe(clock):
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=30, clock=clock)
    breaker.record_failure()
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.current_state() == HALF_OPEN
    assert breaker.allow()  # the probe
    assert not breaker.allow()  # everyone else waits for it


def test_probe_success_closes(clock):
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    breaker.record_success()
    assert breaker.current_state() == CLOSED and breaker.allow() and breaker.allow()


def test_probe_failure_opens_for_another_cooldown(clock):
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=5, clock=clock)
    breaker.record_failure()
    clock.now += 5
    assert breaker.allow()
    breaker.record_failure("still down")
    assert breaker.current_state() == OPEN and breaker.last_error == "still down"
    clock.now += 4.9
    assert not breaker.allow()
    clock.now += 0.1
    assert breaker.allow()


def test_each_change_bumps_the_version(clock):
    breaker = CircuitBreaker(failure_threshold=2, cooldown_s=5, clock=clock)
    seen = {breaker.version}
    breaker.record_failure()
    seen.add(breaker.version)
    breaker.record_failure()
    seen.add(breaker.version)
    assert len(seen) == 3
