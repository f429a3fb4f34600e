"""GET for any signed-in user or team token; writes for staff only; bad input is a 400 per field."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.models import ModelOption
from tests.api_errors import field_errors
from tests.factories import ModelOptionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/catalog/models/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


NEW_MODEL = {
    "name": "Qwen 72B",
    "provider": "Alibaba",
    "kind": "open_source",
    "scores": {"cost": 8, "performance": 8},
    "hosting": {"instance_hourly_cost": "12.50", "throughput_tokens_per_s": 900},
    "capabilities": {"max_context_tokens": 32000, "self_hosting": True, "fine_tuning": "full"},
}


def test_model_payload_has_scores_prices_hosting_and_capabilities(alice_client, article_catalog):
    gpt4 = article_catalog["GPT-4 Turbo"]
    body = alice_client.get(detail(gpt4.pk)).json()
    assert body["name"] == "GPT-4 Turbo"
    assert body["kind"] == "proprietary"
    assert body["scores"] == {
        "cost": 4,
        "performance": 9,
        "customization": 3,
        "data_privacy": 5,
        "time_to_market": 10,
        "maintenance": 10,
    }
    assert body["default_scores"] == []
    assert body["input_price_per_mtok"] == "10.0000"
    assert body["output_price_per_mtok"] == "30.0000"
    assert body["capabilities"]["max_context_tokens"] == 128000
    assert body["capabilities"]["fine_tuning"] == "limited"
    assert body["hosting"]["instance_hourly_cost"] is None


def test_unknown_figures_are_null_and_missing_scores_are_listed_as_defaults(alice_client, article_catalog):
    body = alice_client.get(detail(article_catalog["Mixtral 8x7B"].pk)).json()
    assert set(body["scores"].values()) == {None}
    assert len(body["default_scores"]) == 6
    llama = alice_client.get(detail(article_catalog["Llama 2 70B"].pk)).json()
    assert llama["input_price_per_mtok"] is None
    assert llama["hosting"]["instance_hourly_cost"] == "27.2000"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "proprietary"}, ["Claude 3 Opus", "GPT-4 Turbo"]),
        ({"kind": "open_source", "self_hosting": "true"}, ["Llama 2 70B", "Mixtral 8x7B"]),
        ({"vision": "true"}, ["Claude 3 Opus", "GPT-4 Turbo"]),
        ({"min_context": "100000"}, ["Claude 3 Opus", "GPT-4 Turbo"]),
        ({"function_calling": "prompting"}, ["Llama 2 70B", "Mixtral 8x7B"]),
        ({"fine_tuning": "none"}, ["Claude 3 Opus"]),
    ],
)
def test_list_filters_by_kind_and_capability(alice_client, article_catalog, params, expected):
    body = alice_client.get(LIST, params).json()
    assert [m["name"] for m in body["results"]] == expected


def test_a_bad_filter_value_is_a_400_naming_the_field(alice_client, article_catalog):
    response = alice_client.get(LIST, {"kind": "closed", "min_context": "lots"})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"kind", "min_context"}


def test_list_is_paginated_with_a_fixed_number_of_queries(alice_client, django_assert_num_queries):
    ModelOptionFactory.create_batch(60)
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. count
    # 4. the page of models
    with django_assert_num_queries(4):
        body = alice_client.get(LIST).json()
    assert body["count"] == 60
    assert len(body["results"]) == 50
    assert body["next"].endswith("?page=2")


def test_token_list_also_uses_a_fixed_number_of_queries(read_token, django_assert_num_queries):
    ModelOptionFactory.create_batch(30)
    client = Client(**bearer(read_token))
    # Queries, one each:
    # 1. token with its team
    # 2. record last use
    # 3. count
    # 4. the page of models
    with django_assert_num_queries(4):
        assert client.get(LIST).status_code == 200


# --- the permission matrix -----------------------------------------------------------------------


@pytest.fixture
def gpt4(article_catalog) -> ModelOption:
    return article_catalog["GPT-4 Turbo"]


def _all_calls(pk: int) -> list[tuple[str, str, dict | None]]:
    return [
        ("get", LIST, None),
        ("get", detail(pk), None),
        ("post", LIST, NEW_MODEL),
        ("patch", detail(pk), {"provider": "OpenAI Inc."}),
        ("put", detail(pk), {"name": "GPT-4 Turbo", "kind": "proprietary"}),
        ("delete", detail(pk), None),
    ]


def _call(client: Client, method: str, url: str, data: dict | None):
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, content_type="application/json")


def test_anonymous_callers_get_a_401_everywhere(client, gpt4):
    for method, url, data in _all_calls(gpt4.pk):
        response = _call(client, method, url, data)
        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Bearer"


def test_a_bad_token_is_refused(gpt4):
    client = Client(**bearer("mw_not-a-real-token"))
    assert client.get(LIST).status_code == 401
    assert Client(**bearer("something-else")).get(LIST).status_code == 401


@pytest.mark.parametrize("who", ["alice_client", "bob_client", "charlie_client"])
def test_members_read_but_cannot_change_the_catalog(request, who, gpt4):
    client = request.getfixturevalue(who)
    calls = _all_calls(gpt4.pk)
    for method, url, data in calls[:2]:
        assert _call(client, method, url, data).status_code == 200, (who, method, url)
    for method, url, data in calls[2:]:
        assert _call(client, method, url, data).status_code == 403, (who, method, url)
    assert ModelOption.objects.filter(pk=gpt4.pk, provider="OpenAI").exists()


@pytest.mark.parametrize("token_fixture", ["read_token", "write_token"])
def test_team_tokens_read_but_cannot_change_the_catalog(request, token_fixture, gpt4):
    client = Client(**bearer(request.getfixturevalue(token_fixture)))
    calls = _all_calls(gpt4.pk)
    for method, url, data in calls[:2]:
        assert _call(client, method, url, data).status_code == 200
    for method, url, data in calls[2:]:
        assert _call(client, method, url, data).status_code == 403


def test_a_revoked_token_no_longer_reads(read_token, gpt4):
    from portal.models import ApiToken
    from portal.services import api_token_revoke

    api_token_revoke(token=ApiToken.objects.get(name="reader"))
    assert Client(**bearer(read_token)).get(LIST).status_code == 401


def test_staff_create_update_and_delete_models(staff_client, gpt4):
    created = staff_client.post(LIST, NEW_MODEL, content_type="application/json")
    assert created.status_code == 201, created.json()
    qwen = ModelOption.objects.get(name="Qwen 72B")
    assert (qwen.score_cost, qwen.score_performance, qwen.score_maintenance) == (8, 8, None)
    assert qwen.throughput_tokens_per_s == 900
    assert qwen.self_hosting is True
    assert created.json()["default_scores"] == [
        "customization",
        "data_privacy",
        "time_to_market",
        "maintenance",
    ]

    patched = staff_client.patch(detail(gpt4.pk), {"scores": {"cost": 5}}, content_type="application/json")
    assert patched.status_code == 200
    gpt4.refresh_from_db()
    assert (gpt4.score_cost, gpt4.score_performance) == (5, 9)

    assert staff_client.delete(detail(qwen.pk)).status_code == 204
    assert not ModelOption.objects.filter(pk=qwen.pk).exists()


@pytest.mark.parametrize(
    ("payload", "error_path"),
    [
        ({"scores": {"cost": 11}}, ("scores", "cost")),
        ({"input_price_per_mtok": "-1"}, ("input_price_per_mtok",)),
        ({"hosting": {"throughput_tokens_per_s": 0}}, ("hosting", "throughput_tokens_per_s")),
        ({"kind": "closed"}, ("kind",)),
        ({"name": "GPT-4 Turbo"}, ("name",)),
        ({"capabilities": {"fine_tuning": "some"}}, ("capabilities", "fine_tuning")),
    ],
)
def test_bad_writes_are_400_with_field_messages_and_change_nothing(staff_client, gpt4, payload, error_path):
    body = {**NEW_MODEL, **payload}
    response = staff_client.post(LIST, body, content_type="application/json")
    assert response.status_code == 400
    errors = field_errors(response)
    for key in error_path:
        errors = errors[key]
    assert isinstance(errors, list)
    assert errors
    assert not ModelOption.objects.filter(name="Qwen 72B").exists()
    assert ModelOption.objects.count() == 5


def test_malformed_json_is_a_400(staff_client):
    response = staff_client.post(LIST, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_interactive_docs_are_served_from_local_static_files(alice_client):
    html = alice_client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
