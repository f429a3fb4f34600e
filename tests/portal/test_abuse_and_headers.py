"""Sign-in throttling, health endpoints, security headers and the catalog's model permissions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from tests.factories import UserFactory

LOGIN = "/accounts/login/"
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client: Client, username: str, password: str = "password", address: str = "127.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


# ------------------------------------------------------------------------------- sign-in throttling
def test_an_account_is_paused_after_ten_wrong_passwords_even_from_new_addresses(client, alice, settings):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "alice", "wrong", address=f"10.0.0.{n}").status_code == 200
    # The last allowed failure already answers with the pause.
    assert sign_in(client, "alice", "wrong", address="10.0.0.99").status_code == 429
    refused = sign_in(client, "alice", address="10.0.1.1")
    assert refused.status_code == 429
    assert b"Too many failed sign-in attempts" in refused.content
    assert "_auth_user_id" not in client.session


def test_an_address_is_paused_after_ten_failures_over_any_accounts(client, alice, settings):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, f"nobody{n}", "wrong", address="10.5.5.5").status_code == 200
    assert sign_in(client, "nobody-last", "wrong", address="10.5.5.5").status_code == 429
    assert sign_in(client, "alice", address="10.5.5.5").status_code == 429
    # The account itself is fine from elsewhere.
    assert sign_in(client, "alice", address="10.6.6.6").status_code == 302


def test_a_few_mistakes_then_the_right_password_signs_in(client, alice):
    for _ in range(3):
        assert sign_in(client, "alice", "wrong").status_code == 200
    assert sign_in(client, "alice").status_code == 302


# ------------------------------------------------------------------------------- health
def test_healthz_answers_anonymously_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_readyz_checks_database_migrations_and_broker(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok"},
    }


def test_readyz_is_503_naming_a_broker_that_is_down(client, db):
    from portal.celery import app

    working = app.conf.broker_write_url
    app.conf.broker_write_url = "redis://127.0.0.1:1/0"  # where publishing (and the check) connects
    try:
        response = client.get("/readyz")
    finally:
        app.conf.broker_write_url = working
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("unreachable")
    assert response.json()["checks"]["database"] == "ok"


def test_health_is_answered_before_the_https_redirect_and_host_check(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["modelwise.example.com"]
    assert client.get("/healthz", HTTP_HOST="web:8000").status_code == 200


# ------------------------------------------------------------------------------- headers
@pytest.mark.parametrize("path", ["/t/alpha/", "/t/alpha/tokens/", "/", "/catalog/"])
def test_pages_are_no_store_and_carry_the_csp(alice_client, path):
    response = alice_client.get(path)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]


def test_the_page_showing_a_new_token_secret_is_no_store(alice_client):
    response = alice_client.post("/t/alpha/tokens/", {"name": "ci", "access": "read"}, follow=True)
    assert response.status_code == 200 and b"mw_" in response.content
    assert "no-store" in response["Cache-Control"]


def test_api_answers_are_no_store(client, read_token):
    response = client.get("/api/catalog/models/", HTTP_AUTHORIZATION=f"Bearer {read_token}")
    assert "no-store" in response["Cache-Control"]


def test_no_template_has_an_inline_script():
    inline = []
    for template in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            if "src=" not in tag and 'type="application/json"' not in tag:
                inline.append(f"{template.relative_to(ROOT)}: {tag}")
        if re.search(r"\son[a-z]+=", template.read_text()):
            inline.append(f"{template.relative_to(ROOT)}: inline event handler")
    assert inline == []


def test_api_docs_load_their_script_from_a_url_not_inline(alice_client):
    page = alice_client.get("/api/docs/")
    assert page.status_code == 200
    assert re.search(rb"<script>\s*[^<\s]", page.content) is None
    script = alice_client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


# ------------------------------------------------------------------------------- catalog permissions
NEW_MODEL = {"name": "Perm Test", "provider": "Acme", "kind": "proprietary"}


@pytest.fixture
def bare_staff(db):
    return UserFactory(username="bare-staff", is_staff=True)


def test_staff_without_the_model_permission_cannot_write_the_catalog(bare_staff, article_catalog):
    client = Client()
    client.force_login(bare_staff)
    assert client.get("/api/catalog/models/").status_code == 200
    response = client.post("/api/catalog/models/", NEW_MODEL, content_type="application/json")
    assert response.status_code == 403
    assert "permissions" in response.json()["detail"]
    model = next(iter(article_catalog.values()))
    assert client.delete(f"/api/catalog/models/{model.pk}/").status_code == 403


def test_each_write_needs_its_own_model_permission(bare_staff, article_catalog):
    bare_staff.user_permissions.add(Permission.objects.get(codename="add_modeloption"))
    client = Client()
    client.force_login(bare_staff)
    assert client.post("/api/catalog/models/", NEW_MODEL, content_type="application/json").status_code == 201
    model = next(iter(article_catalog.values()))
    assert client.delete(f"/api/catalog/models/{model.pk}/").status_code == 403
    bare_staff.user_permissions.add(Permission.objects.get(codename="delete_modeloption"))
    client.force_login(bare_staff)
    assert client.delete(f"/api/catalog/models/{model.pk}/").status_code == 204
