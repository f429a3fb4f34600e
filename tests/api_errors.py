"""Reading API errors: every one is ``{"status", "code", "detail", "errors"}``, messages by field in
``errors``."""

from __future__ import annotations

from typing import Any


def field_errors(response: Any) -> dict[str, Any]:
    """The messages by field of an API error, after checking the envelope matches the status."""
    body = response.json()
    assert body["status"] == response.status_code, body
    assert isinstance(body["code"], str) and isinstance(body["detail"], str), body
    assert set(body) == {"status", "code", "detail", "errors"}, body
    return body["errors"]
