"""Decisions that agree with the money: with a usage pattern the cost priority scores what each model
would cost, ties read as ties, every result says why it ranks there, and the page's form, result and
saved evaluation never disagree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import ModelOption
from evaluations.models import Evaluation
from evaluations.services import evaluation_create, profile_update, usage_pattern_create
from tests.api_errors import field_errors
from tests.evaluations.conftest import STARTUP, post_json
from tests.factories import ModelOptionFactory

pytestmark = pytest.mark.django_db

URL = "/api/recommendations/"
PAGE = "/t/alpha/recommendations/"


def _results(body: dict) -> dict[str, dict]:
    return {r["model"]["name"]: r for r in body["results"]}


def test_with_a_usage_the_cheapest_priced_model_leads_on_cost(alice_client, article_catalog, article_usage):
    body = post_json(alice_client, URL, {"priorities": ["cost"], "usage_pattern": article_usage.pk}).json()

    results = _results(body)
    assert body["cost_from_usage"] is True
    # The article's traffic is 10,000 x 30 = 300,000 requests a month of 500 input and 1,000 output
    # tokens. Mistral 7B's hosted API ($0.25 and $0.25 per million tokens) costs
    # 300,000 x (500 x 0.25 + 1,000 x 0.25) / 1e6 = $112.50, the cheapest priced option (its
    # self-hosting figures are unknown), so it scores 10.
    mistral = results["Mistral 7B"]
    assert (mistral["rank"], mistral["score"], mistral["monthly_cost"], mistral["cost_score_from"]) == (
        1,
        "10.00",
        "112.50",
        "usage",
    )
    assert (mistral["cost_basis"], mistral["cost_label"]) == ("api", "Mistral 7B (API)")
    assert "$112.50 a month through its API; self-hosted not priced" in mistral["reason"]
    # Mixtral's API ($0.70 and $0.70): 300,000 x 1,500 x 0.70 / 1e6 = $315; 10 x 112.50 / 315 = 3.57 -> 4.
    assert (results["Mixtral 8x7B"]["monthly_cost"], results["Mixtral 8x7B"]["score"]) == ("315.00", "4.00")
    # GPT-4 Turbo: 300,000 x (500 x 10 + 1,000 x 30) / 1e6 = $10,500; 10 x 112.50 / 10,500 = 0.11,
    # at least 1. Llama 2 70B ($22,584) and Claude 3 Opus ($24,750) score the floor 1 too.
    gpt = results["GPT-4 Turbo"]
    assert (gpt["score"], gpt["monthly_cost"], gpt["cost_basis"], gpt["cost_label"]) == (
        "1.00",
        "10500.00",
        "api",
        "GPT-4 Turbo",
    )
    assert results["Llama 2 70B"]["score"] == "1.00"
    assert results["Claude 3 Opus"]["score"] == "1.00"
    assert "$10,500.00 a month" in gpt["reason"]


def _mixtral_priced_both_ways(api_price: str) -> None:
    """Mixtral with a hosted API price per million tokens (in and out) and self-hosting figures at
    which one instance carries the article's traffic: 24 h x 30 days x $8 + 10 h x $100 = $6,760."""
    ModelOption.objects.filter(name="Mixtral 8x7B").update(
        input_price_per_mtok=Decimal(api_price),
        output_price_per_mtok=Decimal(api_price),
        instance_hourly_cost=Decimal("8"),
        setup_hours=Decimal("10"),
        monthly_ops_hours=Decimal("10"),
        engineering_hourly_rate=Decimal("100"),
        throughput_tokens_per_s=1_000,
        concurrent_requests_per_instance=64,
    )


def test_a_model_priced_both_ways_is_ranked_by_its_cheaper_option_the_api(
    alice_client, article_catalog, article_usage
):
    _mixtral_priced_both_ways("0.70")  # API: 300,000 x 1,500 x $0.70 / 1M = $315 a month
    ask = {"priorities": ["cost"], "usage_pattern": article_usage.pk}

    mixtral = _results(post_json(alice_client, URL, ask).json())["Mixtral 8x7B"]
    report = post_json(alice_client, "/api/cost-reports/", {"usage_pattern": article_usage.pk}).json()
    limited = post_json(alice_client, URL, {**ask, "require": {"max_monthly_cost": "500"}}).json()

    assert (mixtral["monthly_cost"], mixtral["cost_basis"], mixtral["cost_label"]) == (
        "315.00",
        "api",
        "Mixtral 8x7B (API)",
    )
    assert "$315.00 a month through its API; self-hosted $6,760.00" in mixtral["reason"]
    # The same two labelled options as the cost report, at the same figures.
    options = {m["label"]: m["monthly_total"] for m in report["models"] if m["name"] == "Mixtral 8x7B"}
    assert options == {"Mixtral 8x7B (API)": "315.00", "Mixtral 8x7B (self-hosted)": "6760.00"}
    # A $500 limit keeps it: its cheaper option is within it, though self-hosting is not.
    assert "Mixtral 8x7B" in _results(limited)


def test_a_model_priced_both_ways_is_ranked_by_its_cheaper_option_self_hosted(
    alice_client, article_catalog, article_usage
):
    _mixtral_priced_both_ways("20")  # API: 300,000 x 1,500 x $20 / 1M = $9,000 a month

    body = post_json(alice_client, URL, {"priorities": ["cost"], "usage_pattern": article_usage.pk}).json()

    mixtral = _results(body)["Mixtral 8x7B"]
    assert (mixtral["monthly_cost"], mixtral["cost_basis"], mixtral["cost_label"]) == (
        "6760.00",
        "self_hosted",
        "Mixtral 8x7B (self-hosted)",
    )
    assert "$6,760.00 a month self-hosted; API $9,000.00" in mixtral["reason"]
    # Mistral 7B's API ($112.50) is still the cheapest: 10 x 112.50 / 6,760 = 0.17, at least 1.
    assert mixtral["score"] == "1.00"


def test_the_page_says_which_option_priced_a_model(alice_client, article_catalog, article_usage):
    html = alice_client.get(PAGE, {"priority_1": "cost", "usage_pattern": article_usage.pk}).content.decode()

    row = html[html.index('<tr data-model="Mistral 7B">') :]
    row = row[: row.index("</tr>")]
    assert "$112.50" in row and 'data-testid="cost-option">Mistral 7B (API)<' in row


def test_a_model_that_cannot_be_priced_keeps_its_catalog_score_flagged(
    alice_client, article_catalog, article_usage
):
    ModelOption.objects.filter(name="Claude 3 Opus").update(input_price_per_mtok=None)

    body = post_json(alice_client, URL, {"priorities": ["cost"], "usage_pattern": article_usage.pk}).json()

    claude = _results(body)["Claude 3 Opus"]
    assert (claude["score"], claude["monthly_cost"], claude["cost_score_from"]) == ("3.00", None, "catalog")
    assert "cost unknown at this usage: catalog score" in claude["reason"]


def test_cutting_a_price_changes_the_ranking_by_cost(alice_client, article_catalog, article_usage):
    # 300,000 x (500 x 0.10 + 1,000 x 0.05) / 1e6 = $30 a month: below Mistral 7B's API at $112.50.
    ModelOption.objects.filter(name="Claude 3 Opus").update(
        input_price_per_mtok=Decimal("0.10"), output_price_per_mtok=Decimal("0.05")
    )

    body = post_json(alice_client, URL, {"priorities": ["cost"], "usage_pattern": article_usage.pk}).json()

    assert body["results"][0]["model"]["name"] == "Claude 3 Opus"
    assert _results(body)["GPT-4 Turbo"]["score"] == "1.00"  # 10 x 30 / 10,500 rounds to 0, at least 1
    assert _results(body)["Mistral 7B"]["score"] == "3.00"  # 10 x 30 / 112.50 = 2.67 -> 3


def test_without_a_usage_the_article_rule_and_figures_stand(alice_client, article_catalog):
    body = post_json(alice_client, URL, {"priorities": STARTUP}).json()

    assert body["cost_from_usage"] is False
    assert _results(body)["GPT-4 Turbo"]["score"] == "15.83"
    assert _results(body)["GPT-4 Turbo"]["monthly_cost"] is None


def test_inline_usage_prices_the_cost_priority_too(alice_client, article_catalog):
    usage = {
        "daily_requests": 10_000,
        "avg_input_tokens": 500,
        "avg_output_tokens": 1_000,
        "peak_concurrent": 50,
    }

    body = post_json(alice_client, URL, {"priorities": STARTUP, "usage": usage}).json()

    # Time to market, performance, cost: GPT-4 Turbo's cost scores 1 at this usage (10 x $112.50 for
    # Mistral 7B's API / $10,500 = 0.11, at least 1), not the catalog's 4: 10 + 9/2 + 1/3 = 14.83.
    assert _results(body)["GPT-4 Turbo"]["score"] == "14.83"
    assert _results(body)["Mistral 7B"]["score"] == "12.33"  # 6 + 6/2 + 10/3


def test_a_profile_prices_at_its_default_usage_pattern(
    alice_client, article_catalog, startup_profile, article_usage
):
    profile_update(profile=startup_profile, default_usage_pattern=article_usage)

    body = post_json(alice_client, URL, {"profile": startup_profile.pk}).json()

    assert body["usage_pattern"] == article_usage.pk
    assert _results(body)["GPT-4 Turbo"]["score"] == "14.83"  # 10 + 9/2 + 1/3, as with inline usage
    html = alice_client.get(PAGE, {"profile": startup_profile.pk}).content.decode()
    assert 'data-testid="monthly-cost"' in html and "$10,500.00" in html


def test_a_profile_default_usage_from_another_team_is_refused(alice_client, startup_profile, charlies_usage):
    response = alice_client.patch(
        f"/api/profiles/{startup_profile.pk}/",
        {"default_usage_pattern": charlies_usage.pk},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "default_usage_pattern" in field_errors(response)


def test_the_page_shows_ties_as_shared_ranks_and_a_score_out_of_its_maximum(alice_client):
    ModelOptionFactory(name="One", score_cost=4, score_performance=6)
    ModelOptionFactory(name="Two", score_cost=4, score_performance=6)
    ModelOptionFactory(name="Three", score_cost=2, score_performance=6)

    html = alice_client.get(PAGE, {"priority_1": "cost", "priority_2": "performance"}).content.decode()

    assert html.count('data-testid="rank">=1<') == 2
    assert 'data-testid="rank">3<' in html
    assert "of 15.00" in html
    assert "Top score, tied with 1 other" in html


def test_a_tie_at_the_top_is_saved_as_a_tie(team, alice):
    ModelOptionFactory(name="One", score_cost=4)
    ModelOptionFactory(name="Two", score_cost=4)

    evaluation = evaluation_create(team=team, name="Tie", created_by=alice, priorities=["cost"])

    assert evaluation.top_pick == "One = Two"


def test_blanking_every_priority_is_a_form_error_even_with_a_profile(alice_client, startup_profile):
    blank = {f"priority_{i}": "" for i in range(1, 7)}

    html = alice_client.get(PAGE, {"profile": startup_profile.pk, **blank}).content.decode()

    assert "At least one priority is required." in html
    assert 'data-testid="ranking"' not in html
    assert 'data-testid="save-evaluation"' not in html


def test_save_is_not_offered_for_an_empty_result_and_refused_if_posted(alice_client):
    ModelOptionFactory(name="Hosted only", self_hosting=False)
    query = "priority_1=cost&self_hostable=on"

    html = alice_client.get(f"{PAGE}?{query}").content.decode()
    response = alice_client.post(f"/t/alpha/evaluations/new/?{query}", {"name": "Nothing"})

    assert "No active model meets these requirements." in html
    assert 'data-testid="save-evaluation"' not in html
    assert response.status_code == 400
    assert not Evaluation.objects.exists()


def test_save_stores_the_ranking_on_screen_including_the_profile_default_usage(
    alice_client, article_catalog, startup_profile, article_usage
):
    profile_update(profile=startup_profile, default_usage_pattern=article_usage)
    page = alice_client.get(PAGE, {"profile": startup_profile.pk})
    query = page.context["query"]
    shown = page.context["recommendation"]["results"]

    response = alice_client.post(f"/t/alpha/evaluations/new/?{query}", {"name": "As shown"})

    assert response.status_code == 302
    saved = Evaluation.objects.get(name="As shown")
    assert saved.snapshot["recommendation"]["results"] == shown
    assert saved.usage_pattern == article_usage


def test_the_formulas_section_has_no_developer_notes(alice_client, article_catalog, article_usage):
    html = alice_client.get("/t/alpha/cost-report/", {"usage_pattern": article_usage.pk}).content.decode()

    assert "Formulas and assumptions" in html
    assert "``steps``" not in html and "already worked out" not in html
    assert "no instance cap" in html


def test_a_bill_under_a_cent_reads_less_than_a_cent(alice_client, team):
    ModelOptionFactory(
        name="Tiny",
        kind="proprietary",
        input_price_per_mtok=Decimal("0.01"),
        output_price_per_mtok=Decimal("0.01"),
    )
    pattern = usage_pattern_create(
        team=team,
        name="Trickle",
        daily_requests=1,
        avg_input_tokens=10,
        avg_output_tokens=10,
        peak_concurrent=1,
    )

    html = alice_client.get("/t/alpha/cost-report/", {"usage_pattern": pattern.pk}).content.decode()

    assert "&lt; $0.01" in html
    assert "$0.00" not in html


def test_idle_days_are_explicit_in_the_report(alice_client, article_catalog, team):
    pattern = usage_pattern_create(
        team=team,
        name="Weekdays, always on",
        daily_requests=10_000,
        avg_input_tokens=500,
        avg_output_tokens=1_000,
        peak_concurrent=50,
        days_per_month=22,
        shut_down_idle_days=False,
    )

    body = post_json(alice_client, "/api/cost-reports/", {"usage_pattern": pattern.pk}).json()

    llama = next(m for m in body["models"] if m["name"] == "Llama 2 70B")
    assert llama["monthly_compute"] == "19584.00"  # 30 days of GPU time, though traffic runs 22
    assert body["usage"]["billed_days"] == 30
    assert any("keep running on the 8 idle days" in note for note in body["notes"])


def test_compare_page_shows_each_score_out_of_its_profiles_maximum(
    alice_client, team, alice, article_catalog
):
    first = evaluation_create(team=team, name="Startup", created_by=alice, priorities=STARTUP)
    second = evaluation_create(team=team, name="Cost only", created_by=alice, priorities=["cost"])

    html = alice_client.get("/t/alpha/evaluations/compare/", {"a": first.pk, "b": second.pk}).content.decode()

    assert '15.83 <span class="muted">/ 18.33</span>' in html
    assert "/ 10.00" in html
