"""Backend API keys at rest: encrypted under ROUTING_KEY_SECRET, unreadable under another secret."""

from __future__ import annotations

import pytest

from routing.keys import KeyUnavailable, api_key_encrypt, api_key_resolve


def test_a_key_round_trips_and_is_not_stored_in_clear(settings):
    settings.ROUTING_KEY_SECRET = "a-dedicated-secret-for-backend-keys"
    stored = api_key_encrypt("sk-live-123")
    assert "sk-live-123" not in stored
    assert api_key_resolve(encrypted=stored, env_name="") == "sk-live-123"


def test_keys_follow_routing_key_secret_not_secret_key(settings):
    settings.ROUTING_KEY_SECRET = "a-dedicated-secret-for-backend-keys"
    stored = api_key_encrypt("sk-live-123")
    settings.SECRET_KEY = "rotated-session-secret-" + "x" * 40
    assert api_key_resolve(encrypted=stored, env_name="") == "sk-live-123"
    settings.ROUTING_KEY_SECRET = "another-secret"
    with pytest.raises(KeyUnavailable, match="cannot be decrypted"):
        api_key_resolve(encrypted=stored, env_name="")
