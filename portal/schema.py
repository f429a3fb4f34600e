"""OpenAPI description of the team token scheme (loaded from PortalConfig.ready)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TeamTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.authentication.TeamTokenAuthentication"
    name = "teamToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A team API token (mw_...), created on the team's API tokens page.",
        }


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every API error. `errors` holds a validation error's messages by field "
    "(`non_field_errors` for the rest) and is empty otherwise.",
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "code": {
            "type": "string",
            "description": "Machine-readable: invalid, parse_error, not_authenticated, "
            "authentication_failed, "
            "permission_denied, not_found, method_not_allowed, payload_too_large, throttled, "
            "database_unavailable, broker_unavailable, ...",
        },
        "detail": {"type": "string", "description": "A sentence for people."},
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "Field name -> list of messages (nested objects for nested fields).",
        },
    },
    "required": ["status", "code", "detail", "errors"],
}

ERROR_RESPONSES = {
    "400": "Invalid input (messages by field), malformed JSON, or JSON nested deeper than 32 levels.",
    "401": "No credentials, or a token that is malformed, unknown or revoked.",
    "403": "A read-only role or token writing, or a staff action without the model permission.",
    "404": "No such object in the team this request acts for (another team's objects read as missing).",
    "413": "The request body is over the size limit (1 MiB by default).",
    "429": "Throttled (per token, per address, or after repeated invalid tokens); see Retry-After.",
    "503": "The database or the task broker is unreachable; nothing was changed. See Retry-After.",
}


def error_responses_hook(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing: document the one error shape on every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            wanted = set(ERROR_RESPONSES)
            if method in {"get", "head", "delete"}:
                wanted -= {"413"}
            if "{" not in path and method != "post":
                wanted -= {"404"}
            for status in sorted(wanted):
                operation["responses"].setdefault(
                    status,
                    {
                        "description": ERROR_RESPONSES[status],
                        "content": {"application/json": {"schema": ref}},
                    },
                )
    return result
