"""Fallback to the route's other backend, the circuit breaker and streaming, over real HTTP."""

from __future__ import annotations

import socket

import httpx
import openai
import pytest

from routing.models import BackendHealth, RequestLog


def chat(content: str = "What is 2 + 3?", **extra):
    return {"model": "auto", "messages": [{"role": "user", "content": content}], **extra}


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def break_llama(alpha, base_url: str, **fields) -> None:
    alpha.llama.base_url = base_url
    for name, value in fields.items():
        setattr(alpha.llama, name, value)
    alpha.llama.save()
    alpha.gateway.reload()


@pytest.mark.parametrize(
    ("failure", "expected_error"),
    [
        ("connect", "could not be reached"),
        ("timeout", "did not answer in time"),
        ("status=429", "rate limited"),
        ("status=500", "answered HTTP 500"),
        ("status=503", "answered HTTP 503"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
def test_failure_before_the_first_byte_falls_back_once(
    alpha, upstream, team, failure, expected_error, stream
):
    if failure == "connect":
        break_llama(alpha, closed_port_url())
    elif failure == "timeout":
        break_llama(alpha, upstream.url(latency=3000), timeout_s="0.5")
    else:
        key, _, value = failure.partition("=")
        break_llama(alpha, upstream.url(**{key: value}))
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=chat(stream=stream))
    assert response.status_code == 200
    assert response.headers["x-modelwise-backend"] == "gpt"
    assert response.headers["x-modelwise-fallback"] == "true"
    assert "5" in response.text
    alpha.gateway.flush()
    log = RequestLog.objects.get(team=team)
    assert (log.backend_name, log.fallback_used, log.status_code) == ("gpt", True, 200)
    health = alpha.gateway.app.breakers[alpha.llama.pk]
    assert health.failures == 1 and expected_error in health.last_error


def test_both_backends_failing_is_a_502(alpha, upstream, team):
    break_llama(alpha, upstream.url(status=503))
    alpha.gpt.base_url = upstream.url(status=502)
    alpha.gpt.save()
    alpha.gateway.reload()
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=chat())
    assert response.status_code == 502
    assert response.json()["error"]["message"] == "Backend gpt answered HTTP 502."
    assert response.json()["error"]["type"] == "upstream_error"


def test_both_backends_timing_out_is_a_504(alpha, upstream):
    break_llama(alpha, upstream.url(latency=3000), timeout_s="0.5")
    alpha.gpt.base_url = upstream.url(latency=3000)
    alpha.gpt.timeout_s = "0.5"
    alpha.gpt.save()
    alpha.gateway.reload()
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=chat())
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "upstream_timeout"


def test_an_upstream_client_error_is_passed_on_without_fallback(alpha, upstream):
    break_llama(alpha, upstream.url(status=400))
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=chat())
    assert response.status_code == 400
    assert response.headers["x-modelwise-backend"] == "llama"
    assert response.headers["x-modelwise-fallback"] == "false"


def test_breaker_opens_skips_half_opens_and_closes(alpha, upstream, team):
    """Three failures open llama's breaker: requests go straight to gpt; after the cool-down one probe
    goes to llama; when it succeeds the breaker closes and llama serves again."""
    app = alpha.gateway.app
    break_llama(alpha, upstream.url("/v1", status=503))
    with alpha.client() as client:
        for _ in range(3):
            assert client.post("/v1/chat/completions", json=chat()).headers["x-modelwise-fallback"] == "true"
        breaker = app.breakers[alpha.llama.pk]
        assert breaker.current_state() == "open"
        calls_before = upstream.app.stats["failures"]
        skipped = client.post("/v1/chat/completions", json=chat())
        assert skipped.headers["x-modelwise-backend"] == "gpt"
        assert upstream.app.stats["failures"] == calls_before  # llama was not even tried

        alpha.gateway.flush()
        health = BackendHealth.objects.get(backend=alpha.llama)
        assert (health.breaker_state, health.consecutive_failures) == ("open", 3)
        assert "answered HTTP 503" in health.last_error

        break_llama(alpha, upstream.url())  # llama recovers
        breaker.cooldown_s = 0  # the cool-down has passed
        assert breaker.current_state() == "half_open"
        probe = client.post("/v1/chat/completions", json=chat())
        assert probe.headers["x-modelwise-backend"] == "llama"
        assert breaker.current_state() == "closed"
        assert client.post("/v1/chat/completions", json=chat()).headers["x-modelwise-backend"] == "llama"
    alpha.gateway.flush()
    health.refresh_from_db()
    assert (health.breaker_state, health.consecutive_failures) == ("closed", 0)
    assert health.last_success_at is not None


def test_half_open_probe_failure_opens_again(alpha, upstream):
    app = alpha.gateway.app
    break_llama(alpha, upstream.url(status=503))
    with alpha.client() as client:
        for _ in range(3):
            client.post("/v1/chat/completions", json=chat())
        breaker = app.breakers[alpha.llama.pk]
        breaker.cooldown_s = 0
        assert breaker.current_state() == "half_open"
        breaker.cooldown_s = 30
        response = client.post("/v1/chat/completions", json=chat())
    assert response.headers["x-modelwise-fallback"] == "true"
    assert breaker.current_state() == "open"


def sse_events(response: httpx.Response) -> list[str]:
    return [line[6:] for line in response.iter_lines() if line.startswith("data: ")]


def test_stream_is_relayed_in_order(alpha):
    body = chat("Reply with exactly: one two three four five", stream=True)
    with alpha.client() as client, client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.headers["content-type"] == "text/event-stream"
        events = sse_events(response)
    assert events[-1] == "[DONE]"
    words = [e.split('"content":"')[1].split('"')[0] for e in events if '"content":"' in e]
    assert "".join(words) == "one two three four five"
    assert not any('"usage":{' in e for e in events)  # the caller did not ask for usage


def test_stream_usage_is_forwarded_when_asked(alpha):
    body = chat("Reply with exactly: hi", stream=True, stream_options={"include_usage": True})
    with alpha.client() as client, client.stream("POST", "/v1/chat/completions", json=body) as response:
        events = sse_events(response)
    assert '"usage":{' in events[-2]


def test_stream_cut_after_the_first_byte_ends_with_an_error_event(alpha, upstream, team):
    break_llama(alpha, upstream.url(cut=2))
    body = chat("Reply with exactly: one two three four five", stream=True)
    with alpha.client() as client, client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        events = sse_events(response)
    assert len(events) == 3  # two relayed events, then the error event; no fallback mid-stream
    assert '"error"' in events[-1] and "cut after it started" in events[-1]
    assert "[DONE]" not in events
    alpha.gateway.flush()
    log = RequestLog.objects.get(team=team)
    assert (log.backend_name, log.status_code, log.fallback_used) == ("llama", 502, False)
    assert log.ttft_ms is not None and "cut" in log.error


def test_openai_package_sees_a_cut_stream_as_an_error(alpha, upstream):
    break_llama(alpha, upstream.url(cut=1))
    client = openai.OpenAI(base_url=alpha.gateway.url + "/v1", api_key=alpha.token, max_retries=0)
    stream = client.chat.completions.create(
        model="auto", messages=[{"role": "user", "content": "Reply with exactly: a b c"}], stream=True
    )
    with pytest.raises(openai.APIError, match="cut after it started"):
        for _ in stream:
            pass


def test_simple_json_backend_streams_one_chunk(alpha, upstream):
    break_llama(alpha, upstream.url("/simple"), protocol="simple-json")
    body = chat("Reply with exactly: all at once", stream=True)
    with alpha.client() as client, client.stream("POST", "/v1/chat/completions", json=body) as response:
        events = sse_events(response)
    assert response.headers["x-modelwise-backend"] == "llama"
    assert '"content":"all at once"' in events[0]
    assert events[-1] == "[DONE]" and len(events) == 3


def test_a_half_open_probe_answered_with_a_client_error_closes_the_breaker(alpha, upstream):
    """The backend is up (it refused this request with a 400): the probe settles, nothing is stuck."""
    app = alpha.gateway.app
    break_llama(alpha, upstream.url(status=503))
    with alpha.client() as client:
        for _ in range(3):
            client.post("/v1/chat/completions", json=chat())
        breaker = app.breakers[alpha.llama.pk]
        break_llama(alpha, upstream.url(status=400))
        breaker.cooldown_s = 0
        assert client.post("/v1/chat/completions", json=chat()).status_code == 400
    assert breaker.current_state() == "closed"
