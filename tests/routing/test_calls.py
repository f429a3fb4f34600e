"""Calling a backend through its protocol adapter, over real HTTP to the local upstream."""

from __future__ import annotations

import asyncio
import socket
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest

from routing.adapters import BackendTarget
from routing.calls import backend_call, backend_target
from routing.keys import api_key_encrypt
from routing.models import Backend
from routing.pricing import PriceCard

PRICES = PriceCard(self_hosted=False, input_per_mtok=Decimal("10"), output_per_mtok=Decimal("30"))


def target(url: str, *, protocol: str = "openai", timeout_s: float = 5.0, **kw: object) -> BackendTarget:
    return BackendTarget(
        id=1,
        team_id=1,
        name="gpt",
        kind="proprietary",
        protocol=protocol,
        base_url=url,
        upstream_model=str(kw.pop("upstream_model", "gpt-local")),
        connect_timeout_s=1.0,
        timeout_s=timeout_s,
        api_key="sk-upstream-secret",
        price=PRICES,
        **kw,  # type: ignore[arg-type]
    )


def call(t: BackendTarget, prompt: str = "What is 2 + 3?"):
    async def go():
        async with httpx.AsyncClient() as client:
            return await backend_call(client=client, target=t, messages=[{"role": "user", "content": prompt}])

    # In a thread of its own: the browser tests may leave an event loop running in the main thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_openai_backend_answers_and_is_priced_from_usage(upstream):
    result = call(target(upstream.url()))
    assert (result.text, result.error, result.status) == ("5", "", 200)
    # "What is 2 + 3?" is 14 characters: 4 tokens in; "5" is 1 token out.
    assert (result.input_tokens, result.output_tokens, result.tokens_estimated) == (4, 1, False)
    assert result.cost_usd == Decimal("0.00007000")  # (4 x $10 + 1 x $30) / 1M
    assert "Bearer sk-upstream-secret" in upstream.app.seen_authorization


def test_simple_json_backend_answers(upstream):
    result = call(target(upstream.url("/simple"), protocol="simple-json"), "Reply with exactly: blue")
    assert (result.text, result.error) == ("blue", "")


def test_missing_usage_is_estimated_and_marked(upstream):
    result = call(target(upstream.url(nousage=True)), "Reply with exactly: twelve chars")
    assert result.tokens_estimated is True
    assert result.output_tokens == 3  # "twelve chars" is 12 characters -> 3 estimated tokens


def test_bad_model_is_unsure(upstream):
    assert call(target(upstream.url(), upstream_model="bad-model")).text == "I am not sure."


@pytest.mark.parametrize(
    ("directives", "expected_error", "expected_status"),
    [
        ({"status": 503}, "answered HTTP 503", 503),
        ({"status": 429}, "rate limited", 429),
        ({"garbage": True}, "not an OpenAI chat completion", None),
    ],
)
def test_failures_are_results_not_exceptions(upstream, directives, expected_error, expected_status):
    result = call(target(upstream.url(**directives)))
    assert expected_error in result.error
    assert result.status == expected_status
    assert result.text is None and result.cost_usd == 0


def test_timeout_is_a_result(upstream):
    result = call(target(upstream.url(latency=2000), timeout_s=0.5))
    assert result.error == "Backend gpt did not answer in time."
    assert 450 <= result.latency_ms < 1500


def test_connection_refused_is_a_result():
    result = call(target(f"http://127.0.0.1:{free_port()}/v1"))
    assert result.error == "Backend gpt could not be reached."


def test_backend_target_decrypts_the_key_and_hides_it_from_repr(team):
    backend = Backend.objects.create(
        team=team,
        name="gpt",
        kind="proprietary",
        base_url="http://127.0.0.1:1/v1",
        api_key_encrypted=api_key_encrypt("sk-live-123"),
    )
    t = backend_target(backend)
    assert t.api_key == "sk-live-123"
    assert "sk-live-123" not in repr(t)


def test_backend_target_reports_a_missing_environment_key(team, upstream):
    backend = Backend.objects.create(
        team=team, name="gpt", kind="proprietary", base_url=upstream.url(), api_key_env="MW_TEST_UNSET_KEY"
    )
    result = call(backend_target(backend))
    assert result.error == "Backend gpt: Environment variable MW_TEST_UNSET_KEY is not set on this server."
