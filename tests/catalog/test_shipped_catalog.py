"""The shipped catalog carries the article's figures exactly; everything else is sourced or unknown."""

from __future__ import annotations

from decimal import Decimal
from importlib.metadata import version

import pytest
from django.utils import timezone

from catalog.models import ModelOption
from catalog.presentation import capability_display
from catalog.seed import ARTICLE
from catalog.services import catalog_load_article_models, catalog_prices_refresh

pytestmark = pytest.mark.django_db

ARTICLE_SCORES = {
    "GPT-4 Turbo": {
        "cost": 4,
        "performance": 9,
        "customization": 3,
        "data_privacy": 5,
        "time_to_market": 10,
        "maintenance": 10,
    },
    "Claude 3 Opus": {
        "cost": 3,
        "performance": 9,
        "customization": 3,
        "data_privacy": 6,
        "time_to_market": 10,
        "maintenance": 10,
    },
    "Llama 2 70B": {
        "cost": 8,
        "performance": 7,
        "customization": 9,
        "data_privacy": 10,
        "time_to_market": 5,
        "maintenance": 4,
    },
    "Mistral 7B": {
        "cost": 10,
        "performance": 6,
        "customization": 9,
        "data_privacy": 10,
        "time_to_market": 6,
        "maintenance": 5,
    },
}

# The article's capability matrix, row by row, as the portal displays it.
ARTICLE_MATRIX = {
    "GPT-4 Turbo": ["128K", "Limited", "Yes", "Yes", "Yes", "No", "API only", "Limited", "No"],
    "Claude 3 Opus": ["200K", "No", "Yes", "Yes", "Yes", "No", "API only", "Limited", "No"],
    "Llama 2 70B": ["4K", "Full", "Via prompting", "No", "Yes", "Yes", "Full control", "Full control", "Yes"],
    "Mixtral 8x7B": [
        "32K",
        "Full",
        "Via prompting",
        "No",
        "Yes",
        "Yes",
        "Full control",
        "Full control",
        "Yes",
    ],
}


def test_the_article_models_are_shipped_with_their_kinds(article_catalog):
    assert {name: m.kind for name, m in article_catalog.items()} == {
        "GPT-4 Turbo": "proprietary",
        "Claude 3 Opus": "proprietary",
        "Llama 2 70B": "open_source",
        "Mistral 7B": "open_source",
        "Mixtral 8x7B": "open_source",
    }


@pytest.mark.parametrize("name", sorted(ARTICLE_SCORES))
def test_scored_models_carry_all_six_article_scores(article_catalog, name):
    assert article_catalog[name].scores == ARTICLE_SCORES[name]
    assert article_catalog[name].defaulted_priorities == []


def test_mixtral_has_no_scores_so_every_priority_is_default(article_catalog):
    mixtral = article_catalog["Mixtral 8x7B"]
    assert set(mixtral.scores.values()) == {None}
    assert len(mixtral.defaulted_priorities) == 6


@pytest.mark.parametrize("name", sorted(ARTICLE_MATRIX))
def test_capability_matrix_rows_match_the_article(article_catalog, name):
    from catalog.models import CAPABILITY_FIELDS

    assert [capability_display(article_catalog[name], f) for f in CAPABILITY_FIELDS] == ARTICLE_MATRIX[name]


def test_mistral_7b_capabilities_are_unknown_because_the_article_gives_none(article_catalog):
    from catalog.models import CAPABILITY_FIELDS

    assert {capability_display(article_catalog["Mistral 7B"], f) for f in CAPABILITY_FIELDS} == {"unknown"}


def test_gpt4_turbo_costs_10_and_30_dollars_per_million_tokens_from_the_article(article_catalog):
    gpt4 = article_catalog["GPT-4 Turbo"]
    assert gpt4.input_price_per_mtok == Decimal("10.00")
    assert gpt4.output_price_per_mtok == Decimal("30.00")
    assert gpt4.price_source == ARTICLE


def test_llama_2_70b_self_hosting_profile_is_the_articles(article_catalog):
    llama = article_catalog["Llama 2 70B"]
    assert llama.gpu_instance == "4x A100 80GB (Azure)"
    assert llama.gpus_per_instance == 4
    assert llama.instance_hourly_cost == Decimal("27.20")
    assert llama.setup_hours == Decimal("40")
    assert llama.monthly_ops_hours == Decimal("20")
    assert llama.engineering_hourly_rate == Decimal("150")
    assert llama.hosting_source == ARTICLE
    # The article gives no throughput or concurrency: left unknown, never invented.
    assert llama.throughput_tokens_per_s is None
    assert llama.concurrent_requests_per_instance is None


def test_prices_the_article_lacks_come_from_genai_prices_with_the_source_recorded(article_catalog):
    opus = article_catalog["Claude 3 Opus"]
    assert (opus.input_price_per_mtok, opus.output_price_per_mtok) == (Decimal("15"), Decimal("75"))
    assert opus.price_source == (
        f"genai-prices {version('genai-prices')} (bundled data), provider anthropic, model claude-3-opus"
    )
    # genai-prices gives Claude 3 Opus no start date: the price is effective from the refresh.
    assert opus.price_effective_date == timezone.now().date()


def test_a_model_genai_prices_does_not_know_keeps_no_price(article_catalog):
    llama = article_catalog["Llama 2 70B"]
    assert llama.input_price_per_mtok is None
    assert llama.output_price_per_mtok is None
    assert llama.price_source == ""


def test_loading_twice_creates_nothing_and_keeps_staff_edits(article_catalog):
    ModelOption.objects.filter(name="GPT-4 Turbo").update(score_cost=7)
    assert catalog_load_article_models() == []
    assert ModelOption.objects.count() == 5
    assert ModelOption.objects.get(name="GPT-4 Turbo").score_cost == 7


def test_price_refresh_reports_changes_unchanged_and_unknown_models(article_catalog):
    ModelOption.objects.filter(name="Claude 3 Opus").update(input_price_per_mtok=Decimal("1"))
    report = catalog_prices_refresh()
    assert [(c.name, c.old_input, c.new_input) for c in report.changed] == [
        ("Claude 3 Opus", Decimal("1.0000"), Decimal("15"))
    ]
    assert report.unchanged == ["GPT-4 Turbo", "Mistral 7B", "Mixtral 8x7B"]
    assert [name for name, _ in report.unknown] == ["Llama 2 70B"]
    assert ModelOption.objects.get(name="Claude 3 Opus").input_price_per_mtok == Decimal("15")


def test_price_refresh_leaves_a_model_without_a_genai_prices_id_alone(article_catalog):
    ModelOption.objects.create(name="In-house 13B", kind="open_source")
    report = catalog_prices_refresh(options=ModelOption.objects.filter(name="In-house 13B"))
    assert report.unknown == [("In-house 13B", "no genai-prices model id set")]
    assert ModelOption.objects.get(name="In-house 13B").input_price_per_mtok is None


def test_price_refresh_command_prints_what_changed(article_catalog, capsys):
    from django.core.management import call_command

    ModelOption.objects.filter(name="Mistral 7B").update(output_price_per_mtok=Decimal("9"))
    call_command("catalog_prices_refresh", "Mistral 7B", "Nonexistent")
    out, err = capsys.readouterr()
    assert "changed Mistral 7B" in out
    assert "1 changed, 0 unchanged, 0 not found" in out
    assert "not in the catalog: Nonexistent" in err


def test_the_refresh_keeps_the_articles_price_when_genai_prices_disagrees(article_catalog):
    # The article's figure stands even where genai-prices says otherwise: here the article's price
    # differs from genai-prices' $10/$30 for GPT-4 Turbo.
    ModelOption.objects.filter(name="GPT-4 Turbo").update(input_price_per_mtok=Decimal("11"))

    report = catalog_prices_refresh()

    gpt4 = ModelOption.objects.get(name="GPT-4 Turbo")
    assert (gpt4.input_price_per_mtok, gpt4.price_source) == (Decimal("11.0000"), ARTICLE)
    assert report.kept == [
        ("GPT-4 Turbo", "price from the source article; genai-prices has input 10, output 30")
    ]
    assert "kept GPT-4 Turbo: price from the source article; genai-prices has input 10, output 30" in (
        report.lines()
    )
    assert report.summary() == (
        "0 changed, 3 unchanged, 1 not found in genai-prices, "
        "1 kept (article or hand-entered prices; force to replace)"
    )


def test_a_forced_refresh_replaces_the_articles_price(article_catalog):
    ModelOption.objects.filter(name="GPT-4 Turbo").update(input_price_per_mtok=Decimal("11"))

    report = catalog_prices_refresh(force=True)

    gpt4 = ModelOption.objects.get(name="GPT-4 Turbo")
    assert gpt4.input_price_per_mtok == Decimal("10")
    assert gpt4.price_source.startswith(f"genai-prices {version('genai-prices')} (bundled data)")
    assert [c.name for c in report.changed] == ["GPT-4 Turbo"] and report.kept == []


def test_a_price_staff_entered_by_hand_survives_the_refresh(staff_client, article_catalog):
    response = staff_client.patch(
        f"/api/catalog/models/{article_catalog['Mistral 7B'].pk}/",
        {"input_price_per_mtok": "0.20"},
        content_type="application/json",
    )
    assert response.status_code == 200
    today = timezone.now().date().isoformat()
    assert response.json()["price_source"] == f"Entered by hand by staff on {today}"

    report = catalog_prices_refresh()

    mistral = ModelOption.objects.get(name="Mistral 7B")
    assert mistral.input_price_per_mtok == Decimal("0.2000")
    assert report.kept == [
        (
            "Mistral 7B",
            f"price entered by hand (Entered by hand by staff on {today}); "
            "genai-prices has input 0.25, output 0.25",
        )
    ]


def test_the_refresh_command_reports_what_it_kept_and_can_force(article_catalog, capsys):
    from django.core.management import call_command

    ModelOption.objects.filter(name="GPT-4 Turbo").update(output_price_per_mtok=Decimal("31"))
    call_command("catalog_prices_refresh", "GPT-4 Turbo")
    kept = capsys.readouterr().out
    call_command("catalog_prices_refresh", "GPT-4 Turbo", "--force")
    forced = capsys.readouterr().out

    assert "kept GPT-4 Turbo: price from the source article; genai-prices has input 10, output 30" in kept
    assert "changed GPT-4 Turbo: input 10.0000 -> 10, output 31.0000 -> 30" in forced
    assert ModelOption.objects.get(name="GPT-4 Turbo").output_price_per_mtok == Decimal("30")
