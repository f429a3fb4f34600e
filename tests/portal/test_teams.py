"""Team pages: members see their team, outsiders get a 404, read-only members cannot write."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.models import ApiToken
from portal.tokens import token_digest

pytestmark = pytest.mark.django_db

TEAM_PAGES = ["/t/alpha/", "/t/alpha/tokens/"]


def test_sign_in_page_is_public_and_signs_in(client, alice):
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"username": "alice", "password": "password"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_shows_a_form_error(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_sign_out_ends_the_session(alice_client):
    assert alice_client.post("/accounts/logout/").status_code == 302
    assert alice_client.get("/").status_code == 302


@pytest.mark.parametrize("url", ["/", *TEAM_PAGES])
def test_every_page_needs_sign_in(client, team, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_home_lists_only_my_teams(alice_client, other_team, django_assert_num_queries):
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. memberships with their teams
    # 4. the first team's decisions so far: profiles, usage patterns, evaluations (its next steps)
    # 5. the first team's routing so far: backends, routes
    # 6. the team whose menu the page shows
    with django_assert_num_queries(6):
        response = alice_client.get("/")
    html = response.content.decode()
    assert "Alpha" in html
    assert "Charlie&#x27;s team" not in html and "Charlie's team" not in html


@pytest.mark.parametrize("url", TEAM_PAGES)
def test_members_open_team_pages(alice_client, bob_client, url):
    assert alice_client.get(url).status_code == 200
    assert bob_client.get(url).status_code == 200


@pytest.mark.parametrize("url", TEAM_PAGES)
def test_outsiders_get_a_404_on_team_pages(charlie_client, url):
    assert charlie_client.get(url).status_code == 404


def test_team_page_lists_members_with_a_fixed_number_of_queries(alice_client, django_assert_num_queries):
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. members with users
    # 5. the owner's invitation links, with who made and used them
    with django_assert_num_queries(5):
        html = alice_client.get("/t/alpha/").content.decode()
    assert "bob" in html and "Viewer" in html


def test_owner_creates_a_token_shown_once_and_stored_only_as_a_digest(alice_client):
    response = alice_client.post("/t/alpha/tokens/", {"name": "CI", "access": "read_write"})
    assert response.status_code == 302  # a reload of the result page cannot create another
    secret = alice_client.get(response["Location"]).context["new_secret"]
    assert secret.startswith("mw_")
    token = ApiToken.objects.get(name="CI")
    assert token.digest == token_digest(secret)
    assert secret not in {token.prefix, token.digest}
    assert token.access == "read_write"
    assert secret not in alice_client.get("/t/alpha/tokens/").content.decode()


def test_token_form_errors_are_shown(alice_client):
    response = alice_client.post("/t/alpha/tokens/", {"name": "", "access": "admin"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "name" in form.errors and "access" in form.errors
    assert not ApiToken.objects.exists()


def test_viewers_cannot_create_or_revoke_tokens(bob_client, read_token):
    assert bob_client.post("/t/alpha/tokens/", {"name": "x", "access": "read"}).status_code == 403
    token = ApiToken.objects.get(name="reader")
    assert bob_client.post(f"/t/alpha/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.is_active


def test_outsiders_cannot_revoke_another_teams_token(charlie_client, read_token):
    token = ApiToken.objects.get(name="reader")
    assert charlie_client.post(f"/t/alpha/tokens/{token.pk}/revoke/").status_code == 404
    assert charlie_client.post(f"/t/charlies-team/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.is_active


def test_owner_revokes_a_token_and_it_stops_working(alice_client, read_token):
    token = ApiToken.objects.get(name="reader")
    response = alice_client.post(f"/t/alpha/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert not token.is_active
    api = Client(HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert api.get("/api/catalog/models/").status_code == 401


def test_revoke_needs_post(alice_client, read_token):
    token = ApiToken.objects.get(name="reader")
    assert alice_client.get(f"/t/alpha/tokens/{token.pk}/revoke/").status_code == 405


def test_tokens_page_lists_with_a_fixed_number_of_queries(
    alice_client, read_token, write_token, django_assert_num_queries
):
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. tokens with their creators
    with django_assert_num_queries(4):
        html = alice_client.get("/t/alpha/tokens/").content.decode()
    assert "reader" in html and "writer" in html
