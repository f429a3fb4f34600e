"""Pages that hold up: errors in the portal's layout that say what happened and where to go, a skip
link and a favicon on every page, and static files with hashed, compressed names."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

pytestmark = pytest.mark.django_db


def test_a_viewer_opening_an_edit_url_is_told_the_page_is_read_only_for_their_role(bob_client, team):
    from evaluations.services import profile_create

    profile = profile_create(team=team, name="Startup", priorities=["cost"])

    response = bob_client.get(f"/t/alpha/profiles/{profile.pk}/edit/")

    html = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="error-page"' in html
    assert "Your role in this team is read-only." in html
    assert "your role in this team is read-only: you can read" in html
    assert 'href="/t/alpha/recommendations/"' in html  # the portal's layout, with the team's menu


def test_a_missing_page_is_a_styled_404_with_a_way_back(alice_client):
    response = alice_client.get("/t/no-such-team/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'href="/"' in html and 'class="topbar"' in html


def test_a_server_error_is_a_styled_500():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")

    assert "Something went wrong" in html and 'href="/"' in html


def test_every_page_has_a_skip_link_and_a_favicon(alice_client):
    for url in ("/", "/t/alpha/", "/catalog/", "/t/alpha/recommendations/"):
        html = alice_client.get(url).content.decode()
        assert '<a class="skip-link" href="#main">' in html and '<main id="main"' in html, url
        assert 'rel="icon"' in html, url


def test_static_files_are_collected_with_hashed_compressed_names(tmp_path):
    storage = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storage):
        call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    css = manifest["css/portal.css"]
    assert css != "css/portal.css" and css.startswith("css/portal.") and css.endswith(".css")
    assert (tmp_path / (css + ".gz")).exists()
    assert "favicon.svg" in manifest


def test_signed_out_visitors_get_the_sign_in_page_not_an_error():
    response = Client().get("/t/alpha/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
