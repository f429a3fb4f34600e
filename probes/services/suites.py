"""Suites and probes: create, edit, import and export (the JSON format is versioned)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.models import Team
from probes.checks import CheckSpecError, checks_validate
from probes.models import (
    Probe,
    ProbeSuite,
)
from routing.models import Route

SUITE_FORMAT = "modelwise.probe-suite/1"
MAX_PROBES_PER_SUITE = 500
PROBE_FIELDS = ("name", "prompt", "messages", "task_type", "checks", "max_tokens", "enabled")


def _messages_validate(messages: Any) -> list[dict[str, str]]:
    if messages in (None, ""):
        return []
    if not isinstance(messages, list) or not all(
        isinstance(m, dict)
        and m.get("role") in ("system", "user", "assistant")
        and isinstance(m.get("content"), str)
        for m in messages
    ):
        raise ValidationError(
            {"messages": ['Give a list of {"role": system|user|assistant, "content": text} objects.']}
        )
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def probe_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate one probe's fields (as from the API or an imported suite); ValidationError by field."""
    errors: dict[str, list[str]] = {}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors["name"] = ["Give a name of at most 120 characters."]
        name = ""
    prompt = data.get("prompt") or ""
    if not isinstance(prompt, str):
        errors["prompt"] = ["The prompt must be text."]
        prompt = ""
    try:
        messages = _messages_validate(data.get("messages"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        messages = []
    if not prompt.strip() and not messages and "prompt" not in errors and "messages" not in errors:
        errors["prompt"] = ["Give a prompt or chat messages."]
    try:
        checks = checks_validate(data.get("checks"))
    except CheckSpecError as exc:
        errors.update(exc.errors)
        checks = []
    task_type = data.get("task_type") or ""
    if not isinstance(task_type, str) or len(task_type) > 60:
        errors["task_type"] = ["The task type must be text of at most 60 characters."]
    max_tokens = data.get("max_tokens")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 32_000
    ):
        errors["max_tokens"] = ["max_tokens must be a whole number from 1 to 32000."]
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        errors["enabled"] = ["enabled must be true or false."]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name.strip(),
        "prompt": prompt,
        "messages": messages,
        "task_type": task_type,
        "checks": checks,
        "max_tokens": max_tokens,
        "enabled": enabled,
    }


@transaction.atomic
def suite_create(*, team: Team, route: Route, name: str = "", description: str = "") -> ProbeSuite:
    if route.team_id != team.pk:
        raise ValidationError({"route": ["No such route."]})
    if ProbeSuite.objects.filter(route=route).exists():
        raise ValidationError({"route": ["This route already has a probe suite."]})
    return ProbeSuite.objects.create(
        team=team, route=route, name=(name or f"{route.name} probes")[:120], description=description
    )


def suite_update(*, suite: ProbeSuite, name: str | None = None, description: str | None = None) -> ProbeSuite:
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": ["Give the suite a name."]})
        suite.name = name.strip()[:120]
    if description is not None:
        suite.description = description
    suite.save()
    return suite


def probe_create(*, suite: ProbeSuite, data: dict[str, Any]) -> Probe:
    clean = probe_clean(data)
    if suite.probes.filter(name=clean["name"]).exists():
        raise ValidationError({"name": ["This suite already has a probe with this name."]})
    if suite.probes.count() >= MAX_PROBES_PER_SUITE:
        raise ValidationError({"suite": [f"A suite holds at most {MAX_PROBES_PER_SUITE} probes."]})
    position = (suite.probes.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return Probe.objects.create(suite=suite, position=position, **clean)


def probe_update(*, probe: Probe, data: dict[str, Any]) -> Probe:
    merged = {field: getattr(probe, field) for field in PROBE_FIELDS} | data
    clean = probe_clean(merged)
    if probe.suite.probes.filter(name=clean["name"]).exclude(pk=probe.pk).exists():
        raise ValidationError({"name": ["This suite already has a probe with this name."]})
    for field, value in clean.items():
        setattr(probe, field, value)
    probe.save()
    return probe


def probe_delete(*, probe: Probe) -> None:
    probe.delete()


def suite_export(*, suite: ProbeSuite) -> dict[str, Any]:
    """The suite as JSON that ``suite_import`` reads back (the format is versioned)."""
    return {
        "format": SUITE_FORMAT,
        "name": suite.name,
        "description": suite.description,
        "probes": [
            {field: getattr(probe, field) for field in PROBE_FIELDS}
            for probe in suite.probes.order_by("position")
        ],
    }


@transaction.atomic
def suite_import(*, team: Team, route: Route, data: Any) -> ProbeSuite:
    """Replace the route's suite (created if missing) with the probes of an exported suite.

    Everything is validated first: one bad probe rejects the whole file, with errors keyed
    ``probes[i].field``, and nothing changes."""
    if route.team_id != team.pk:
        raise ValidationError({"route": ["No such route."]})
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ValidationError({"file": [f"Not valid JSON: {exc}"]}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("probes"), list):
        raise ValidationError({"probes": ["Give a JSON object with a list of probes."]})
    if data.get("format", SUITE_FORMAT) != SUITE_FORMAT:
        raise ValidationError({"format": [f"Unknown format; expected {SUITE_FORMAT}."]})
    if len(data["probes"]) > MAX_PROBES_PER_SUITE:
        raise ValidationError({"probes": [f"A suite holds at most {MAX_PROBES_PER_SUITE} probes."]})
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(data["probes"]):
        if not isinstance(item, dict):
            errors[f"probes[{index}]"] = ["Each probe must be a JSON object."]
            continue
        try:
            cleaned.append(probe_clean(item))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"probes[{index}].{field}"] = messages
    names = [p["name"] for p in cleaned]
    if len(set(names)) != len(names):
        errors["probes"] = ["Probe names must be unique within a suite."]
    if errors:
        raise ValidationError(errors)
    suite = ProbeSuite.objects.filter(route=route).first() or suite_create(team=team, route=route)
    name = data.get("name")
    if isinstance(name, str) and name.strip():
        suite.name = name.strip()[:120]
    if isinstance(data.get("description"), str):
        suite.description = data["description"]
    suite.save()
    suite.probes.all().delete()
    Probe.objects.bulk_create(
        [Probe(suite=suite, position=index + 1, **probe) for index, probe in enumerate(cleaned)]
    )
    return suite
