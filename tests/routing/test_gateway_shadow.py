"""Shadow comparisons from the gateway: a sampled share of the proprietary backend's answers is sent
to the route's open-source backend by a probes worker, after the caller has its answer, and the
shadow calls never count as the team's spend."""

from __future__ import annotations

import time
from decimal import Decimal

from probes.models import ProbeResult
from routing.budget import team_month_spend
from routing.models import RequestLog, Route
from routing.picking import shadow_sampled
from tests.probes.conftest import celery_app, probes_worker  # noqa: F401 (a fixture)

RATE = Decimal("0.10")


def chat(content: str, **extra):
    return {"model": "auto", "messages": [{"role": "user", "content": content}], **extra}


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_sampled_proprietary_answers_are_compared_by_a_worker(alpha, team, celery_app):  # noqa: F811
    Route.objects.filter(pk=alpha.analysis.pk).update(shadow_rate=RATE)
    alpha.gateway.reload()
    served: list[str] = []
    with alpha.client() as client:
        # Until at least three are sampled (each request has a 10 % chance), bounded.
        while sum(shadow_sampled(RATE, rid) for rid in served) < 3 and len(served) < 400:
            stream = len(served) % 2 == 1
            response = client.post(
                "/v1/chat/completions",
                json=chat("Reply with exactly: yes", stream=stream),
                headers={"X-Task-Type": "analysis"},
            )
            assert response.status_code == 200
            assert response.headers["x-modelwise-backend"] == "gpt"
            served.append(response.headers["x-request-id"])
        # The default route is served by the open-source backend: nothing of it is shadowed.
        general = client.post("/v1/chat/completions", json=chat("Reply with exactly: yes"))
        assert general.headers["x-modelwise-backend"] == "llama"
    expected = {rid for rid in served if shadow_sampled(RATE, rid)}
    assert len(expected) >= 3
    alpha.gateway.flush()  # the writer hands the samples to the broker with the log batch

    with probes_worker(celery_app):
        done = _wait_for(lambda: ProbeResult.objects.filter(is_shadow=True).count() >= len(expected))
    assert done, "the probes worker did not compare the sampled answers within 30 s"

    shadowed = ProbeResult.objects.filter(is_shadow=True)
    assert set(shadowed.values_list("request_id", flat=True)) == expected
    assert all(result.score == 1.0 for result in shadowed)  # the local model agrees: "yes"
    logs = RequestLog.objects.filter(team=team, is_shadow=True)
    assert set(logs.values_list("request_id", flat=True)) == expected
    assert set(logs.values_list("backend_name", flat=True)) == {"llama"}
    assert all(log.cost_usd > 0 for log in logs)
    caller_spend = sum(
        RequestLog.objects.filter(team=team, is_shadow=False).values_list("cost_usd", flat=True)
    )
    assert team_month_spend(team_id=team.pk) == caller_spend


def test_no_shadow_without_a_rate(alpha, team):
    with alpha.client() as client:
        for _ in range(30):
            client.post("/v1/chat/completions", json=chat("hello"), headers={"X-Task-Type": "analysis"})
    assert alpha.gateway.app.writer.shadows == []
