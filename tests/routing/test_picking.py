"""Picking a route's backend by share: random without a caller, sticky (hashed) with one."""

from __future__ import annotations

import random

import pytest

from routing.picking import BUCKETS, RoutePair, caller_bucket, route_choose_backend

PROPRIETARY, OPEN_SOURCE = 1, 2
PICKS = 10_000
# Binomial standard deviation at 10,000 picks is at most 50: 250 is five of them.
TOLERANCE = 250


def pair(share: int, key: str = "route-7") -> RoutePair:
    return RoutePair(
        key=key,
        proprietary_backend_id=PROPRIETARY,
        open_source_backend_id=OPEN_SOURCE,
        open_source_share=share,
    )


@pytest.mark.parametrize("share", [0, 10, 30, 50, 90, 100])
def test_random_picks_follow_the_share(share):
    rng = random.Random(share)
    picks = [route_choose_backend(pair(share), rng=rng)[0] for _ in range(PICKS)]
    open_source = picks.count(OPEN_SOURCE)
    assert abs(open_source - share * PICKS // 100) <= (0 if share in (0, 100) else TOLERANCE)


@pytest.mark.parametrize("share", [0, 25, 70, 100])
def test_sticky_picks_over_many_callers_follow_the_share(share):
    picks = [route_choose_backend(pair(share), caller=f"user-{i}")[0] for i in range(PICKS)]
    assert abs(picks.count(OPEN_SOURCE) - share * PICKS // 100) <= (0 if share in (0, 100) else TOLERANCE)


def test_the_other_backend_is_the_fallback():
    assert route_choose_backend(pair(100), caller="x") == (OPEN_SOURCE, PROPRIETARY)
    assert route_choose_backend(pair(0), caller="x") == (PROPRIETARY, OPEN_SOURCE)


def test_a_caller_keeps_its_backend_while_the_share_holds():
    first = {f"user-{i}": route_choose_backend(pair(40), caller=f"user-{i}")[0] for i in range(1000)}
    for _ in range(3):
        assert {c: route_choose_backend(pair(40), caller=c)[0] for c in first} == first


def test_moving_the_share_moves_only_the_callers_between_old_and_new():
    callers = [f"session-{i}" for i in range(PICKS)]
    before = {c: route_choose_backend(pair(30), caller=c)[0] for c in callers}
    after = {c: route_choose_backend(pair(40), caller=c)[0] for c in callers}
    moved = [c for c in callers if before[c] != after[c]]
    # Only proprietary -> open source moves, and only the callers whose bucket lies in [3000, 4000).
    assert all(before[c] == PROPRIETARY and after[c] == OPEN_SOURCE for c in moved)
    assert set(moved) == {c for c in callers if 3000 <= caller_bucket(route_key="route-7", caller=c) < 4000}
    assert abs(len(moved) - PICKS // 10) <= TOLERANCE
    # Moving it back returns exactly those callers.
    back = {c: route_choose_backend(pair(30), caller=c)[0] for c in callers}
    assert back == before


def test_buckets_are_stable_across_processes_and_differ_between_routes():
    # A fixed value: any replica (any Python process, any hash seed) computes the same bucket.
    assert caller_bucket(route_key="route-7", caller="alice") == caller_bucket(
        route_key="route-7", caller="alice"
    )
    assert 0 <= caller_bucket(route_key="route-7", caller="alice") < BUCKETS
    same = sum(
        caller_bucket(route_key="a", caller=f"u{i}") == caller_bucket(route_key="b", caller=f"u{i}")
        for i in range(1000)
    )
    assert same < 10


def test_bucket_is_independent_of_the_hash_seed():
    import subprocess
    import sys

    code = "from routing.picking import caller_bucket; print(caller_bucket(route_key='r', caller='alice'))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert outputs == {f"{caller_bucket(route_key='r', caller='alice')}\n"}


def test_a_route_with_one_backend_always_uses_it():
    only = RoutePair(
        key="k", proprietary_backend_id=PROPRIETARY, open_source_backend_id=None, open_source_share=50
    )
    assert {route_choose_backend(only, caller=f"c{i}") for i in range(100)} == {(PROPRIETARY, None)}
