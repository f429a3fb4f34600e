"""A model's page: every figure with its source and effective date (or why it is unknown), the
self-hosting assumptions, and the history of its price changes by refresh or by staff."""

from __future__ import annotations

from decimal import Decimal

import pytest

from catalog.models import ModelOption, PriceHistory
from catalog.services import catalog_prices_refresh, model_option_update

pytestmark = pytest.mark.django_db


def test_every_figure_shows_its_source_and_date_or_why_it_is_unknown(alice_client, article_catalog):
    llama = article_catalog["Llama 2 70B"]

    response = alice_client.get(f"/catalog/models/{llama.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hourly instance cost" in html and "$27.20 an hour" in html
    assert "Source article: &#x27;Open Source vs Proprietary LLMs" in html
    assert "Unknown: no published benchmark for this model on this instance is recorded" in html
    assert "https://arxiv.org/abs/2307.09288" in html  # the capability rows' citation
    assert 'data-testid="hosting-assumptions"' in html


def test_a_refresh_writes_the_price_history(article_catalog, alice_client):
    claude = article_catalog["Claude 3 Opus"]
    history = list(PriceHistory.objects.filter(model=claude))
    assert len(history) == 1  # the refresh in the fixture priced it
    assert history[0].old_input_price_per_mtok is None
    assert history[0].input_price_per_mtok == claude.input_price_per_mtok
    assert history[0].source.startswith("genai-prices")

    ModelOption.objects.filter(pk=claude.pk).update(input_price_per_mtok=Decimal("1"))
    catalog_prices_refresh(options=ModelOption.objects.filter(pk=claude.pk))

    latest = PriceHistory.objects.filter(model=claude).first()
    assert latest is not None and latest.old_input_price_per_mtok == Decimal("1")
    assert PriceHistory.objects.filter(model=claude).count() == 2
    html = alice_client.get(f"/catalog/models/{claude.pk}/").content.decode()
    assert "1.00 → 15.00" in html


def test_a_staff_edit_records_the_staff_member_in_the_history(staff_client, article_catalog):
    gpt = article_catalog["GPT-4 Turbo"]

    response = staff_client.patch(
        f"/api/catalog/models/{gpt.pk}/", {"input_price_per_mtok": "9.00"}, content_type="application/json"
    )

    assert response.status_code == 200
    change = PriceHistory.objects.get(model=gpt)
    assert (change.old_input_price_per_mtok, change.input_price_per_mtok) == (Decimal("10"), Decimal("9"))
    assert change.source.startswith("Entered by hand by staff on ")
    assert change.effective_date is not None


def test_an_unchanged_price_writes_no_history(article_catalog):
    gpt = article_catalog["GPT-4 Turbo"]

    model_option_update(gpt, by="staff", notes="Flagship")

    assert not PriceHistory.objects.filter(model=gpt).exists()


def test_an_unknown_or_inactive_model_is_a_404(alice_client, article_catalog):
    mistral = article_catalog["Mistral 7B"]
    ModelOption.objects.filter(pk=mistral.pk).update(is_active=False)

    assert alice_client.get(f"/catalog/models/{mistral.pk}/").status_code == 404
    assert alice_client.get("/catalog/models/999999/").status_code == 404
