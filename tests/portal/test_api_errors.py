"""Every API error is JSON in one shape, with the right status; outages are 503s that say so."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client

from tests.api_errors import field_errors

MODELS = "/api/catalog/models/"
RECOMMEND = "/api/recommendations/"


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["detail"], body
    return body


def test_malformed_json_is_a_400_in_the_error_shape(client, write_token):
    response = client.post(RECOMMEND, "{not json", content_type="application/json", **bearer(write_token))
    assert "JSON parse error" in assert_error(response, 400, "parse_error")["detail"]


def test_json_nested_a_thousand_deep_is_a_400_not_a_500(client, write_token):
    deep = "[" * 1000 + "]" * 1000
    response = client.post(RECOMMEND, deep, content_type="application/json", **bearer(write_token))
    assert_error(response, 400, "parse_error")
    moderately = '{"priorities": ' + "[" * 40 + "]" * 40 + "}"
    response = client.post(RECOMMEND, moderately, content_type="application/json", **bearer(write_token))
    assert "nested deeper than 32" in assert_error(response, 400, "parse_error")["detail"]


def test_an_oversized_body_is_a_413_in_the_error_shape(client, write_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"priorities": ["cost"], "pad": "' + "x" * 2000 + '"}'
    response = client.post(RECOMMEND, body, content_type="application/json", **bearer(write_token))
    assert_error(response, 413, "payload_too_large")


def test_validation_errors_keep_messages_by_field(client, write_token):
    response = client.post(
        RECOMMEND, {"priorities": ["speed"]}, content_type="application/json", **bearer(write_token)
    )
    assert_error(response, 400, "invalid")
    assert "priorities" in field_errors(response)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Bearer mw_not-a-real-token"}, 401, "authentication_failed"),
    ],
)
def test_authentication_errors_share_the_shape(client, db, headers, status, code):
    assert_error(client.get(MODELS, **headers), status, code)


def test_unknown_api_paths_and_missing_objects_are_json_404s(client, read_token):
    assert_error(client.get("/api/no-such-thing/", **bearer(read_token)), 404, "not_found")
    assert_error(client.get(f"{MODELS}999999/", **bearer(read_token)), 404, "not_found")


def test_a_read_only_token_writing_is_a_403_in_the_shape(client, read_token):
    response = client.post(
        "/api/profiles/", {"name": "x"}, content_type="application/json", **bearer(read_token)
    )
    assert_error(response, 403, "permission_denied")


def test_the_api_is_throttled_per_token_with_retry_after(client, read_token, write_token, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "token", "3/min")
    for _ in range(3):
        assert client.get(MODELS, **bearer(read_token)).status_code == 200
    throttled = client.get(MODELS, **bearer(read_token))
    assert_error(throttled, 429, "throttled")
    assert 0 < int(throttled["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert client.get(MODELS, **bearer(write_token)).status_code == 200


def test_the_api_is_throttled_per_address(client, read_token, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "address", "2/min")
    assert client.get(MODELS, **bearer(read_token)).status_code == 200
    assert client.get(MODELS, **bearer(read_token)).status_code == 200
    assert_error(client.get(MODELS, **bearer(read_token)), 429, "throttled")
    assert client.get(MODELS, REMOTE_ADDR="10.9.8.7", **bearer(read_token)).status_code == 200


def test_an_address_sending_bad_tokens_is_refused_before_any_lookup(client, read_token, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth_failures", "5/min")
    for n in range(5):
        assert client.get(MODELS, HTTP_AUTHORIZATION=f"Bearer mw_guess{n}").status_code == 401
    blocked = client.get(MODELS, **bearer(read_token))
    assert_error(blocked, 429, "throttled")
    assert "invalid tokens" in blocked.json()["detail"]
    assert int(blocked["Retry-After"]) > 0
    # Another address is not affected.
    assert client.get(MODELS, REMOTE_ADDR="10.1.2.3", **bearer(read_token)).status_code == 200


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, read_token, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "address", "1/min")
    assert client.get(MODELS, HTTP_X_FORWARDED_FOR="1.1.1.1", **bearer(read_token)).status_code == 200
    # A different claimed address does not buy a fresh allowance.
    assert client.get(MODELS, HTTP_X_FORWARDED_FOR="2.2.2.2", **bearer(read_token)).status_code == 429


def test_a_database_outage_is_a_503_json_for_the_api(client, read_token, monkeypatch):
    def refuse(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("portal.authentication.api_token_get_active", refuse)
    response = client.get(MODELS, **bearer(read_token))
    body = assert_error(response, 503, "database_unavailable")
    assert "database is unreachable" in body["detail"]
    assert response["Retry-After"] == "5"


def test_a_database_outage_is_a_503_page_for_pages(alice, team, monkeypatch):
    def refuse(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("portal.views.membership_get_for_user", refuse)
    browser = Client(raise_request_exception=False)
    browser.force_login(alice)
    response = browser.get("/t/alpha/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"The database is unreachable" in response.content
    assert response["Retry-After"] == "5"
