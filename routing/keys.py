"""Backend API keys at rest: Fernet (AES-128-CBC + HMAC-SHA256) under a key from settings.

``ROUTING_KEY_SECRET`` (environment) is the secret the Fernet key is derived from; it defaults to
``SECRET_KEY``, so a deployment works out of the box, and can be set apart so rotating the session
secret does not orphan stored keys. A key is never returned by the API, a page, the admin or a log:
only the gateway and the probe workers decrypt it, just before calling the upstream.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class KeyUnavailable(Exception):
    """The backend's key cannot be produced: the message says why, without the key."""


def _fernet() -> Fernet:
    secret = settings.ROUTING_KEY_SECRET or settings.SECRET_KEY
    digest = hashlib.sha256(b"modelwise.routing.keys:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def api_key_encrypt(raw_key: str) -> str:
    return _fernet().encrypt(raw_key.encode()).decode()


def api_key_resolve(*, encrypted: str, env_name: str) -> str:
    """The key to send upstream: from the named environment variable, else the stored one, else ''."""
    if env_name:
        value = os.environ.get(env_name)
        if value is None:
            raise KeyUnavailable(f"Environment variable {env_name} is not set on this server.")
        return value
    if not encrypted:
        return ""
    try:
        return _fernet().decrypt(encrypted.encode()).decode()
    except InvalidToken as exc:
        raise KeyUnavailable("The stored key cannot be decrypted with this server's key secret.") from exc
