"""Bump the gateway's configuration version whenever something it holds in memory changes.

Tokens, backends, routes, budgets and catalog prices are cached by every gateway process. The
routing services bump ``ConfigVersion`` themselves, in the write's transaction; these handlers catch
every other write (portal token services, catalog edits, the admin, a shell, a data migration): after
the transaction commits, they bump the version unless something already did during it, so a service
write still moves it exactly once. Saves that only record a token's last use are skipped.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from catalog.models import ModelOption
from portal.models import ApiToken
from routing.models import Backend, ConfigVersion, Route, TeamBudget
from routing.services import config_version_bump

WATCHED = (ApiToken, Backend, Route, TeamBudget, ModelOption)
IRRELEVANT_FIELDS: dict[type, frozenset[str]] = {ApiToken: frozenset({"last_used_at"})}


def _version() -> int:
    return ConfigVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def _bump_unless_bumped(seen: int) -> None:
    if _version() == seen:
        config_version_bump()


def _on_change(sender: type, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    ignored = IRRELEVANT_FIELDS.get(sender)
    if ignored and update_fields and set(update_fields) <= ignored:
        return
    seen = _version()
    # Runs at once outside a transaction, after the commit inside one (never after a rollback).
    transaction.on_commit(lambda: _bump_unless_bumped(seen))


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"gateway-config-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"gateway-config-{model.__name__}-delete")
