"""Keyboard and screen readers: every control on every page says what it is, and a button or link
in a row names the row it acts on."""

from __future__ import annotations

import pytest

from tests.portal.pages import lived_in_team, page_urls, scan_controls

pytestmark = pytest.mark.django_db

# Verbs that say nothing about what they act on when a row holds several of them.
ROW_VERBS = {"delete", "remove", "revoke", "edit", "set", "change", "save", "withdraw", "open", "↑", "↓"}


@pytest.fixture
def lived(team, alice, article_catalog):
    return lived_in_team(team=team, owner=alice, catalog=article_catalog)


def test_every_control_on_every_page_has_a_name(alice_client, lived, article_catalog):
    unnamed = []
    for url in page_urls(lived, article_catalog):
        response = alice_client.get(url)
        assert response.status_code == 200, url
        scanner = scan_controls(response.content.decode())
        assert scanner.controls or url in ("/catalog/models/", ""), url
        for control in scanner.controls:
            if not scanner.name_of(control).strip():
                unnamed.append((url, control.tag, control.attrs.get("name") or control.attrs))
    assert unnamed == []


def test_buttons_in_a_row_name_the_row(alice_client, lived, article_catalog):
    vague = []
    for url in page_urls(lived, article_catalog):
        scanner = scan_controls(alice_client.get(url).content.decode())
        for control in scanner.controls:
            name = scanner.name_of(control).strip()
            if control.row and name.casefold() in ROW_VERBS:
                vague.append((url, name))
    assert vague == [], "\n".join(map(str, vague))


def test_the_priority_selects_are_named_by_their_place(alice_client, lived):
    html = alice_client.get("/t/alpha/recommendations/").content.decode()

    scanner = scan_controls(html)
    names = [scanner.name_of(c) for c in scanner.controls if c.attrs.get("name", "").startswith("priority_")]
    assert names[:3] == ["Priority 1", "Priority 2", "Priority 3"]


def test_the_sign_in_and_invitation_pages_name_their_controls(client, lived):
    for url in ("/accounts/login/", f"/invite/{lived.invitation_secret}/"):
        scanner = scan_controls(client.get(url).content.decode())
        assert scanner.controls, url
        assert [c.attrs.get("name") for c in scanner.controls if not scanner.name_of(c).strip()] == [], url
