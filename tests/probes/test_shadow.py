"""Shadow comparisons: sampled at the configured rate, off the caller's path, scored by agreement,
logged as shadow and left out of spend and budgets."""

from __future__ import annotations

import math
import time
from decimal import Decimal

import pytest

from probes.models import ProbeResult
from probes.selectors import team_month_spend, team_shadow_spend
from probes.services import migration_apply_probe_round, probe_round_run, probe_round_start
from probes.shadow import shadow_compare_run, shadow_maybe_enqueue, shadow_payload, shadow_should_sample
from routing.models import Backend, RequestLog
from tests.factories import ModelOptionFactory


@pytest.mark.parametrize("rate", [0.01, 0.05, 0.10])
def test_sampling_hits_the_configured_rate(rate):
    n = 100_000
    sampled = sum(shadow_should_sample(rate, f"req-{i}") for i in range(n))
    sigma = math.sqrt(n * rate * (1 - rate))
    assert abs(sampled - n * rate) < 4 * sigma, (sampled, n * rate)


def test_sampling_is_deterministic_clamped_and_off_by_default():
    ids = [f"r{i}" for i in range(2000)]
    assert [shadow_should_sample(0.05, i) for i in ids] == [shadow_should_sample(0.05, i) for i in ids]
    assert not any(shadow_should_sample(0, i) for i in ids)
    assert not shadow_should_sample(0.1, "")
    # above the 10 % ceiling counts as 10 %
    assert sum(shadow_should_sample(0.9, i) for i in ids) == sum(shadow_should_sample(0.1, i) for i in ids)
    # a higher rate samples a superset: raising the rate never drops a sampled request
    low = {i for i in ids if shadow_should_sample(0.02, i)}
    assert low <= {i for i in ids if shadow_should_sample(0.08, i)}


def _payload(route, request_id: str, prompt: str = "Reply with exactly: yes", reference: str = "yes") -> dict:
    return shadow_payload(
        team_id=route.team_id,
        route_id=route.pk,
        request_id=request_id,
        messages=[{"role": "user", "content": prompt}],
        reference_text=reference,
        task_type="extraction",
    )


def test_a_shadow_call_is_scored_logged_as_shadow_and_left_out_of_spend(route_factory, team):
    option = ModelOptionFactory(input_price_per_mtok=Decimal("1000"), output_price_per_mtok=Decimal("1000"))
    route = route_factory(os_model="local-os", probes=2)
    Backend.objects.filter(team=team).update(catalog_model=option)
    result = shadow_compare_run(payload=_payload(route, "req-1"))
    assert result is not None and result.is_shadow and result.score == 1.0 and result.output == "yes"
    log = RequestLog.objects.get(request_id="req-1")
    assert log.is_shadow and log.cost_usd == result.cost_usd > 0
    assert team_month_spend(team=team) == 0
    assert team_shadow_spend(team=team) == log.cost_usd
    # a second delivery of the same request records nothing more
    assert shadow_compare_run(payload=_payload(route, "req-1")) is None
    assert ProbeResult.objects.filter(is_shadow=True).count() == 1


def test_a_disagreeing_backend_scores_zero_and_shows_beside_the_probe_scores(route_factory):
    route = route_factory(os_model="bad-os", probes=2)
    assert shadow_compare_run(payload=_payload(route, "req-2")).score == 0.0
    probe_round = probe_round_start(route=route)
    probe_round_run(round_id=probe_round.pk)
    summary = migration_apply_probe_round(round_id=probe_round.pk).summary
    assert summary["shadow"] == {"mean": 0.0, "low": 0.0, "high": pytest.approx(0.7935, abs=1e-4), "n": 1}


def test_another_teams_route_is_never_shadowed(route_factory, other_team):
    route = route_factory(os_model="local-os", probes=2)
    payload = _payload(route, "req-3") | {"team_id": other_team.pk}
    assert shadow_compare_run(payload=payload) is None


@pytest.mark.django_db(transaction=True)
def test_shadowing_adds_no_latency_to_the_caller(route_factory, upstream, celery_app):
    from tests.probes.conftest import probes_worker

    upstream.app.latency_ms = 1500  # the open-source backend is slow
    route = route_factory(os_model="local-os", probes=2)
    sampled_id = next(f"req-{i}" for i in range(1000) if shadow_should_sample(0.1, f"req-{i}"))
    with probes_worker(celery_app):
        started = time.perf_counter()
        assert shadow_maybe_enqueue(rate=0.1, payload=_payload(route, sampled_id))
        caller_ms = (time.perf_counter() - started) * 1000
        deadline = time.monotonic() + 20
        while not ProbeResult.objects.filter(request_id=sampled_id).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    result = ProbeResult.objects.get(request_id=sampled_id)
    assert result.latency_ms >= 1500
    assert caller_ms < 200, f"enqueueing took {caller_ms:.0f} ms"
