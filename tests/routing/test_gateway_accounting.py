"""What a request costs, budgets, logs that survive a stop, and secrets that never leave."""

from __future__ import annotations

from decimal import Decimal

import openai
import pytest
from django.conf import settings

from portal.services import api_token_create
from routing.budget import team_month_spend
from routing.models import RequestLog, TeamBudget
from tests.routing.conftest import GPT_KEY, LLAMA_KEY, start_gateway


def chat(content: str, **extra):
    return {"model": "auto", "messages": [{"role": "user", "content": content}], **extra}


# 400 characters in: 100 tokens. "Reply with exactly: " + 80 characters out: 20 tokens.
PROMPT = "x" * 300 + " Reply with exactly: " + "y" * 79


def test_cost_of_each_logged_request_to_the_cent(alpha, team):
    with alpha.client() as client:
        for task_type in ("analysis", "chat"):
            for stream in (False, True):
                response = client.post(
                    "/v1/chat/completions",
                    json=chat(PROMPT, stream=stream),
                    headers={"X-Task-Type": task_type},
                )
                assert response.status_code == 200
    alpha.gateway.flush()
    logs = list(RequestLog.objects.filter(team=team).order_by("created_at", "id"))
    assert [(log.backend_name, log.stream) for log in logs] == [
        ("gpt", False),
        ("gpt", True),
        ("llama", False),
        ("llama", True),
    ]
    for log in logs:
        assert (log.input_tokens, log.output_tokens, log.tokens_estimated) == (100, 20, False)
    # gpt: (100 x $10 + 20 x $30) / 1M = $0.0016
    assert [log.cost_usd for log in logs[:2]] == [Decimal("0.00160000")] * 2
    assert all(log.gpu_seconds is None for log in logs[:2])
    # llama, self-hosted: 20 tokens / 1,000 tokens/s = 0.02 GPU-s x $4.50/h = $0.000025: not $0.
    assert [log.gpu_seconds for log in logs[2:]] == [Decimal("0.0200")] * 2
    assert [log.cost_usd for log in logs[2:]] == [Decimal("0.00002500")] * 2
    assert team_month_spend(team_id=team.pk) == Decimal("0.00325000")


def test_estimated_tokens_are_marked(alpha, upstream, team):
    alpha.llama.base_url = upstream.url(nousage=True)
    alpha.llama.save()
    alpha.gateway.reload()
    with alpha.client() as client:
        client.post("/v1/chat/completions", json=chat(PROMPT))
        client.post("/v1/chat/completions", json=chat(PROMPT, stream=True))
    alpha.gateway.flush()
    for log in RequestLog.objects.filter(team=team):
        assert (log.input_tokens, log.output_tokens, log.tokens_estimated) == (100, 20, True)
        assert log.cost_usd == Decimal("0.00002500")


def test_requests_past_the_budget_get_429(alpha, team):
    TeamBudget.objects.create(team=team, monthly_limit_usd=Decimal("0.01"))
    alpha.gateway.reload()
    served = 0
    with alpha.client() as client:
        for _ in range(10):
            response = client.post(
                "/v1/chat/completions", json=chat(PROMPT), headers={"X-Task-Type": "analysis"}
            )
            if response.status_code != 200:
                break
            served += 1
    # $0.0016 a request: the 7th crosses $0.01, the 8th is refused.
    assert served == 7
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "budget_exceeded"
    assert "monthly gateway budget of $0.01 is spent" in error["message"]
    alpha.gateway.flush()
    assert RequestLog.objects.filter(team=team, status_code=429).count() == 1


def test_budget_counted_in_the_database_is_shared_across_processes(alpha, team):
    """A second gateway process starts from the month's logged spend."""
    with alpha.client() as client:
        for _ in range(7):
            client.post("/v1/chat/completions", json=chat(PROMPT), headers={"X-Task-Type": "analysis"})
    alpha.gateway.flush()
    TeamBudget.objects.create(team=team, monthly_limit_usd=Decimal("0.01"))
    second = start_gateway()
    try:
        with second.client(alpha.token) as client:
            response = client.post(
                "/v1/chat/completions", json=chat(PROMPT), headers={"X-Task-Type": "analysis"}
            )
        assert response.status_code == 429
    finally:
        second.stop()


@pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis://"), reason="needs Redis (CI)")
def test_budget_counted_in_redis_is_shared_by_replicas(alpha, team, gateway_settings):
    """Two gateway processes, one Redis counter: together they stop at the limit, not at twice it."""
    gateway_settings.GATEWAY_REDIS_URL = settings.CELERY_BROKER_URL
    TeamBudget.objects.create(team=team, monthly_limit_usd=Decimal("0.01"))
    first, second = start_gateway(), start_gateway()
    served = 0
    try:
        with first.client(alpha.token) as a, second.client(alpha.token) as b:
            for i in range(20):
                client = (a, b)[i % 2]
                response = client.post(
                    "/v1/chat/completions", json=chat(PROMPT), headers={"X-Task-Type": "analysis"}
                )
                served += response.status_code == 200
    finally:
        first.stop()
        second.stop()
    assert served == 7


def test_logs_buffered_at_shutdown_are_written(alpha, team):
    with alpha.client() as client:
        for _ in range(5):
            client.post("/v1/chat/completions", json=chat("hello"))
    assert RequestLog.objects.filter(team=team).count() == 0  # still buffered
    alpha.gateway.stop()
    assert RequestLog.objects.filter(team=team).count() == 5


def test_secrets_never_reach_responses_or_logs(alpha, upstream, team, caplog):
    alpha.llama.base_url = upstream.url(status=503)
    alpha.llama.save()
    alpha.gateway.reload()
    bodies = []
    with alpha.client() as client:
        for stream in (False, True):
            response = client.post("/v1/chat/completions", json=chat("hi", stream=stream))
            bodies.append(response.text + str(response.headers))
        bodies.append(client.get("/v1/models").text)
        bodies.append(client.post("/v1/chat/completions", json={"messages": []}).text)
    alpha.gateway.flush()
    logged = [str(list(RequestLog.objects.values())), caplog.text]
    assert f"Bearer {GPT_KEY}" in upstream.app.seen_authorization  # the key was used...
    for text in bodies + logged:  # ...and appears nowhere else
        assert GPT_KEY not in text and LLAMA_KEY not in text and alpha.token not in text


def test_team_isolation_another_teams_route_reads_as_unknown(alpha, other_team, charlie, upstream):
    token = api_token_create(team=other_team, name="gw", access="gateway", created_by=charlie)[1]
    alpha.gateway.reload()
    with alpha.gateway.client(token) as client:
        response = client.post("/v1/chat/completions", json=chat("hi", model="analysis"))
        models = client.get("/v1/models").json()
        auto = client.post("/v1/chat/completions", json=chat("hi"))
    assert response.status_code == 404
    assert response.json()["error"]["message"].startswith("No route named 'analysis' in your team")
    assert [m["id"] for m in models["data"]] == ["auto"]
    assert auto.status_code == 404 and "no default route" in auto.json()["error"]["message"]


def test_openai_package_works_unchanged(alpha):
    client = openai.OpenAI(base_url=alpha.gateway.url + "/v1", api_key=alpha.token, max_retries=0)
    completion = client.chat.completions.create(
        model="auto",
        messages=[{"role": "user", "content": "What is 19 + 23?"}],
        extra_headers={"X-Task-Type": "analysis"},
    )
    assert completion.choices[0].message.content == "42"
    assert completion.usage is not None and completion.usage.completion_tokens == 1
    stream = client.chat.completions.create(
        model="general",
        messages=[{"role": "user", "content": "Reply with exactly: streamed through the gateway"}],
        stream=True,
    )
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == "streamed through the gateway"
    assert [m.id for m in client.models.list()] == ["auto", "analysis", "general"]
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="nope", messages=[{"role": "user", "content": "hi"}])


def test_api_route_answers_the_simple_shape(alpha):
    with alpha.client() as client:
        response = client.post("/api/route/", json={"task_type": "analysis", "prompt": PROMPT})
    assert response.status_code == 200
    data = response.json()
    assert data["text"] == "y" * 79 and data["backend"] == "gpt"
    assert data["usage"] == {"input_tokens": 100, "output_tokens": 20, "estimated": False}
    assert data["cost"] == "0.00160000"
    assert isinstance(data["latency_ms"], int)


def test_api_route_validates(alpha):
    with alpha.client() as client:
        response = client.post("/api/route/", json={"task_type": 7})
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"prompt", "task_type"}
