"""Team API tokens as plain values: generation, digest and display prefix.

Pure (no Django), so the gateway's lean data plane can authenticate a request without Django's
request machinery: it digests the presented secret and looks the digest up in memory.
"""

from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "mw_"
DISPLAY_PREFIX_LENGTH = 10


def token_generate() -> str:
    """A new raw secret: the prefix and 32 random bytes, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(raw_token: str) -> str:
    """SHA-256 of the raw token: tokens are long random secrets, so a fast digest is sufficient."""
    return hashlib.sha256(raw_token.encode()).hexdigest()


def token_display_prefix(raw_token: str) -> str:
    """The first characters, stored in clear so an owner can recognise a token in a list."""
    return raw_token[:DISPLAY_PREFIX_LENGTH]


def token_looks_valid(raw_token: str) -> bool:
    return raw_token.startswith(TOKEN_PREFIX) and len(raw_token) > len(TOKEN_PREFIX)
