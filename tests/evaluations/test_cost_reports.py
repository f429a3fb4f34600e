"""Cost reports: the article's figures to the cent through the service, the API and the page; models
missing a figure are not priced (never $0); break-even in months and in daily volume; chart series."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import ModelOption
from evaluations.costing import Usage
from evaluations.services import cost_report_build
from evaluations.services.cost_report import _nice_step, _volume_points
from evaluations.snapshots import cost_report_data
from tests.api_errors import field_errors
from tests.evaluations.conftest import ARTICLE_USAGE, post_json
from tests.factories import ModelOptionFactory

pytestmark = pytest.mark.django_db

URL = "/api/cost-reports/"


def _by_name(rows: list[dict]) -> dict[str, dict]:
    return {row["name"]: row for row in rows}


def _article_report(article_catalog, **kwargs):
    return cost_report_build(usage=Usage(**ARTICLE_USAGE), options=list(article_catalog.values()), **kwargs)


# --- The article's references, through the service ------------------------------------------------


def test_gpt4_turbo_costs_10500_dollars_a_month_by_api_price(article_catalog):
    gpt4 = next(m for m in _article_report(article_catalog).models if m.model.name == "GPT-4 Turbo")

    assert gpt4.basis == "api"
    assert gpt4.monthly_api == Decimal("10500.00")
    assert gpt4.monthly_total == Decimal("10500.00")
    assert gpt4.first_year_total == Decimal("126000.00")
    assert gpt4.setup is None and gpt4.monthly_compute is None


def test_llama_2_70b_self_hosted_costs_22584_a_month_and_277008_in_the_first_year(article_catalog):
    llama = next(m for m in _article_report(article_catalog).models if m.model.name == "Llama 2 70B")

    assert llama.basis == "self_hosted"
    assert llama.monthly_compute == Decimal("19584.00")
    assert llama.monthly_ops == Decimal("3000.00")
    assert llama.monthly_total == Decimal("22584.00")
    assert llama.setup == Decimal("6000.00")
    assert llama.first_year_total == Decimal("277008.00")
    assert llama.monthly_api is None


def test_llama_against_gpt4_never_breaks_even_but_does_at_21509_requests_a_day(article_catalog):
    report = _article_report(article_catalog)

    pair = next(
        c
        for c in report.comparisons
        if (c.open_source.model.name, c.proprietary.model.name) == ("Llama 2 70B", "GPT-4 Turbo")
    )
    # The article's formula gives -0.5 months here; self-hosting costs more each month, so never.
    assert pair.break_even.months is None
    assert "never breaks even" in pair.break_even.reason
    assert "$12,084.00 more per month" in pair.break_even.reason
    assert pair.break_even_daily_requests == 21_509


def test_llama_capacity_is_not_checked_and_the_report_says_so(article_catalog):
    report = _article_report(article_catalog)

    llama = next(m for m in report.models if m.model.name == "Llama 2 70B")
    assert llama.instances == 1
    assert llama.capacity_checked is False
    assert llama.capacity_note.startswith("Capacity not checked:")
    assert any(note.startswith("Llama 2 70B: Capacity not checked") for note in report.notes)


def test_a_model_with_known_capacity_is_sized_by_its_peak_and_volume():
    hosted = ModelOption(
        pk=7,
        name="Sized",
        kind="open_source",
        instance_hourly_cost=Decimal("10"),
        setup_hours=Decimal("0"),
        monthly_ops_hours=Decimal("0"),
        engineering_hourly_rate=Decimal("100"),
        throughput_tokens_per_s=100,
        concurrent_requests_per_instance=16,
    )

    cost = cost_report_build(usage=Usage(**ARTICLE_USAGE), options=[hosted]).models[0]

    # peak 50 / 16 per instance -> 4; 10,000 x 1,000 tokens / (100/s x 86,400 s) -> 2; the larger wins
    assert (cost.instances, cost.capacity_checked, cost.capacity_note) == (4, True, "")
    assert cost.monthly_compute == Decimal("28800.00")


def test_models_missing_a_figure_are_not_priced_and_say_what_is_missing(article_catalog):
    report = _article_report(article_catalog)

    mistral = next(m for m in report.models if m.model.name == "Mistral 7B" and m.basis == "self_hosted")
    assert not mistral.priced
    assert mistral.missing == (
        "instance_hourly_cost",
        "setup_hours",
        "monthly_ops_hours",
        "engineering_hourly_rate",
    )
    assert mistral.monthly_total is None and mistral.first_year_total is None
    assert all(c.open_source.model.name != "Mistral 7B" for c in report.comparisons)


def test_a_proprietary_model_without_prices_is_not_priced(article_catalog):
    ModelOption.objects.filter(name="Claude 3 Opus").update(output_price_per_mtok=None)
    report = _article_report(
        article_catalog | {"Claude 3 Opus": ModelOption.objects.get(name="Claude 3 Opus")}
    )

    claude = next(m for m in report.models if m.model.name == "Claude 3 Opus")
    assert claude.missing == ("output_price_per_mtok",)
    assert claude.monthly_api is None


def test_the_chart_follows_36_months_and_the_break_even_volume(article_catalog):
    chart = _article_report(article_catalog).chart

    assert (chart.comparison.open_source.model.name, chart.comparison.proprietary.model.name) == (
        "Llama 2 70B",
        "GPT-4 Turbo",
    )
    assert len(chart.cumulative) == 37
    assert chart.cumulative[0] == (0, Decimal("0.00"), Decimal("6000.00"))
    assert chart.cumulative[36] == (36, Decimal("378000.00"), Decimal("819024.00"))
    # Twice the break-even volume (43,018) over 24 steps is 1,793 a step, rounded up to 2,000; today's
    # volume (10,000) falls on a step and the break-even volume is added.
    volumes = [volume for volume, _, _ in chart.by_volume]
    assert volumes == sorted([*range(0, 48_001, 2_000), 21_509])
    assert (21_509, Decimal("22584.45"), Decimal("22584.00")) in chart.by_volume


def test_a_chosen_pair_is_charted_and_can_break_even(article_catalog):
    llama, claude = article_catalog["Llama 2 70B"], article_catalog["Claude 3 Opus"]

    chart = _article_report(article_catalog, chart_pair=(llama.pk, claude.pk)).chart

    # Claude 3 Opus at $15/$75: 300,000 requests a month x (500 x 15 + 1,000 x 75) / 1M = $24,750.00.
    # Llama 2 70B costs $22,584.00 a month, so self-hosting saves $2,166.00 and recovers its $6,000.00
    # setup in 6,000 / 2,166 = 2.770... months.
    assert chart.comparison.proprietary.model.name == "Claude 3 Opus"
    assert chart.comparison.proprietary.monthly_total == Decimal("24750.00")
    assert chart.comparison.open_source.monthly_total == Decimal("22584.00")
    assert chart.comparison.break_even.months == Decimal("2.77")
    assert chart.comparison.break_even.reason == (
        "Self-hosting saves $2,166.00 per month, recovering the $6,000.00 setup cost in 2.77 months."
    )


def test_the_assumptions_quote_the_cost_model_formulas(article_catalog):
    assumptions = {
        a["title"]: a["text"] for a in cost_report_data(_article_report(article_catalog))["assumptions"]
    }

    assert "daily_requests x days x (input_tokens x input_price" in assumptions["API monthly cost"]
    assert "instances x hourly_cost x 24 x days" in assumptions["Self-hosted monthly cost"]
    assert "meaningless negative figure" in assumptions["Break-even months"]


# --- The API --------------------------------------------------------------------------------------


def test_api_reports_the_article_figures_to_the_cent(alice_client, article_catalog, article_usage):
    response = post_json(alice_client, URL, {"usage_pattern": article_usage.pk})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["usage_pattern"] == article_usage.pk
    assert body["usage"] == {**ARTICLE_USAGE, "shut_down_idle_days": True, "billed_days": 30}
    models = _by_name(body["models"])
    assert models["GPT-4 Turbo"] | {"id": 0} == {
        "id": 0,
        "name": "GPT-4 Turbo",
        "label": "GPT-4 Turbo",
        "kind": "proprietary",
        "basis": "api",
        "both_ways": False,
        "priced": True,
        "missing": [],
        "instances": None,
        "capacity_checked": None,
        "capacity_note": "",
        "monthly_api": "10500.00",
        "monthly_compute": None,
        "monthly_ops": None,
        "setup": None,
        "monthly_total": "10500.00",
        "first_year_total": "126000.00",
        "under_a_cent": False,
    }
    llama = models["Llama 2 70B"]
    assert (llama["monthly_compute"], llama["monthly_ops"], llama["monthly_total"]) == (
        "19584.00",
        "3000.00",
        "22584.00",
    )
    assert (llama["setup"], llama["first_year_total"]) == ("6000.00", "277008.00")
    assert (llama["instances"], llama["capacity_checked"]) == (1, False)


def test_api_compares_the_article_pair_with_a_reason_instead_of_a_negative_month(
    alice_client, article_catalog, article_usage
):
    body = post_json(alice_client, URL, {"usage_pattern": article_usage.pk}).json()

    pair = next(c for c in body["comparisons"] if c["proprietary"]["name"] == "GPT-4 Turbo")
    assert pair["open_source"] | {"id": 0} == {
        "id": 0,
        "name": "Llama 2 70B",
        "label": "Llama 2 70B",
        "kind": "open_source",
        "monthly_total": "22584.00",
        "capacity_checked": False,
        "capacity_note": (
            "Capacity not checked: output tokens/s per instance and concurrent requests per instance "
            "unknown, so 1 instance is assumed whatever the traffic; the self-hosted cost may be far too low."
        ),
    }
    assert pair["break_even_months"] is None
    assert "never breaks even" in pair["break_even_reason"]
    assert pair["break_even_daily_requests"] == 21_509
    assert body["chart"]["break_even_daily_requests"] == 21_509
    assert body["chart"]["cumulative"][36] == {"month": 36, "api": "378000.00", "self_hosted": "819024.00"}


def test_api_lists_unpriced_models_with_nulls_never_zero(alice_client, article_catalog, article_usage):
    body = post_json(alice_client, URL, {"usage_pattern": article_usage.pk}).json()

    mixtral = next(m for m in body["models"] if m["label"] == "Mixtral 8x7B (self-hosted)")
    assert mixtral["priced"] is False
    assert mixtral["missing"] == [
        "instance_hourly_cost",
        "setup_hours",
        "monthly_ops_hours",
        "engineering_hourly_rate",
    ]
    assert mixtral["monthly_total"] is None and mixtral["first_year_total"] is None
    assert "Mixtral 8x7B (self-hosted): not priced, missing hourly instance cost" in " ".join(body["notes"])


def test_api_takes_inline_usage_and_a_subset_of_models(write_client, article_catalog):
    ids = [article_catalog["GPT-4 Turbo"].pk, article_catalog["Llama 2 70B"].pk]

    response = post_json(write_client, URL, {"usage": ARTICLE_USAGE, "models": ids})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert [m["name"] for m in body["models"]] == ["GPT-4 Turbo", "Llama 2 70B"]
    assert len(body["comparisons"]) == 1
    assert body["usage_pattern"] is None


def test_api_charts_a_chosen_pair(alice_client, article_catalog, article_usage):
    pair = {
        "open_source": article_catalog["Llama 2 70B"].pk,
        "proprietary": article_catalog["Claude 3 Opus"].pk,
    }

    body = post_json(alice_client, URL, {"usage_pattern": article_usage.pk, "chart": pair}).json()

    assert body["chart"]["proprietary"]["name"] == "Claude 3 Opus"
    assert body["chart"]["break_even_months"] == "2.77"


def test_a_read_only_token_may_compute_a_cost_report(read_client, article_catalog):
    assert post_json(read_client, URL, {"usage": ARTICLE_USAGE}).status_code == 200


OWN = object()  # stands for the id of the team's own usage pattern, known only once the fixture runs


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({}, "usage_pattern", "Give a usage pattern (its id) or traffic figures."),
        ({"usage_pattern": OWN, "usage": ARTICLE_USAGE}, "usage", "not both"),
        ({"usage_pattern": 999_999}, "usage_pattern", "No usage pattern with id 999999 in this team."),
        (
            {"usage": ARTICLE_USAGE | {"days_per_month": 32}},
            "usage",
            "Days per month must be between 1 and 31.",
        ),
        ({"usage": ARTICLE_USAGE | {"daily_requests": -1}}, "usage", "Daily requests cannot be negative."),
        (
            {"usage": ARTICLE_USAGE | {"peak_concurrent": 0}},
            "usage",
            "Peak concurrent requests must be at least 1.",
        ),
        ({"usage": ARTICLE_USAGE | {"avg_input_tokens": 2_000_001}}, "usage", "cannot exceed 2,000,000"),
        ({"usage": {"daily_requests": 5}}, "usage", "This field is required."),
        ({"usage": ARTICLE_USAGE | {"surge": 2}}, "usage", "Unknown field."),
        ({"usage": ARTICLE_USAGE, "models": [999_999]}, "models", "No active catalog model with id 999999."),
        ({"usage": ARTICLE_USAGE, "models": []}, "models", "may not be empty"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    alice_client, article_catalog, article_usage, payload, field, message
):
    payload = {key: article_usage.pk if value is OWN else value for key, value in payload.items()}
    response = post_json(alice_client, URL, payload)

    assert response.status_code == 400
    assert message in str(field_errors(response)[field])


def test_a_bad_item_in_the_model_list_is_a_400_keyed_by_its_position(alice_client, article_catalog):
    gpt4 = article_catalog["GPT-4 Turbo"]

    response = post_json(alice_client, URL, {"usage": ARTICLE_USAGE, "models": [gpt4.pk, "abc"]})

    assert response.status_code == 400
    assert field_errors(response) == {"models": {"1": ["A valid integer is required."]}}


def test_inactive_models_cannot_be_asked_for(alice_client, article_catalog):
    gpt4 = article_catalog["GPT-4 Turbo"]
    ModelOption.objects.filter(pk=gpt4.pk).update(is_active=False)

    response = post_json(alice_client, URL, {"usage": ARTICLE_USAGE, "models": [gpt4.pk]})

    assert response.status_code == 400
    assert field_errors(response) == {"models": [f"No active catalog model with id {gpt4.pk}."]}


def test_another_teams_usage_pattern_reads_like_a_missing_one(alice_client, charlies_usage):
    response = post_json(alice_client, URL, {"usage_pattern": charlies_usage.pk})

    assert response.status_code == 400
    assert field_errors(response)["usage_pattern"] == [
        f"No usage pattern with id {charlies_usage.pk} in this team."
    ]


def test_api_cost_report_over_1000_models_takes_a_fixed_number_of_queries(
    write_client, article_usage, big_catalog, django_assert_num_queries
):
    # Queries, one each:
    # 1. token with its team
    # 2. record the token's use
    # 3. the usage pattern
    # 4. the active models
    with django_assert_num_queries(4):
        response = post_json(write_client, URL, {"usage_pattern": article_usage.pk})
    assert response.status_code == 200
    body = response.json()
    assert len(body["models"]) == 1000
    assert len(body["comparisons"]) == 500  # of 5 x 995 pairs: the report's limit
    assert any(
        note.startswith("Only 500 of 4,975 self-hosted/API pairs are compared") for note in body["notes"]
    )


def test_api_cost_report_for_chosen_models_takes_a_fixed_number_of_queries(
    alice_client, big_catalog, django_assert_num_queries
):
    ids = [m.pk for m in big_catalog[::2]]
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. memberships
    # 4. the chosen models
    with django_assert_num_queries(4):
        response = post_json(alice_client, URL, {"usage": ARTICLE_USAGE, "models": ids})
    assert len(response.json()["models"]) == 500


# --- The page -------------------------------------------------------------------------------------


def test_page_shows_the_article_figures_formulas_and_chart_data(alice_client, article_catalog, article_usage):
    response = alice_client.get("/t/alpha/cost-report/", {"usage_pattern": article_usage.pk})

    html = response.content.decode()
    assert "$10,500.00" in html and "$19,584.00" in html and "$22,584.00" in html and "$277,008.00" in html
    assert 'id="cost-chart-data"' in html
    assert 'data-testid="cumulative-chart"' in html and 'data-testid="volume-chart"' in html
    assert "never breaks even" in html
    assert "21,509" in html
    assert "Formulas and assumptions" in html and "instances x hourly_cost x 24 x days" in html
    assert "Missing: hourly instance cost, setup hours" in html
    assert response.context["chart"]["break_even_daily_requests"] == 21_509
    assert "cost-charts.js" in html


def test_first_visit_reports_the_teams_first_usage_pattern(alice_client, article_catalog, article_usage):
    response = alice_client.get("/t/alpha/cost-report/")

    assert response.context["report"]["usage_pattern"] == article_usage.pk


def test_page_prices_figures_entered_inline(alice_client, article_catalog):
    params = {"usage_pattern": ""} | ARTICLE_USAGE

    response = alice_client.get("/t/alpha/cost-report/", params)

    assert _by_name(response.context["report"]["models"])["GPT-4 Turbo"]["monthly_total"] == "10500.00"


def test_page_shows_usage_errors_with_the_model_messages(alice_client, article_catalog):
    params = {"usage_pattern": ""} | ARTICLE_USAGE | {"days_per_month": 40, "daily_requests": 200_000_000}

    response = alice_client.get("/t/alpha/cost-report/", params)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Days per month must be between 1 and 31." in html
    assert "Daily requests cannot exceed 100,000,000." in html
    assert response.context["report"] is None


def test_page_asks_for_figures_when_nothing_is_picked(alice_client, article_catalog):
    response = alice_client.get("/t/alpha/cost-report/", {"usage_pattern": ""})

    assert "Enter a figure, or pick a usage pattern." in response.content.decode()


def test_htmx_request_returns_only_the_report_fragment(alice_client, article_catalog, article_usage):
    response = alice_client.get(
        "/t/alpha/cost-report/", {"usage_pattern": article_usage.pk}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "<html" not in html and 'data-testid="cost-form"' not in html
    assert 'data-testid="cost-table"' in html and 'id="cost-chart-data"' in html


def test_cost_report_page_over_1000_models_takes_a_fixed_number_of_queries(
    alice_client, article_usage, big_catalog, django_assert_num_queries
):
    ids = [m.pk for m in big_catalog[:10]] + [m.pk for m in big_catalog[-5:]]
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. usage patterns
    # 5. the active models
    with django_assert_num_queries(5):
        response = alice_client.get(
            "/t/alpha/cost-report/", {"usage_pattern": article_usage.pk, "models": ids}
        )
    assert len(response.context["report"]["models"]) == 15


def test_outsiders_get_a_404_on_the_cost_report(charlie_client, article_usage):
    assert charlie_client.get("/t/alpha/cost-report/").status_code == 404


# --- The volume axis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minimum", "step"),
    [
        (0, 1),
        (1, 1),
        (2, 2),
        (3, 5),
        (5, 5),
        (6, 10),
        (10, 10),
        (11, 20),
        (21, 50),
        (51, 100),
        (1_793, 2_000),
        (2_001, 5_000),
        (5_001, 10_000),
        (10_000_001, 20_000_000),
    ],
)
def test_volume_steps_are_the_next_1_2_or_5_times_a_power_of_ten(minimum, step):
    assert _nice_step(minimum) == step


def test_the_volume_axis_runs_from_zero_to_twice_the_larger_volume_in_round_steps():
    usage = Usage(daily_requests=10_000, avg_input_tokens=500, avg_output_tokens=1_000, peak_concurrent=50)

    # Twice the larger of 10,000 and 10,509 over 24 steps is 876 a step, rounded up to 1,000; the
    # break-even volume is added (without one, twice 10,000 gives 834, again 1,000).
    assert _volume_points(usage, 10_509) == sorted([*range(0, 24_001, 1_000), 10_509])
    assert _volume_points(usage, None) == list(range(0, 24_001, 1_000))


def test_an_open_source_model_with_a_hosted_api_price_is_priced_both_ways(article_catalog):
    # Mixtral's catalog row has a hosted API price; give it self-hosting figures too.
    ModelOption.objects.filter(name="Mixtral 8x7B").update(
        input_price_per_mtok=Decimal("0.70"),
        output_price_per_mtok=Decimal("0.70"),
        instance_hourly_cost=Decimal("8"),
        setup_hours=Decimal("10"),
        monthly_ops_hours=Decimal("10"),
        engineering_hourly_rate=Decimal("100"),
        throughput_tokens_per_s=1_000,
        concurrent_requests_per_instance=64,
    )
    report = _article_report(article_catalog | {"Mixtral 8x7B": ModelOption.objects.get(name="Mixtral 8x7B")})

    mixtral = [m for m in report.models if m.model.name == "Mixtral 8x7B"]
    assert [(m.label, m.basis, m.priced) for m in mixtral] == [
        ("Mixtral 8x7B (API)", "api", True),
        ("Mixtral 8x7B (self-hosted)", "self_hosted", True),
    ]
    # 300,000 requests a month x (500 + 1,000 tokens) x $0.70 / 1M
    assert mixtral[0].monthly_total == Decimal("315.00")
    # 24 h x 30 days x $8 + 10 h x $100 of operations
    assert mixtral[1].monthly_total == Decimal("6760.00")
    pairs = {(c.open_source.label, c.proprietary.label) for c in report.comparisons}
    assert ("Mixtral 8x7B (self-hosted)", "Mixtral 8x7B (API)") in pairs
    assert ("Mixtral 8x7B (self-hosted)", "GPT-4 Turbo") in pairs
    assert not any(
        c.open_source.basis == "api" or c.proprietary.basis == "self_hosted" for c in report.comparisons
    )


def test_the_cost_report_page_shows_both_options_labelled(alice_client, article_catalog):
    response = alice_client.get(
        "/t/alpha/cost-report/",
        {
            "daily_requests": 10_000,
            "avg_input_tokens": 500,
            "avg_output_tokens": 1_000,
            "peak_concurrent": 50,
        },
    )

    html = response.content.decode()
    assert 'data-model="Mistral 7B" data-basis="api"' in html
    assert 'data-model="Mistral 7B" data-basis="self_hosted"' in html
    assert "Mistral 7B (API)" in html and "Mistral 7B (self-hosted)" in html
    assert "$112.50" in html  # 300,000 requests x 1,500 tokens x $0.25 / 1M


def test_missing_capacity_figures_are_flagged_loudly(alice_client, article_catalog):
    # Llama 2 70B has the article's cost figures but no throughput or concurrency.
    response = alice_client.get(
        "/t/alpha/cost-report/",
        {
            "daily_requests": 10_000,
            "avg_input_tokens": 500,
            "avg_output_tokens": 1_000,
            "peak_concurrent": 50,
        },
    )

    html = response.content.decode()
    assert 'data-testid="capacity-warning"' in html
    assert "Llama 2 70B: one instance is assumed and capacity is not checked." in html
    chart = response.context["chart"]
    assert chart["open_source"] == "Llama 2 70B" and chart["capacity_checked"] is False
    assert 'data-testid="chart-capacity-warning"' in html


def test_a_self_hosted_option_with_capacity_figures_is_not_flagged(alice_client, article_catalog):
    ModelOption.objects.filter(name="Llama 2 70B").update(
        throughput_tokens_per_s=2_000, concurrent_requests_per_instance=64
    )
    response = alice_client.get(
        "/t/alpha/cost-report/",
        {
            "daily_requests": 10_000,
            "avg_input_tokens": 500,
            "avg_output_tokens": 1_000,
            "peak_concurrent": 50,
        },
    )

    html = response.content.decode()
    assert 'data-testid="capacity-warning"' not in html
    assert response.context["chart"]["capacity_checked"] is True


# --- Bounded work per report ----------------------------------------------------------------------


def _priced_catalog(open_count: int, api_count: int) -> list[ModelOption]:
    """``open_count`` self-hosted models and ``api_count`` proprietary ones, each side dearer by name:
    "API 000" and "Open 000" are the cheapest."""
    proprietary = [
        ModelOptionFactory.build(
            name=f"API {n:03}",
            input_price_per_mtok=Decimal("1.00") + n,
            output_price_per_mtok=Decimal("2.00") + n,
        )
        for n in range(api_count)
    ]
    open_source = [
        ModelOptionFactory.build(
            name=f"Open {n:03}",
            kind="open_source",
            input_price_per_mtok=None,
            output_price_per_mtok=None,
            instance_hourly_cost=Decimal("2.00") + n,
            setup_hours=Decimal("40"),
            monthly_ops_hours=Decimal("20"),
            engineering_hourly_rate=Decimal("150"),
            throughput_tokens_per_s=2_000,
            concurrent_requests_per_instance=16,
            self_hosting=True,
        )
        for n in range(open_count)
    ]
    return ModelOption.objects.bulk_create([*reversed(proprietary), *reversed(open_source)])


def test_a_large_catalog_compares_at_most_the_limit_cheapest_pairs_first_and_says_so(settings):
    settings.COST_REPORT_MAX_COMPARISONS = 500
    report = cost_report_build(usage=Usage(**ARTICLE_USAGE), options=_priced_catalog(60, 60))

    assert len(report.comparisons) == 500
    assert report.pairs_available == 3600
    assert any(
        note == "Only 500 of 3,600 self-hosted/API pairs are compared (at most 500 per report): the "
        "cheapest options of each side first. Choose fewer models to compare the others."
        for note in report.notes
    )
    pairs = [(c.open_source.model.name, c.proprietary.model.name) for c in report.comparisons]
    # Cheapest first: every pair whose ranks sum to s before any that sum to s + 1. Rank sums 0..30
    # hold 1 + 2 + ... + 31 = 496 pairs; the 4 left are the first of sum 31 by open-source rank.
    ranks = {(int(o[-3:]), int(p[-3:])) for o, p in pairs}
    assert {(i, j) for i in range(60) for j in range(60) if i + j <= 30} <= ranks
    assert ranks - {(i, j) for i in range(31) for j in range(31) if i + j <= 30} == {
        (0, 31),
        (1, 30),
        (2, 29),
        (3, 28),
    }
    assert pairs == sorted(pairs)  # listed in the report's name order
    assert report.chart is not None
    assert report.chart.comparison.open_source.model.name == "Open 000"
    assert report.chart.comparison.proprietary.model.name == "API 000"


def test_the_same_catalog_gives_the_same_pairs_in_any_order(settings):
    settings.COST_REPORT_MAX_COMPARISONS = 50
    options = _priced_catalog(20, 20)
    pairs = [
        [
            (c.open_source.model.id, c.proprietary.model.id)
            for c in cost_report_build(usage=Usage(**ARTICLE_USAGE), options=order).comparisons
        ]
        for order in (options, options[::-1], sorted(options, key=lambda o: o.pk))
    ]
    assert len(pairs[0]) == 50 and pairs[0] == pairs[1] == pairs[2]


def test_a_chosen_pair_the_limit_leaves_out_is_still_charted(settings):
    settings.COST_REPORT_MAX_COMPARISONS = 10
    options = _priced_catalog(10, 10)
    dearest_open = next(o for o in options if o.name == "Open 009")
    dearest_api = next(o for o in options if o.name == "API 009")

    report = cost_report_build(
        usage=Usage(**ARTICLE_USAGE), options=options, chart_pair=(dearest_open.pk, dearest_api.pk)
    )

    assert len(report.comparisons) == 10
    assert ("Open 009", "API 009") not in {
        (c.open_source.model.name, c.proprietary.model.name) for c in report.comparisons
    }
    assert report.chart is not None
    assert report.chart.comparison.open_source.model.name == "Open 009"
    assert report.chart.comparison.proprietary.model.name == "API 009"


def test_a_report_within_the_limit_compares_every_pair_without_a_note(settings, article_catalog):
    settings.COST_REPORT_MAX_COMPARISONS = 500
    report = _article_report(article_catalog)

    assert report.pairs_available is None
    assert not any("pairs are compared" in note for note in report.notes)


def test_the_api_and_the_page_say_when_the_limit_cuts_pairs(settings, write_client, alice_client, team):
    settings.COST_REPORT_MAX_COMPARISONS = 20
    _priced_catalog(10, 10)

    body = post_json(write_client, URL, {"usage": ARTICLE_USAGE}).json()
    assert len(body["comparisons"]) == 20
    assert "Only 20 of 100 self-hosted/API pairs are compared" in body["notes"][0]

    response = alice_client.get("/t/alpha/cost-report/", {**ARTICLE_USAGE})
    assert response.status_code == 200
    assert "Only 20 of 100 self-hosted/API pairs are compared" in response.content.decode()
