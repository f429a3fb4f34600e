"""The home page tells a member what to do next: a new team starts with a profile, then a usage
pattern, then a decision; routing comes once decided. Each step links to where it is done."""

from __future__ import annotations

import pytest

from evaluations.services import evaluation_create, profile_create, usage_pattern_create
from routing.services import backend_create, route_create

pytestmark = pytest.mark.django_db


def _steps(html: str) -> str:
    return html[html.index('data-testid="next-steps"') : html.index("</section>")]


def test_a_member_of_a_team_without_profiles_is_told_to_start_with_one(alice_client):
    html = _steps(alice_client.get("/").content.decode())

    assert "Start here" in html and "Alpha has no priority profile yet" in html
    assert '<a href="/t/alpha/profiles/"><strong>Create a profile</strong></a>' in html
    # The whole way, in order, each with its link.
    order = [
        html.index(s) for s in ("/t/alpha/profiles/", "/t/alpha/usage-patterns/", "/t/alpha/recommendations/")
    ]
    assert order == sorted(order)
    assert "Once decided: route your traffic" in html and 'href="/t/alpha/routing/"' in html
    assert 'class="done"' not in html


def test_the_next_step_moves_on_as_the_team_works(alice_client, team, alice, article_catalog):
    profile_create(team=team, name="Startup", priorities=["time_to_market", "cost"])

    after_profile = _steps(alice_client.get("/").content.decode())
    usage_pattern_create(
        team=team,
        name="Traffic",
        daily_requests=10,
        avg_input_tokens=1,
        avg_output_tokens=1,
        peak_concurrent=1,
    )
    after_usage = _steps(alice_client.get("/").content.decode())
    evaluation_create(team=team, name="Decided", created_by=alice, priorities=["cost"])
    after_decision = _steps(alice_client.get("/").content.decode())

    assert "Start here" not in after_profile
    assert (
        'Next: <a href="/t/alpha/usage-patterns/"><strong>Add a usage pattern</strong></a>' in after_profile
    )
    assert (
        'Next: <a href="/t/alpha/recommendations/"><strong>Get a recommendation</strong></a>' in after_usage
    )
    assert 'Next: <a href="/t/alpha/routing/">' in after_decision
    assert after_decision.count('class="done"') == 3


def test_a_team_with_routes_is_set_up(alice_client, team, alice, article_catalog):
    profile_create(team=team, name="Startup", priorities=["cost"])
    usage_pattern_create(
        team=team,
        name="Traffic",
        daily_requests=10,
        avg_input_tokens=1,
        avg_output_tokens=1,
        peak_concurrent=1,
    )
    evaluation_create(team=team, name="Decided", created_by=alice, priorities=["cost"])
    backend = backend_create(team=team, name="API", kind="proprietary", base_url="https://api.example/v1")
    route_create(team=team, name="all", task_types=["analysis"], proprietary_backend=backend)

    html = _steps(alice_client.get("/").content.decode())

    assert "Alpha is set up" in html and html.count('class="done"') == 4


def test_a_viewer_is_told_who_does_the_writing(bob_client):
    html = _steps(bob_client.get("/").content.decode())

    assert "See the profiles" in html and "your role is read-only" in html
