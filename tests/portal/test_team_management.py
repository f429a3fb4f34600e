"""A team that runs itself: owners add members, change roles and remove them (never the last owner);
only owners handle API tokens; destructive actions ask first and name what they act on."""

from __future__ import annotations

import pytest

from portal.models import ApiToken, Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _role(team, user) -> str | None:
    membership = Membership.objects.filter(team=team, user=user).first()
    return membership.role if membership else None


def test_owner_adds_an_existing_user_by_username_or_email(alice_client, team):
    dave = UserFactory(username="dave", email="dave@example.com")
    erin = UserFactory(username="erin", email="Erin@Example.com")

    by_name = alice_client.post("/t/alpha/members/add/", {"username_or_email": "dave", "role": "editor"})
    by_email = alice_client.post(
        "/t/alpha/members/add/", {"username_or_email": "erin@example.com", "role": "viewer"}
    )

    assert by_name.status_code == by_email.status_code == 302
    assert (_role(team, dave), _role(team, erin)) == ("editor", "viewer")


def test_adding_an_unknown_user_or_a_member_again_is_a_field_error(alice_client, team, bob):
    unknown = alice_client.post("/t/alpha/members/add/", {"username_or_email": "nobody", "role": "viewer"})
    again = alice_client.post("/t/alpha/members/add/", {"username_or_email": "bob", "role": "editor"})

    assert unknown.status_code == again.status_code == 400
    assert (
        "No user has the username or email “nobody”."
        in unknown.context["add_form"].errors["username_or_email"]
    )
    assert "bob is already a member of Alpha." in again.context["add_form"].errors["username_or_email"]
    assert _role(team, bob) == "viewer"


def test_only_owners_manage_members(carol_client, bob_client, charlie_client, team, bob):
    member = Membership.objects.get(team=team, user=bob)

    assert (
        carol_client.post("/t/alpha/members/add/", {"username_or_email": "x", "role": "viewer"}).status_code
        == 403
    )
    assert carol_client.post(f"/t/alpha/members/{member.pk}/role/", {"role": "owner"}).status_code == 403
    assert bob_client.post(f"/t/alpha/members/{member.pk}/remove/").status_code == 403
    assert charlie_client.post(f"/t/alpha/members/{member.pk}/remove/").status_code == 404
    assert _role(team, bob) == "viewer"


def test_owner_changes_a_role_and_removes_a_member(alice_client, team, bob, carol):
    bob_membership = Membership.objects.get(team=team, user=bob)
    carol_membership = Membership.objects.get(team=team, user=carol)

    alice_client.post(f"/t/alpha/members/{bob_membership.pk}/role/", {"role": "editor"})
    alice_client.post(f"/t/alpha/members/{carol_membership.pk}/remove/")

    assert (_role(team, bob), _role(team, carol)) == ("editor", None)


def test_the_last_owner_can_be_neither_removed_nor_demoted(alice_client, team, alice):
    own = Membership.objects.get(team=team, user=alice)

    demoted = alice_client.post(f"/t/alpha/members/{own.pk}/role/", {"role": "viewer"}, follow=True)
    removed = alice_client.post(f"/t/alpha/members/{own.pk}/remove/", follow=True)

    assert _role(team, alice) == Role.OWNER
    assert "last owner" in demoted.content.decode()
    assert "last owner cannot be removed" in removed.content.decode()


def test_a_second_owner_makes_stepping_down_possible(alice_client, team, alice, carol):
    Membership.objects.filter(team=team, user=carol).update(role=Role.OWNER)
    own = Membership.objects.get(team=team, user=alice)

    alice_client.post(f"/t/alpha/members/{own.pk}/role/", {"role": "editor"})

    assert _role(team, alice) == "editor"


def test_editors_can_neither_create_nor_revoke_tokens(carol_client, write_token):
    token = ApiToken.objects.get(name="writer")

    assert carol_client.post("/t/alpha/tokens/", {"name": "mine", "access": "read_write"}).status_code == 403
    assert carol_client.post(f"/t/alpha/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.is_active and ApiToken.objects.count() == 1
    assert "Create token" not in carol_client.get("/t/alpha/tokens/").content.decode()


def test_token_names_are_unique_per_team(alice_client, read_token):
    response = alice_client.post("/t/alpha/tokens/", {"name": "Reader", "access": "read"})

    assert response.status_code == 400
    assert "This team already has a token named “Reader”." in response.context["form"].errors["name"]
    assert ApiToken.objects.count() == 1


def test_the_new_token_comes_with_a_copy_button_a_curl_line_and_the_docs(alice_client):
    response = alice_client.post("/t/alpha/tokens/", {"name": "CI", "access": "read"}, follow=True)

    html = response.content.decode()
    secret = response.context["new_secret"]
    assert 'data-copy="new-token"' in html
    assert f'curl -H "Authorization: Bearer {secret}" http://testserver/api/catalog/models/' in html
    assert 'href="/api/docs/"' in html
    assert secret not in alice_client.get("/t/alpha/tokens/").content.decode()


def test_destructive_forms_ask_first_and_name_their_object(alice_client, team, bob, read_token):
    members = alice_client.get("/t/alpha/").content.decode()
    tokens = alice_client.get("/t/alpha/tokens/").content.decode()

    assert 'data-confirm="Remove bob from Alpha?"' in members
    assert 'data-confirm="Revoke the token “reader”?' in tokens
