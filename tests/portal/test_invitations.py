"""Invitation links: an owner makes one with a role; a signed-out visitor chooses a username and a
password and joins with that role. A link works once, until it expires or is withdrawn."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from portal.models import Invitation, Membership
from portal.services import invitation_create

pytestmark = pytest.mark.django_db


def _link_from_team_page(client: Client) -> str:
    page = client.get("/t/alpha/").content.decode()
    match = re.search(r'data-testid="invitation-link">http://testserver(/invite/[^<]+/)<', page)
    assert match, "the new link is shown once on the team page"
    return match.group(1)


def _sign_up(link: str, username: str = "dana", password: str = "blue-harbour-42") -> Client:
    visitor = Client()
    response = visitor.post(link, {"username": username, "password1": password, "password2": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/t/alpha/"
    return visitor


def test_an_owner_makes_a_link_and_a_visitor_joins_with_its_role(alice_client, team, alice):
    created = alice_client.post("/t/alpha/invitations/", {"role": "editor", "days_valid": "7"})
    assert created.status_code == 302 and created["Location"] == "/t/alpha/"
    link = _link_from_team_page(alice_client)

    signup = Client().get(link)
    assert signup.status_code == 200
    assert "Join Alpha" in signup.content.decode() and "as <strong>editor</strong>" in signup.content.decode()

    visitor = _sign_up(link)

    dana = User.objects.get(username="dana")
    assert dana.check_password("blue-harbour-42")
    assert Membership.objects.get(team=team, user=dana).role == "editor"
    assert visitor.get("/t/alpha/").status_code == 200  # signed in as the new account
    invitation = Invitation.objects.get()
    assert (invitation.used_by, invitation.created_by) == (dana, alice)


def test_the_link_is_shown_once(alice_client):
    alice_client.post("/t/alpha/invitations/", {"role": "viewer", "days_valid": "3"})
    _link_from_team_page(alice_client)

    again = alice_client.get("/t/alpha/").content.decode()

    assert 'data-testid="invitation-link"' not in again
    assert Invitation.objects.get().digest not in again


def test_a_link_works_once(team):
    _, secret = invitation_create(team=team, role="viewer", created_by=None)
    _sign_up(f"/invite/{secret}/")

    second = Client().post(
        f"/invite/{secret}/",
        {"username": "eve", "password1": "blue-harbour-42", "password2": "blue-harbour-42"},
    )

    assert second.status_code == 410
    assert "already been used" in second.content.decode()
    assert not User.objects.filter(username="eve").exists()


def test_an_expired_or_withdrawn_link_lets_nobody_in(alice_client, team):
    expired, expired_secret = invitation_create(team=team, role="viewer", created_by=None, days_valid=1)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    withdrawn, withdrawn_secret = invitation_create(team=team, role="owner", created_by=None)
    revoke = alice_client.post(f"/t/alpha/invitations/{withdrawn.pk}/revoke/")
    assert revoke.status_code == 302

    for secret, says in ((expired_secret, "has expired"), (withdrawn_secret, "withdrawn")):
        response = Client().post(
            f"/invite/{secret}/",
            {"username": "eve", "password1": "blue-harbour-42", "password2": "blue-harbour-42"},
        )
        assert response.status_code == 410
        assert says in response.content.decode()
    assert not User.objects.filter(username="eve").exists()
    assert Client().get("/invite/not-a-real-secret/").status_code == 404


def test_sign_up_errors_sit_at_their_fields_and_keep_the_link_usable(team, bob):
    _, secret = invitation_create(team=team, role="viewer", created_by=None)
    link = f"/invite/{secret}/"

    taken = Client().post(
        link, {"username": "BOB", "password1": "blue-harbour-42", "password2": "blue-harbour-42"}
    )
    weak = Client().post(link, {"username": "dana", "password1": "123", "password2": "123"})
    differ = Client().post(link, {"username": "dana", "password1": "blue-harbour-42", "password2": "blue"})

    assert taken.status_code == weak.status_code == differ.status_code == 400
    assert taken.context["form"].errors["username"] == ["The username “BOB” is taken: choose another."]
    assert (
        "This password is too short. It must contain at least 8 characters."
        in weak.context["form"].errors["password1"]
    )
    assert differ.context["form"].errors["password2"] == [
        "The two passwords differ: type the same password twice."
    ]
    assert Invitation.objects.get().used_at is None
    _sign_up(link)


def test_a_signed_in_user_joins_with_one_click(team, charlie_client, charlie):
    _, secret = invitation_create(team=team, role="viewer", created_by=None)

    page = charlie_client.get(f"/invite/{secret}/")
    joined = charlie_client.post(f"/invite/{secret}/")

    assert "Join Alpha as charlie" in page.content.decode()
    assert joined.status_code == 302
    assert Membership.objects.get(team=team, user=charlie).role == "viewer"


def test_only_owners_make_and_withdraw_links(carol_client, bob_client, charlie_client, team):
    invitation, _ = invitation_create(team=team, role="viewer", created_by=None)

    assert carol_client.post("/t/alpha/invitations/", {"role": "owner", "days_valid": "7"}).status_code == 403
    assert bob_client.post(f"/t/alpha/invitations/{invitation.pk}/revoke/").status_code == 403
    assert charlie_client.post(f"/t/alpha/invitations/{invitation.pk}/revoke/").status_code == 404
    assert 'data-testid="invitation-form"' not in carol_client.get("/t/alpha/").content.decode()
    assert Invitation.objects.count() == 1 and Invitation.objects.get().revoked_at is None


def test_a_nonsense_lifetime_is_a_field_error(alice_client):
    response = alice_client.post("/t/alpha/invitations/", {"role": "editor", "days_valid": "400"})

    assert response.status_code == 400
    assert response.context["invite_form"].errors["days_valid"] == [
        "An invitation lasts between 1 and 30 days."
    ]
    assert not Invitation.objects.exists()


def test_withdrawing_asks_first_and_names_the_invitation(alice_client, team):
    invitation, _ = invitation_create(team=team, role="editor", created_by=None)

    page = alice_client.get("/t/alpha/").content.decode()

    made = timezone.localtime(invitation.created_at).strftime("%Y-%m-%d %H:%M")
    assert f'data-confirm="Withdraw the editor invitation made {made}? Its link stops working."' in page
