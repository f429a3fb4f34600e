"""Bump the gateway's configuration version whenever something it holds in memory changes.

Tokens, backends, routes, budgets and catalog prices are cached by every gateway process; saving or
deleting any of them (from a service, the admin, a shell or a data migration) bumps ``ConfigVersion``
in the same transaction, so the processes reload within their polling interval. Saves that only
record a token's last use change nothing the gateway reads and are skipped.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from catalog.models import ModelOption
from portal.models import ApiToken
from routing.models import Backend, Route, TeamBudget
from routing.services import config_version_bump

WATCHED = (ApiToken, Backend, Route, TeamBudget, ModelOption)
IRRELEVANT_FIELDS: dict[type, frozenset[str]] = {ApiToken: frozenset({"last_used_at"})}


def _on_change(sender: type, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    ignored = IRRELEVANT_FIELDS.get(sender)
    if ignored and update_fields and set(update_fields) <= ignored:
        return
    config_version_bump()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"gateway-config-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"gateway-config-{model.__name__}-delete")
