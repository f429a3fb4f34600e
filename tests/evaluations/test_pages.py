"""Every decision page is private, hidden from outsiders, and answers nonsense input with a form
error rather than a server error."""

from __future__ import annotations

import pytest

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


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/t/alpha/recommendations/", {"profile": "abc", "priority_1": "cost"}),
        ("/t/alpha/recommendations/", {"priority_1": "nonsense", "min_context": "lots"}),
        ("/t/alpha/recommendations/", {"priority_1": "cost", "usage_pattern": "999999", "kind": "?"}),
        ("/t/alpha/recommendations/", {"priority_1": "cost", "max_monthly_cost": "1e400"}),
        ("/t/alpha/cost-report/", {"usage_pattern": "x", "models": ["a", "999999"]}),
        (
            "/t/alpha/cost-report/",
            {"daily_requests": "9" * 40, "avg_input_tokens": "1", "peak_concurrent": "1"},
        ),
        ("/t/alpha/cost-report/", {"chart_open_source": "-1", "chart_proprietary": "zz"}),
        ("/t/alpha/evaluations/", {"page": "last"}),
        ("/t/alpha/profiles/", {"page": "-3"}),
        ("/t/alpha/evaluations/compare/", {"a": "1", "b": "two"}),
    ],
)
def test_nonsense_query_strings_show_form_errors_not_server_errors(
    alice_client, article_catalog, url, params
):
    assert alice_client.get(url, params).status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_read_only_pages_refuse_other_methods(alice_client, method):
    for url in ["/t/alpha/recommendations/", "/t/alpha/cost-report/", "/t/alpha/evaluations/"]:
        assert getattr(alice_client, method)(url).status_code == 405
