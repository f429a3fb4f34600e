from __future__ import annotations

import pytest

from tests.factories import ModelOptionFactory

pytestmark = pytest.mark.django_db


def test_pages_need_a_signed_in_user(client, article_catalog):
    for url in ["/catalog/", "/catalog/matrix/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


def test_catalog_list_shows_prices_scores_defaults_and_unknowns(alice_client, article_catalog):
    html = alice_client.get("/catalog/").content.decode()
    assert "GPT-4 Turbo" in html
    assert "$10.00" in html and "$30.00" in html and "$27.20" in html
    assert "5 (default)" in html  # Mixtral's scores
    assert "unknown" in html  # Llama 2 70B's API price


def test_catalog_list_is_paginated_with_a_fixed_number_of_queries(alice_client, django_assert_num_queries):
    ModelOptionFactory.create_batch(30)
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. count
    # 4. the page of models
    with django_assert_num_queries(4):
        response = alice_client.get("/catalog/")
    assert len(response.context["page"].object_list) == 25
    assert "Page 1 of 2" in response.content.decode()


def test_catalog_list_empty_state(alice_client):
    assert "No active models match this filter." in alice_client.get("/catalog/").content.decode()


def test_matrix_has_models_as_columns_and_the_nine_capabilities_as_rows(alice_client, article_catalog):
    response = alice_client.get("/catalog/matrix/")
    assert [m.name for m in response.context["models"]] == [
        "Claude 3 Opus",
        "GPT-4 Turbo",
        "Llama 2 70B",
        "Mistral 7B",
        "Mixtral 8x7B",
    ]
    rows = response.context["rows"]
    assert [r.label for r in rows] == [
        "Maximum context",
        "Fine-tuning",
        "Function calling",
        "Vision support",
        "Streaming",
        "Self-hosting",
        "Data privacy",
        "Latency control",
        "Custom tokenizer",
    ]
    assert rows[0].cells == ["200K", "128K", "4K", "unknown", "32K"]
    html = response.content.decode()
    assert "<html" in html and 'hx-get="/catalog/matrix/"' in html


def test_matrix_filter_works_without_javascript(alice_client, article_catalog):
    response = alice_client.get("/catalog/matrix/", {"kind": "proprietary"})
    assert [m.name for m in response.context["models"]] == ["Claude 3 Opus", "GPT-4 Turbo"]
    assert "<html" in response.content.decode()


def test_matrix_filter_with_htmx_returns_only_the_table(alice_client, article_catalog):
    response = alice_client.get("/catalog/matrix/", {"kind": "open_source"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<table class="matrix"')
    assert "Mixtral 8x7B" in html and "GPT-4 Turbo" not in html


def test_matrix_with_a_bad_kind_shows_the_form_error(alice_client, article_catalog):
    response = alice_client.get("/catalog/matrix/", {"kind": "closed"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_matrix_uses_a_fixed_number_of_queries(alice_client, django_assert_num_queries):
    ModelOptionFactory.create_batch(40)
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. the active models
    with django_assert_num_queries(3):
        alice_client.get("/catalog/matrix/")


def test_inactive_models_are_left_out_of_the_pages(alice_client, article_catalog):
    from catalog.models import ModelOption

    ModelOption.objects.filter(name="Mistral 7B").update(is_active=False)
    response = alice_client.get("/catalog/matrix/")
    assert "Mistral 7B" not in [m.name for m in response.context["models"]]
