"""Every decision page is private, hidden from outsiders, and answers nonsense input with a form
error rather than a server error."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from evaluations.services import evaluation_create

pytestmark = pytest.mark.django_db

PAGES = [
    "/t/alpha/profiles/",
    "/t/alpha/recommendations/",
    "/t/alpha/usage-patterns/",
    "/t/alpha/cost-report/",
    "/t/alpha/evaluations/",
    "/t/alpha/evaluations/compare/",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_needs_sign_in(client, team, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_outsiders_get_a_404_and_members_a_page(charlie_client, bob_client, url):
    assert charlie_client.get(url).status_code == 404
    assert bob_client.get(url).status_code == 200


def test_the_team_navigation_links_every_decision_page(bob_client):
    html = bob_client.get("/t/alpha/").content.decode()

    for url in PAGES[:-1]:
        assert f'href="{url}"' in html


def _not_a_choice(value: str) -> list[str]:
    return [f"Select a valid choice. {value} is not one of the available choices."]


FIGURE_NEEDED = ["Enter a figure, or pick a usage pattern."]


@pytest.mark.parametrize(
    ("url", "params", "errors"),
    [
        (
            "/t/alpha/recommendations/",
            {"profile": "abc", "priority_1": "cost"},
            {"profile": _not_a_choice("abc")},
        ),
        (
            "/t/alpha/recommendations/",
            {"priority_1": "nonsense", "min_context": "lots"},
            {
                "min_context": ["Enter a whole number."],
                "priority_1": [*_not_a_choice("nonsense"), "At least one priority is required."],
            },
        ),
        (
            "/t/alpha/recommendations/",
            {"priority_1": "cost", "usage_pattern": "999999", "kind": "?"},
            {"kind": _not_a_choice("?"), "usage_pattern": _not_a_choice("999999")},
        ),
        (
            "/t/alpha/recommendations/",
            {"priority_1": "cost", "max_monthly_cost": "1e400"},
            {"max_monthly_cost": ["Ensure that there are no more than 14 digits in total."]},
        ),
        (
            "/t/alpha/cost-report/",
            {"usage_pattern": "x", "models": ["a", "999999"]},
            {
                "usage_pattern": _not_a_choice("x"),
                "models": _not_a_choice("a"),
                "daily_requests": FIGURE_NEEDED,
                "avg_input_tokens": FIGURE_NEEDED,
                "avg_output_tokens": FIGURE_NEEDED,
                "peak_concurrent": FIGURE_NEEDED,
            },
        ),
        (
            "/t/alpha/cost-report/",
            {"daily_requests": "9" * 40, "avg_input_tokens": "1", "peak_concurrent": "1"},
            {"avg_output_tokens": FIGURE_NEEDED},
        ),
        (
            "/t/alpha/cost-report/",
            {
                "daily_requests": "9" * 40,
                "avg_input_tokens": "1",
                "avg_output_tokens": "1",
                "peak_concurrent": "1",
            },
            {"daily_requests": ["Daily requests cannot exceed 100,000,000."]},
        ),
        (
            "/t/alpha/cost-report/",
            {"chart_open_source": "-1", "chart_proprietary": "zz"},
            {
                "chart_open_source": _not_a_choice("-1"),
                "chart_proprietary": _not_a_choice("zz"),
                "daily_requests": FIGURE_NEEDED,
                "avg_input_tokens": FIGURE_NEEDED,
                "avg_output_tokens": FIGURE_NEEDED,
                "peak_concurrent": FIGURE_NEEDED,
            },
        ),
    ],
)
def test_nonsense_query_strings_show_form_errors_not_server_errors(
    alice_client, article_catalog, url, params, errors
):
    response = alice_client.get(url, params)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    html = response.content.decode()
    for messages in errors.values():
        for message in messages:
            assert escape(message) in html


def test_comparing_with_nonsense_names_the_bad_choice(
    alice_client, team, alice, startup_profile, article_catalog
):
    saved = evaluation_create(team=team, name="Saved", created_by=alice, profile=startup_profile)

    response = alice_client.get("/t/alpha/evaluations/compare/", {"a": str(saved.pk), "b": "two"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"b": _not_a_choice("two")}
    assert escape(_not_a_choice("two")[0]) in response.content.decode()
    assert response.context["comparison"] is None


@pytest.mark.parametrize(
    ("url", "page"),
    [("/t/alpha/evaluations/", "last"), ("/t/alpha/profiles/", "-3"), ("/t/alpha/profiles/", "x")],
)
def test_a_nonsense_page_number_shows_a_real_page(alice_client, startup_profile, url, page):
    response = alice_client.get(url, {"page": page})

    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert response.context["page"].paginator.num_pages == 1


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_read_only_pages_refuse_other_methods(alice_client, method):
    for url in ["/t/alpha/recommendations/", "/t/alpha/cost-report/", "/t/alpha/evaluations/"]:
        assert getattr(alice_client, method)(url).status_code == 405
