"""Priority profiles: validated ordered lists, unique names per team, moved up and down, and managed
through the API and the pages by writers only."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import PriorityProfile
from evaluations.services import profile_create, profile_move, profile_update
from tests.api_errors import field_errors
from tests.evaluations.conftest import STARTUP, post_json

pytestmark = pytest.mark.django_db

LIST = "/api/profiles/"


def detail(pk: int) -> str:
    return f"{LIST}{pk}/"


# --- Rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("priorities", "message"),
    [
        ([], "At least one priority is required."),
        (["cost", "speed"], "Unknown priorities: 'speed'"),
        (["cost", "performance", "cost"], "Priorities must not repeat: cost."),
        ("cost", "Priorities must be a list"),
        ([1, 2], "Priorities must be a list"),
    ],
)
def test_priorities_must_be_a_non_empty_list_of_distinct_known_names(team, priorities, message):
    with pytest.raises(ValidationError) as exc:
        profile_create(team=team, name="Bad", priorities=priorities)

    assert message in " ".join(exc.value.message_dict["priorities"])
    assert not PriorityProfile.objects.exists()


def test_names_are_unique_within_a_team_but_not_across_teams(team, other_team):
    profile_create(team=team, name="Startup", priorities=["cost"])

    with pytest.raises(ValidationError) as exc:
        profile_create(team=team, name="Startup", priorities=["performance"])

    assert exc.value.message_dict == {"name": ["This team already has a priority profile named “Startup”."]}
    assert profile_create(team=other_team, name="Startup", priorities=["cost"]).team == other_team


def test_renaming_to_a_taken_name_is_refused_on_the_name(startup_profile, privacy_profile):
    with pytest.raises(ValidationError) as exc:
        profile_update(profile=privacy_profile, name="Startup")

    assert list(exc.value.message_dict) == ["name"]


def test_moving_a_priority_swaps_it_with_its_neighbour(startup_profile):
    profile_move(profile=startup_profile, priority="cost", direction="up")
    assert startup_profile.priorities == ["time_to_market", "cost", "performance"]

    profile_move(profile=startup_profile, priority="time_to_market", direction="down")
    startup_profile.refresh_from_db()
    assert startup_profile.priorities == ["cost", "time_to_market", "performance"]


def test_moving_past_either_end_changes_nothing(startup_profile):
    profile_move(profile=startup_profile, priority="time_to_market", direction="up")
    profile_move(profile=startup_profile, priority="cost", direction="down")

    startup_profile.refresh_from_db()
    assert startup_profile.priorities == STARTUP


def test_moving_a_priority_the_profile_lacks_is_refused(startup_profile):
    with pytest.raises(ValidationError) as exc:
        profile_move(profile=startup_profile, priority="maintenance", direction="up")

    assert "priority" in exc.value.message_dict


# --- API ------------------------------------------------------------------------------------------


def test_editor_creates_a_profile_in_their_own_team_whatever_the_body_says(carol_client, team, other_team):
    response = post_json(
        carol_client, LIST, {"name": "Startup", "priorities": STARTUP, "team": other_team.pk}
    )

    assert response.status_code == 201, response.json()
    profile = PriorityProfile.objects.get()
    assert profile.team == team
    assert response.json() | {"created_at": None, "updated_at": None} == {
        "id": profile.pk,
        "name": "Startup",
        "priorities": STARTUP,
        "default_usage_pattern": None,
        "created_at": None,
        "updated_at": None,
    }


def test_write_token_creates_renames_reorders_and_deletes(write_client, team):
    created = post_json(write_client, LIST, {"name": "Startup", "priorities": STARTUP}).json()
    pk = created["id"]

    renamed = write_client.patch(detail(pk), {"name": "Launch"}, content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Launch"

    moved = post_json(write_client, f"{detail(pk)}move/", {"priority": "cost", "direction": "up"})
    assert moved.status_code == 200
    assert moved.json()["priorities"] == ["time_to_market", "cost", "performance"]

    replaced = write_client.put(
        detail(pk), {"name": "Launch", "priorities": ["cost"]}, content_type="application/json"
    )
    assert replaced.json()["priorities"] == ["cost"]

    assert write_client.delete(detail(pk)).status_code == 204
    assert not PriorityProfile.objects.filter(team=team).exists()


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"name": "X", "priorities": ["cost", "cost"]}, "priorities", "must not repeat"),
        ({"name": "X", "priorities": []}, "priorities", "At least one priority"),
        ({"name": "X", "priorities": ["speed"]}, "priorities", "Unknown priorities"),
        ({"name": "", "priorities": ["cost"]}, "name", "may not be blank"),
        ({"name": "Startup", "priorities": ["cost"]}, "name", "already has a priority profile named"),
        ({"priorities": ["cost"]}, "name", "This field is required."),
    ],
)
def test_api_refuses_bad_profiles_on_the_field(alice_client, startup_profile, payload, field, message):
    response = post_json(alice_client, LIST, payload)

    assert response.status_code == 400
    assert message in str(field_errors(response)[field])


def test_api_move_refuses_an_unknown_direction(alice_client, startup_profile):
    response = post_json(
        alice_client, f"{detail(startup_profile.pk)}move/", {"priority": "cost", "direction": "left"}
    )

    assert response.status_code == 400
    assert "direction" in field_errors(response)


def test_list_shows_only_my_teams_profiles_paginated_with_a_fixed_number_of_queries(
    alice_client, team, charlies_profile, django_assert_num_queries
):
    for i in range(55):
        profile_create(team=team, name=f"Profile {i:02d}", priorities=["cost"])
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. memberships with teams
    # 4. count
    # 5. the page of profiles
    with django_assert_num_queries(5):
        body = alice_client.get(LIST).json()
    assert body["count"] == 55
    assert len(body["results"]) == 50
    assert "Charlie's" not in {p["name"] for p in body["results"]}


def test_another_teams_profile_is_a_404_for_every_method(alice_client, charlies_profile):
    url = detail(charlies_profile.pk)

    assert alice_client.get(url).status_code == 404
    assert alice_client.patch(url, {"name": "Mine"}, content_type="application/json").status_code == 404
    assert alice_client.delete(url).status_code == 404
    assert post_json(alice_client, f"{url}move/", {"priority": "cost", "direction": "up"}).status_code == 404
    charlies_profile.refresh_from_db()
    assert charlies_profile.name == "Charlie's"


# --- Pages ----------------------------------------------------------------------------------------


def test_profiles_page_lists_with_a_fixed_number_of_queries(alice_client, team, django_assert_num_queries):
    for i in range(25):
        profile_create(team=team, name=f"Profile {i:02d}", priorities=["cost", "performance"])
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. count
    # 5. the page of profiles
    with django_assert_num_queries(5):
        response = alice_client.get("/t/alpha/profiles/")
    assert len(response.context["page"].object_list) == 20
    assert "Page 1 of 2" in response.content.decode()


def test_profiles_page_empty_state(alice_client):
    assert "No priority profiles yet." in alice_client.get("/t/alpha/profiles/").content.decode()


def test_editor_creates_a_profile_from_the_page_and_sees_its_ranking(carol_client, team, article_catalog):
    response = carol_client.post(
        "/t/alpha/profiles/",
        {
            "name": "Startup",
            "priority_1": "time_to_market",
            "priority_2": "performance",
            "priority_3": "cost",
        },
    )

    profile = PriorityProfile.objects.get(team=team)
    assert profile.priorities == STARTUP
    assert response.status_code == 302
    assert response["Location"] == f"/t/alpha/profiles/{profile.pk}/"
    detail_page = carol_client.get(response["Location"])
    assert [r["model"]["name"] for r in detail_page.context["rows"][:2]] == ["GPT-4 Turbo", "Claude 3 Opus"]


def test_blank_boxes_between_priorities_are_skipped(carol_client, team):
    carol_client.post(
        "/t/alpha/profiles/", {"name": "Gaps", "priority_1": "cost", "priority_3": "maintenance"}
    )

    assert PriorityProfile.objects.get(team=team).priorities == ["cost", "maintenance"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "Dup", "priority_1": "cost", "priority_2": "cost"}, "Priorities must not repeat: cost."),
        ({"name": "None"}, "At least one priority is required."),
        ({"name": "", "priority_1": "cost"}, "This field is required."),
        ({"name": "Startup", "priority_1": "cost"}, "This team already has a priority profile named"),
    ],
)
def test_page_form_shows_errors_and_saves_nothing(carol_client, startup_profile, data, message):
    response = carol_client.post("/t/alpha/profiles/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert PriorityProfile.objects.count() == 1


def test_move_without_javascript_posts_and_redirects_back(carol_client, startup_profile):
    response = carol_client.post(
        f"/t/alpha/profiles/{startup_profile.pk}/move/", {"priority": "cost", "direction": "up"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/t/alpha/profiles/{startup_profile.pk}/"
    startup_profile.refresh_from_db()
    assert startup_profile.priorities == ["time_to_market", "cost", "performance"]


def test_move_with_htmx_returns_the_reranked_fragment(carol_client, startup_profile, article_catalog):
    for _ in range(2):
        response = carol_client.post(
            f"/t/alpha/profiles/{startup_profile.pk}/move/",
            {"priority": "cost", "direction": "up"},
            HTTP_HX_REQUEST="true",
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="profile-detail"' in html
    # cost first: Mistral 7B (cost 10) now leads
    assert response.context["rows"][0]["model"]["name"] == "Mistral 7B"


def test_move_refuses_a_priority_the_profile_lacks(carol_client, startup_profile):
    response = carol_client.post(
        f"/t/alpha/profiles/{startup_profile.pk}/move/", {"priority": "maintenance", "direction": "up"}
    )

    assert response.status_code == 400
    assert "is not in this profile" in response.content.decode()


def test_editor_renames_and_reorders_on_the_edit_page(carol_client, startup_profile):
    assert carol_client.get(f"/t/alpha/profiles/{startup_profile.pk}/edit/").status_code == 200

    response = carol_client.post(
        f"/t/alpha/profiles/{startup_profile.pk}/edit/", {"name": "Launch", "priority_1": "performance"}
    )

    assert response.status_code == 302
    startup_profile.refresh_from_db()
    assert (startup_profile.name, startup_profile.priorities) == ("Launch", ["performance"])


def test_editor_deletes_a_profile(carol_client, startup_profile):
    response = carol_client.post(f"/t/alpha/profiles/{startup_profile.pk}/delete/")

    assert response.status_code == 302
    assert not PriorityProfile.objects.exists()


def test_viewers_read_profiles_but_every_write_is_a_403(bob_client, startup_profile, article_catalog):
    base = f"/t/alpha/profiles/{startup_profile.pk}"
    assert bob_client.get("/t/alpha/profiles/").status_code == 200
    detail_html = bob_client.get(f"{base}/").content.decode()
    assert 'data-testid="up-cost"' not in detail_html

    assert bob_client.post("/t/alpha/profiles/", {"name": "X", "priority_1": "cost"}).status_code == 403
    assert bob_client.get(f"{base}/edit/").status_code == 403
    assert bob_client.post(f"{base}/edit/", {"name": "X", "priority_1": "cost"}).status_code == 403
    assert bob_client.post(f"{base}/move/", {"priority": "cost", "direction": "up"}).status_code == 403
    assert bob_client.post(f"{base}/delete/").status_code == 403
    startup_profile.refresh_from_db()
    assert (startup_profile.name, startup_profile.priorities) == ("Startup", STARTUP)


def test_outsiders_get_a_404_on_every_profile_page(charlie_client, startup_profile):
    base = f"/t/alpha/profiles/{startup_profile.pk}"
    for url in ["/t/alpha/profiles/", f"{base}/", f"{base}/edit/"]:
        assert charlie_client.get(url).status_code == 404, url
    for url in [f"{base}/move/", f"{base}/delete/", "/t/alpha/profiles/"]:
        assert charlie_client.post(url, {"priority": "cost", "direction": "up"}).status_code == 404, url
    assert PriorityProfile.objects.filter(pk=startup_profile.pk).exists()


def test_a_profile_of_another_team_is_a_404_even_under_my_own_team(charlie_client, startup_profile):
    assert charlie_client.get(f"/t/charlies-team/profiles/{startup_profile.pk}/").status_code == 404
    assert charlie_client.post(f"/t/charlies-team/profiles/{startup_profile.pk}/delete/").status_code == 404


def test_profile_page_ranks_1000_models_with_a_fixed_number_of_queries(
    alice_client, startup_profile, big_catalog, django_assert_num_queries
):
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. the profile
    # 5. the active models
    with django_assert_num_queries(5):
        response = alice_client.get(f"/t/alpha/profiles/{startup_profile.pk}/")
    assert len(response.context["rows"]) == 1000
