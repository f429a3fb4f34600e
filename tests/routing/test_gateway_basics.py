"""The gateway over real HTTP: routing by task type and name, the response, the log."""

from __future__ import annotations

from routing.models import RequestLog


def chat(content: str = "What is 2 + 3?", **extra):
    return {"model": "auto", "messages": [{"role": "user", "content": content}], **extra}


def test_task_type_routes_to_the_proprietary_backend(alpha):
    with alpha.client() as client:
        response = client.post("/v1/chat/completions", json=chat(), headers={"X-Task-Type": "analysis"})
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "5"
    assert response.headers["x-modelwise-backend"] == "gpt"
    assert response.headers["x-modelwise-route"] == "analysis"
    assert response.headers["x-modelwise-fallback"] == "false"
    assert response.headers["x-request-id"].startswith("req_")


def test_other_task_types_go_to_the_default_route(alpha):
    with alpha.client() as client:
        by_metadata = client.post("/v1/chat/completions", json=chat(metadata={"task_type": "summarization"}))
        missing = client.post("/v1/chat/completions", json=chat())
    assert by_metadata.headers["x-modelwise-backend"] == "llama"
    assert missing.headers["x-modelwise-route"] == "general"


def test_a_route_name_as_model_picks_that_route(alpha):
    with alpha.client() as client:
        response = client.post(
            "/v1/chat/completions", json=chat(model="analysis"), headers={"X-Task-Type": "chat"}
        )
    assert response.headers["x-modelwise-route"] == "analysis"


def test_models_lists_auto_and_the_routes(alpha):
    with alpha.client() as client:
        ids = [m["id"] for m in client.get("/v1/models").json()["data"]]
    assert ids == ["auto", "analysis", "general"]


def test_every_request_is_logged(alpha, team):
    with alpha.client() as client:
        client.post("/v1/chat/completions", json=chat(), headers={"X-Task-Type": "reasoning"})
    alpha.gateway.flush()
    log = RequestLog.objects.get(team=team)
    assert (log.route_name, log.backend_name, log.backend_kind, log.task_type) == (
        "analysis",
        "gpt",
        "proprietary",
        "reasoning",
    )
    assert (log.status_code, log.fallback_used, log.tokens_estimated) == (200, False, False)
    assert (log.input_tokens, log.output_tokens) == (4, 1)
