"""Checks on a gateway request body, with a message per field (OpenAI's ``param`` names the first)."""

from __future__ import annotations

import re
from typing import Any

ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
TASK_TYPE = re.compile(r"^[a-z0-9][a-z0-9_.:-]{0,59}$")
MAX_MESSAGES = 10_000


class RequestInvalid(Exception):
    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def task_type_clean(value: Any, errors: dict[str, list[str]], field: str) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        errors[field] = ["Must be a string."]
        return ""
    cleaned = value.strip().lower()
    if not TASK_TYPE.match(cleaned):
        errors[field] = [
            "Must be 1-60 characters: letters, digits, '-', '_', '.' or ':', starting with a letter or digit."
        ]
        return ""
    return cleaned


def _max_tokens(data: dict[str, Any], errors: dict[str, list[str]], limit: int) -> None:
    for field in ("max_tokens", "max_completion_tokens"):
        value = data.get(field)
        if value is None:
            continue
        if not _is_int(value):
            errors[field] = ["Must be a whole number."]
        elif not 1 <= value <= limit:
            errors[field] = [f"Must be between 1 and {limit:,}; got {value:,}."]


def chat_request_validate(data: Any, *, max_tokens_limit: int, header_task_type: str | None) -> str:
    """Raise ``RequestInvalid`` for a malformed chat request; return its task type ('' when none)."""
    if not isinstance(data, dict):
        raise RequestInvalid({"body": ["Must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    model = data.get("model", "auto")
    if not isinstance(model, str) or not model.strip() or len(model) > 100:
        errors["model"] = ['Must be "auto" or the name of one of your routes (GET /v1/models lists them).']
    messages = data.get("messages")
    if not isinstance(messages, list) or not messages:
        errors["messages"] = ["Must be a non-empty list of messages."]
    elif len(messages) > MAX_MESSAGES:
        errors["messages"] = [f"At most {MAX_MESSAGES:,} messages."]
    else:
        for index, message in enumerate(messages):
            field = f"messages[{index}]"
            if not isinstance(message, dict):
                errors[field] = ['Must be an object with "role" and "content".']
                continue
            if message.get("role") not in ROLES:
                errors[f"{field}.role"] = [f"Must be one of {', '.join(sorted(ROLES))}."]
            content = message.get("content")
            if not (
                isinstance(content, str)
                or (isinstance(content, list) and all(isinstance(p, dict) for p in content))
                or (content is None and message.get("role") in ("assistant", "tool", "function"))
            ):
                errors[f"{field}.content"] = ["Must be a string or a list of content parts."]
            if len(errors) >= 20:
                break
    if "stream" in data and not isinstance(data["stream"], bool):
        errors["stream"] = ["Must be true or false."]
    options = data.get("stream_options")
    if options is not None and not isinstance(options, dict):
        errors["stream_options"] = ["Must be an object."]
    _max_tokens(data, errors, max_tokens_limit)
    for field, low, high in (("temperature", 0, 2), ("top_p", 0, 1)):
        value = data.get(field)
        if value is not None and (not _is_number(value) or not low <= value <= high):
            errors[field] = [f"Must be a number between {low} and {high}."]
    n = data.get("n")
    if n is not None and (not _is_int(n) or not 1 <= n <= 16):
        errors["n"] = ["Must be a whole number between 1 and 16."]
    user = data.get("user")
    if user is not None and (not isinstance(user, str) or len(user) > 256):
        errors["user"] = ["Must be a string of at most 256 characters."]
    metadata = data.get("metadata")
    task_type = ""
    if metadata is not None and not isinstance(metadata, dict):
        errors["metadata"] = ["Must be an object."]
    elif header_task_type is not None:
        task_type = task_type_clean(header_task_type, errors, "X-Task-Type")
    elif metadata:
        task_type = task_type_clean(metadata.get("task_type"), errors, "metadata.task_type")
    if errors:
        raise RequestInvalid(errors)
    return task_type


def route_request_validate(data: Any, *, max_tokens_limit: int) -> tuple[str, str]:
    """``POST /api/route/`` body: ``{"task_type", "prompt"}`` (+ optional max_tokens, user)."""
    if not isinstance(data, dict):
        raise RequestInvalid({"body": ["Must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        errors["prompt"] = ["Must be a non-empty string."]
    task_type = task_type_clean(data.get("task_type"), errors, "task_type")
    _max_tokens(data, errors, max_tokens_limit)
    user = data.get("user")
    if user is not None and (not isinstance(user, str) or len(user) > 256):
        errors["user"] = ["Must be a string of at most 256 characters."]
    if errors:
        raise RequestInvalid(errors)
    return task_type, str(prompt)
