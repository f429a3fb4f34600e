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
    # 5. the team whose menu the page shows
    with django_assert_num_queries(5):
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
    # 4. the team whose menu the page shows
    with django_assert_num_queries(4):
        alice_client.get("/catalog/matrix/")


def test_inactive_models_are_left_out_of_the_pages(alice_client, article_catalog):
    from catalog.models import ModelOption

    ModelOption.objects.filter(name="Mistral 7B").update(is_active=False)
    response = alice_client.get("/catalog/matrix/")
    assert "Mistral 7B" not in [m.name for m in response.context["models"]]


def test_the_catalog_searches_by_name_or_provider(alice_client, article_catalog):
    by_name = alice_client.get("/catalog/", {"q": "mix"}).content.decode()
    by_provider = alice_client.get("/catalog/", {"q": "anthropic"}).content.decode()

    assert 'data-model="Mixtral 8x7B"' in by_name and 'data-model="GPT-4 Turbo"' not in by_name
    assert 'data-model="Claude 3 Opus"' in by_provider and 'data-model="Mixtral 8x7B"' not in by_provider


def test_the_catalog_sorts_by_a_column_with_unknowns_last(alice_client, article_catalog):
    ascending = alice_client.get("/catalog/", {"sort": "input_price"})
    descending = alice_client.get("/catalog/", {"sort": "input_price", "desc": "1"})

    names_up = [m.name for m in ascending.context["page"].object_list]
    names_down = [m.name for m in descending.context["page"].object_list]
    priced = [n for n in names_up if n != "Llama 2 70B"]
    assert names_up[-1] == names_down[-1] == "Llama 2 70B"  # no API price: last either way
    assert names_down[:-1] == priced[::-1]
    assert names_up[0] == "Mistral 7B"
    assert 'aria-sort="ascending"' in ascending.content.decode()
    assert 'href="?sort=input_price&amp;desc=1"' in ascending.content.decode()


def test_a_nonsense_sort_is_a_form_error_not_a_server_error(alice_client, article_catalog):
    response = alice_client.get("/catalog/", {"sort": "password"})

    assert response.status_code == 200
    assert "sort" in response.context["form"].errors
    assert response.context["page"].object_list[0].name == "Claude 3 Opus"  # by name


def test_the_catalog_and_the_matrix_keep_the_team_menu(alice_client, article_catalog):
    for url in ("/catalog/", "/catalog/matrix/"):
        html = alice_client.get(url).content.decode()
        assert 'href="/t/alpha/recommendations/"' in html and 'href="/t/alpha/tokens/"' in html
