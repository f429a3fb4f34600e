"""The local upstream's deterministic answers and failure switches, over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from routing.local_upstream import answer_for


@pytest.mark.parametrize(
    ("prompt", "model", "answer"),
    [
        ("Please. Reply with exactly: Paris", "m", "Paris"),
        ("What is 40 + 2?", "m", "42"),
        ("What is 40 + 2?", "bad-model", "I am not sure."),
        ("Tell me about tides", "m", "Here is a local answer about: Tell me about tides."),
    ],
)
def test_answers_are_deterministic(prompt, model, answer):
    assert answer_for(prompt=prompt, model=model) == answer


def test_stream_relays_words_then_usage_and_done(upstream):
    body = {
        "model": "m",
        "stream": True,
        "stream_options": {"include_usage": True},
        "messages": [{"role": "user", "content": "Reply with exactly: one two three"}],
    }
    with httpx.stream("POST", upstream.url() + "/chat/completions", json=body) as response:
        events = [line for line in response.iter_lines() if line.startswith("data: ")]
    assert events[-1] == "data: [DONE]"
    assert '"usage"' in events[-2]
    assert len(events) == 3 + 1 + 1 + 1  # three words, finish, usage, done


def test_failure_header_and_rate(upstream):
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    url = upstream.url() + "/chat/completions"
    assert httpx.post(url, json=body, headers={"X-Upstream-Fail": "1"}).status_code == 503
    upstream.app.failure_rate = 1.0
    assert httpx.post(url, json=body).status_code == 503
    upstream.app.failure_rate = 0.0
    assert httpx.post(url, json=body).status_code == 200


def test_models_and_health(upstream):
    assert httpx.get(upstream.url("/health")).json() == {"status": "ok"}
    assert httpx.get(upstream.url("/v1/models")).json()["data"][0]["id"] == "local-model"
