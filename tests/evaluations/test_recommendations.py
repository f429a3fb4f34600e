"""Recommendations: the article's rankings to the cent through the service, the API and the pages;
ties, defaults, hard requirements with a reason per excluded model, and input errors as 400s."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from catalog.models import ModelOption
from evaluations.requirements import Requirements, capability_shortfalls
from evaluations.services import recommend_models
from tests.api_errors import field_errors
from tests.evaluations.conftest import PRIVACY, STARTUP, bearer, post_json
from tests.factories import ModelOptionFactory

pytestmark = pytest.mark.django_db

URL = "/api/recommendations/"


def _names(recommendation) -> list[str]:
    return [r.candidate.name for r in recommendation.ranking]


# --- The article's references ---------------------------------------------------------------------


def test_startup_priorities_rank_gpt4_turbo_first_at_15_83_ahead_of_claude_3_opus_at_15_50(article_catalog):
    recommendation = recommend_models(priorities=STARTUP)

    first, second = recommendation.ranking[:2]
    assert (first.candidate.name, first.score) == ("GPT-4 Turbo", Decimal("15.83"))
    assert (second.candidate.name, second.score) == ("Claude 3 Opus", Decimal("15.50"))
    assert first.contributions == {
        "time_to_market": Decimal("10.00"),
        "performance": Decimal("4.50"),
        "cost": Decimal("1.33"),
    }
    assert not first.tied and not second.tied


def test_privacy_priorities_rank_llama_2_70b_first_at_16_83_ahead_of_mistral_7b_at_16_50(article_catalog):
    ranking = recommend_models(priorities=PRIVACY).ranking

    assert [(r.candidate.name, r.score) for r in ranking[:2]] == [
        ("Llama 2 70B", Decimal("16.83")),
        ("Mistral 7B", Decimal("16.50")),
    ]


def test_api_ranks_the_article_startup_case(alice_client, article_catalog):
    response = post_json(alice_client, URL, {"priorities": STARTUP})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["priorities"] == STARTUP
    first, second = body["results"][:2]
    assert first == {
        "rank": 1,
        "model": {"id": article_catalog["GPT-4 Turbo"].pk, "name": "GPT-4 Turbo", "kind": "proprietary"},
        "score": "15.83",
        "contributions": {"time_to_market": "10.00", "performance": "4.50", "cost": "1.33"},
        "defaulted": [],
        "tied": False,
        "position": 1,
        "reason": "Top score: strongest on time to market 10, weakest on cost 4.",
        "monthly_cost": None,
        "cost_score_from": "catalog",
        "cost_basis": None,
        "cost_label": "GPT-4 Turbo",
    }
    assert (second["model"]["name"], second["score"], second["rank"]) == ("Claude 3 Opus", "15.50", 2)
    assert (body["max_score"], body["cost_from_usage"]) == ("18.33", False)
    assert body["excluded"] == []


def test_api_ranks_by_a_saved_profile(write_client, privacy_profile, article_catalog):
    response = post_json(write_client, URL, {"profile": privacy_profile.pk})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["profile"] == privacy_profile.pk
    assert body["priorities"] == PRIVACY
    assert [(r["model"]["name"], r["score"]) for r in body["results"][:2]] == [
        ("Llama 2 70B", "16.83"),
        ("Mistral 7B", "16.50"),
    ]


def test_a_read_only_token_and_a_viewer_may_compute_a_recommendation(
    read_client, bob_client, article_catalog
):
    # Computing stores nothing, so it is not a write.
    assert post_json(read_client, URL, {"priorities": STARTUP}).status_code == 200
    assert post_json(bob_client, URL, {"priorities": STARTUP}).status_code == 200


def test_anonymous_callers_get_a_401(client, article_catalog):
    assert post_json(client, URL, {"priorities": STARTUP}).status_code == 401


def test_a_missing_score_counts_as_5_and_is_reported_as_defaulted(alice_client, article_catalog):
    body = post_json(alice_client, URL, {"priorities": STARTUP}).json()

    mixtral = next(r for r in body["results"] if r["model"]["name"] == "Mixtral 8x7B")
    assert mixtral["defaulted"] == STARTUP
    assert mixtral["contributions"] == {"time_to_market": "5.00", "performance": "2.50", "cost": "1.67"}
    assert mixtral["score"] == "9.17"


def test_only_active_models_are_ranked(article_catalog):
    ModelOption.objects.filter(name="GPT-4 Turbo").update(is_active=False)

    assert "GPT-4 Turbo" not in _names(recommend_models(priorities=STARTUP))


# --- Ties -----------------------------------------------------------------------------------------


def test_equal_totals_are_flagged_as_ties_and_ordered_by_name(alice_client):
    ModelOptionFactory(name="zeta", score_cost=9)
    ModelOptionFactory(name="Beta", score_cost=4)
    ModelOptionFactory(name="alpha", score_cost=4)

    body = post_json(alice_client, URL, {"priorities": ["cost"]}).json()

    assert [(r["rank"], r["position"], r["model"]["name"], r["tied"]) for r in body["results"]] == [
        (1, 1, "zeta", False),
        (2, 2, "alpha", True),
        (2, 3, "Beta", True),
    ]


def test_the_page_marks_ties(alice_client):
    ModelOptionFactory(name="One", score_cost=4)
    ModelOptionFactory(name="Two", score_cost=4)

    html = alice_client.get("/t/alpha/recommendations/", {"priority_1": "cost"}).content.decode()

    assert html.count('class="tag tie"') == 2


# --- Hard requirements ----------------------------------------------------------------------------


def _excluded(body: dict) -> dict[str, list[str]]:
    return {e["model"]["name"]: e["reasons"] for e in body["excluded"]}


def test_self_hostable_excludes_api_only_models_and_unknowns_with_a_reason(alice_client, article_catalog):
    body = post_json(alice_client, URL, {"priorities": STARTUP, "require": {"self_hostable": True}}).json()

    assert [r["model"]["name"] for r in body["results"]] == ["Llama 2 70B", "Mixtral 8x7B"]
    assert _excluded(body) == {
        "Claude 3 Opus": ["Cannot be self-hosted."],
        "GPT-4 Turbo": ["Cannot be self-hosted."],
        "Mistral 7B": ["Self-hosting unknown."],
    }


def test_minimum_context_compares_tokens_and_refuses_unknowns(alice_client, article_catalog):
    body = post_json(alice_client, URL, {"priorities": STARTUP, "require": {"min_context": 32_000}}).json()

    assert {r["model"]["name"] for r in body["results"]} == {"GPT-4 Turbo", "Claude 3 Opus", "Mixtral 8x7B"}
    assert _excluded(body) == {
        "Llama 2 70B": ["Maximum context 4,000 tokens is below the required 32,000 tokens."],
        "Mistral 7B": ["Maximum context unknown."],
    }


def test_function_calling_needs_native_support(alice_client, article_catalog):
    body = post_json(alice_client, URL, {"priorities": STARTUP, "require": {"function_calling": True}}).json()

    assert {r["model"]["name"] for r in body["results"]} == {"GPT-4 Turbo", "Claude 3 Opus"}
    excluded = _excluded(body)
    assert excluded["Llama 2 70B"] == ["Function calling only via prompting; native support required."]
    assert excluded["Mistral 7B"] == ["Function calling unknown."]


def test_fine_tuning_is_a_minimum(alice_client, article_catalog):
    limited = post_json(alice_client, URL, {"priorities": STARTUP, "require": {"fine_tuning": "limited"}})
    full = post_json(alice_client, URL, {"priorities": STARTUP, "require": {"fine_tuning": "full"}})

    assert _excluded(limited.json())["Claude 3 Opus"] == ["No fine-tuning; limited or full required."]
    assert "GPT-4 Turbo" in {r["model"]["name"] for r in limited.json()["results"]}
    assert _excluded(full.json())["GPT-4 Turbo"] == ["Only limited fine-tuning; full required."]
    assert _excluded(full.json())["Mistral 7B"] == ["Fine-tuning unknown."]


def test_vision_and_kind_requirements_combine_and_every_reason_is_listed(alice_client, article_catalog):
    body = post_json(
        alice_client, URL, {"priorities": STARTUP, "require": {"vision": True, "kind": "open_source"}}
    ).json()

    assert body["results"] == []
    assert _excluded(body)["GPT-4 Turbo"] == ["Proprietary, not open source."]
    assert _excluded(body)["Llama 2 70B"] == ["No vision support."]
    assert _excluded(body)["Mistral 7B"] == ["Vision support unknown."]
    assert body["requirements"] == {"vision": True, "kind": "open_source"}


def test_a_monthly_cost_limit_prices_each_model_at_the_usage_pattern(
    alice_client, article_catalog, article_usage
):
    # Mixtral without its hosted API price has no priced option left (no self-hosting figures).
    ModelOption.objects.filter(name="Mixtral 8x7B").update(input_price_per_mtok=None)
    body = post_json(
        alice_client,
        URL,
        {"priorities": PRIVACY, "require": {"max_monthly_cost": "15000"}, "usage_pattern": article_usage.pk},
    ).json()

    # Within $15,000: GPT-4 Turbo ($10,500) and Mistral 7B through its API ($112.50). Privacy,
    # customization, performance: Mistral 10 + 9/2 + 6/3 = 16.50, GPT-4 Turbo 5 + 3/2 + 9/3 = 9.50.
    assert [r["model"]["name"] for r in body["results"]] == ["Mistral 7B", "GPT-4 Turbo"]
    excluded = _excluded(body)
    assert excluded["Llama 2 70B"] == ["Monthly cost $22,584.00 exceeds the $15,000.00 limit."]
    assert excluded["Mixtral 8x7B"] == [
        "Monthly cost unknown: missing hourly instance cost, setup hours, monthly operations hours, "
        "engineering hourly rate."
    ]
    assert body["usage_pattern"] == article_usage.pk


def test_a_monthly_cost_limit_also_takes_inline_usage(alice_client, article_catalog):
    usage = {
        "daily_requests": 10_000,
        "avg_input_tokens": 500,
        "avg_output_tokens": 1_000,
        "peak_concurrent": 50,
    }
    body = post_json(
        alice_client, URL, {"priorities": STARTUP, "require": {"max_monthly_cost": "10500"}, "usage": usage}
    ).json()

    # Within $10,500: GPT-4 Turbo ($10,500, cost 1), Mistral 7B's API ($112.50, cost 10) and Mixtral's
    # ($315, cost 10 x 112.50 / 315 = 3.57 -> 4). Time to market, performance, cost:
    # GPT 10 + 9/2 + 1/3 = 14.83, Mistral 6 + 6/2 + 10/3 = 12.33, Mixtral 5 + 5/2 + 4/3 = 8.83.
    assert [r["model"]["name"] for r in body["results"]] == ["GPT-4 Turbo", "Mistral 7B", "Mixtral 8x7B"]


def test_unknown_capabilities_never_meet_a_requirement():
    unknown = ModelOption(name="Mystery", kind="open_source")
    everything = Requirements(
        self_hostable=True, min_context=1, vision=True, function_calling=True, fine_tuning="limited"
    )

    reasons = capability_shortfalls(unknown, everything)

    assert reasons == [
        "Self-hosting unknown.",
        "Maximum context unknown.",
        "Vision support unknown.",
        "Function calling unknown.",
        "Fine-tuning unknown.",
    ]
    assert all("unknown" in reason for reason in reasons)
    assert capability_shortfalls(unknown, Requirements()) == []


# --- Bad input ------------------------------------------------------------------------------------


OWN = object()  # stands for the id of the team's own profile, known only once the fixture runs


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"priorities": ["cost", "speed"]}, "priorities", "Unknown priorities: 'speed'"),
        ({"priorities": ["cost", "cost"]}, "priorities", "must not repeat: cost"),
        ({"priorities": []}, "priorities", "At least one priority is required."),
        ({"priorities": "cost"}, "priorities", "Expected a list"),
        ({}, "priorities", "Give priorities (a list) or a profile (its id)."),
        ({"priorities": ["cost"], "profile": OWN}, "profile", "not both"),
        ({"profile": 999_999}, "profile", "No profile with id 999999 in this team."),
        ({"priorities": ["cost"], "require": {"max_monthly_cost": "100"}}, "usage_pattern", "needs a usage"),
        ({"priorities": ["cost"], "require": {"gpu": True}}, "require", "Unknown field."),
        ({"priorities": ["cost"], "require": {"fine_tuning": "none"}}, "require", "not a valid choice"),
        ({"priorities": ["cost"], "require": {"min_context": -5}}, "require", "greater than or equal to 1"),
        ({"priorities": ["cost"], "usage_pattern": 999_999}, "usage_pattern", "No usage pattern with id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alice_client, startup_profile, payload, field, message):
    payload = {key: startup_profile.pk if value is OWN else value for key, value in payload.items()}
    response = post_json(alice_client, URL, payload)

    assert response.status_code == 400
    assert message in str(field_errors(response)[field])


def test_another_teams_profile_reads_exactly_like_a_missing_one(alice_client, charlies_profile):
    theirs = post_json(alice_client, URL, {"profile": charlies_profile.pk})
    missing = post_json(alice_client, URL, {"profile": charlies_profile.pk + 1000})

    assert theirs.status_code == missing.status_code == 400
    assert field_errors(theirs) == {"profile": [f"No profile with id {charlies_profile.pk} in this team."]}
    assert "Charlie" not in theirs.content.decode()


def test_another_teams_usage_pattern_is_refused(alice_client, charlies_usage):
    body = {"priorities": ["cost"], "usage_pattern": charlies_usage.pk}

    response = post_json(alice_client, URL, body)

    assert response.status_code == 400
    assert "usage_pattern" in field_errors(response)


# --- Fixed number of queries ----------------------------------------------------------------------


def test_api_recommendation_over_1000_models_takes_a_fixed_number_of_queries(
    write_token, startup_profile, big_catalog, django_assert_num_queries
):
    client = Client(**bearer(write_token))
    # Queries, one each:
    # 1. token with its team
    # 2. record the token's use
    # 3. the profile
    # 4. the active models
    with django_assert_num_queries(4):
        response = post_json(client, URL, {"profile": startup_profile.pk, "require": {"vision": False}})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1000


def test_cost_limited_recommendation_over_1000_models_takes_a_fixed_number_of_queries(
    alice_client, article_usage, big_catalog, django_assert_num_queries
):
    body = {"priorities": STARTUP, "require": {"max_monthly_cost": "5000"}, "usage_pattern": article_usage.pk}
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. memberships
    # 4. the usage pattern
    # 5. the active models
    with django_assert_num_queries(5):
        response = post_json(alice_client, URL, body)
    assert response.status_code == 200
    assert len(response.json()["results"]) + len(response.json()["excluded"]) == 1000


def test_recommendation_page_over_1000_models_takes_a_fixed_number_of_queries(
    alice_client, startup_profile, big_catalog, django_assert_num_queries
):
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. profiles
    # 5. usage patterns
    # 6. the active models
    with django_assert_num_queries(6):
        response = alice_client.get("/t/alpha/recommendations/", {"profile": startup_profile.pk})
    assert len(response.context["rows"]) == 1000


# --- The page -------------------------------------------------------------------------------------


def test_page_ranks_by_a_loaded_profile_and_fills_the_priority_boxes(
    alice_client, startup_profile, article_catalog
):
    response = alice_client.get("/t/alpha/recommendations/", {"profile": startup_profile.pk})

    rows = response.context["rows"]
    assert [(r["model"]["name"], r["score"]) for r in rows[:2]] == [
        ("GPT-4 Turbo", "15.83"),
        ("Claude 3 Opus", "15.50"),
    ]
    html = response.content.decode()
    assert '<option value="time_to_market" selected>' in html
    assert "<html" in html
    # the stacked bar shows each contribution with its share of a perfect score (18.33)
    assert 'style="width: 54.55%" title="Time to market: 10.00">10.00</span>' in html


def test_page_ranks_the_privacy_case_from_chosen_priorities(alice_client, article_catalog):
    params = {"priority_1": "data_privacy", "priority_2": "customization", "priority_3": "performance"}

    rows = alice_client.get("/t/alpha/recommendations/", params).context["rows"]

    assert [(r["model"]["name"], r["score"]) for r in rows[:2]] == [
        ("Llama 2 70B", "16.83"),
        ("Mistral 7B", "16.50"),
    ]


def test_htmx_change_returns_only_the_results_fragment(alice_client, article_catalog):
    response = alice_client.get(
        "/t/alpha/recommendations/",
        {"priority_1": "cost", "self_hostable": "on"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="recommendation-results",
    )

    html = response.content.decode()
    assert "<html" not in html and 'data-testid="recommendation-form"' not in html
    assert 'data-testid="ranking"' in html
    assert "Cannot be self-hosted." in html


def test_htmx_profile_pick_returns_the_form_and_the_results(alice_client, privacy_profile, article_catalog):
    response = alice_client.get(
        "/t/alpha/recommendations/",
        {"profile": privacy_profile.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="recommendation",
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'data-testid="recommendation-form"' in html and 'data-testid="ranking"' in html


def test_page_shows_input_errors_instead_of_failing(alice_client, article_catalog):
    response = alice_client.get(
        "/t/alpha/recommendations/", {"priority_1": "cost", "priority_2": "cost", "max_monthly_cost": "-3"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Priorities must not repeat: cost." in html
    assert "rows" not in response.context


def test_page_needs_a_usage_pattern_for_a_cost_limit(alice_client, article_catalog):
    response = alice_client.get(
        "/t/alpha/recommendations/", {"priority_1": "cost", "max_monthly_cost": "100"}
    )

    assert "A maximum monthly cost needs a usage pattern" in response.content.decode()


def test_page_without_inputs_invites_a_choice(alice_client):
    html = alice_client.get("/t/alpha/recommendations/").content.decode()

    assert "Load a profile or choose priorities to rank the catalog." in html


def test_first_visit_ranks_by_the_teams_first_profile(alice_client, startup_profile, article_catalog):
    response = alice_client.get("/t/alpha/recommendations/")

    assert [r["model"]["name"] for r in response.context["rows"][:1]] == ["GPT-4 Turbo"]
    assert f'<option value="{startup_profile.pk}" selected>' in response.content.decode()


def test_outsiders_get_a_404_and_viewers_read_the_page(charlie_client, bob_client, article_catalog):
    assert charlie_client.get("/t/alpha/recommendations/", {"priority_1": "cost"}).status_code == 404
    response = bob_client.get("/t/alpha/recommendations/", {"priority_1": "cost"})
    assert response.status_code == 200
    assert 'data-testid="save-evaluation"' not in response.content.decode()


def test_a_zero_cost_limit_is_kept_and_excludes_every_paid_model(
    alice_client, article_catalog, article_usage
):
    body = post_json(
        alice_client,
        URL,
        {"priorities": ["cost"], "require": {"max_monthly_cost": "0"}, "usage_pattern": article_usage.pk},
    ).json()

    assert body["requirements"] == {"max_monthly_cost": "0.00"}
    assert body["results"] == []
