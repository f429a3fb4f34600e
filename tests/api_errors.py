"""Reading API errors: every one is ``{"status", "code", "detail"}`` plus messages by field."""

from __future__ import annotations

from typing import Any

ENVELOPE = ("status", "code", "detail")


def field_errors(response: Any) -> dict[str, Any]:
    """The messages by field of an API error, after checking the envelope matches the status."""
    body = response.json()
    assert body["status"] == response.status_code, body
    assert isinstance(body["code"], str) and isinstance(body["detail"], str), body
    return {key: value for key, value in body.items() if key not in ENVELOPE}
