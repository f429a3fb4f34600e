"""Bump the gateway's configuration version whenever something it holds in memory changes.

Tokens, backends, routes, budgets and catalog prices are cached by every gateway process. Every
save or delete of those rows (services, the admin, a shell, a data migration) asks for a bump after the
transaction commits; the services ask too for writes made with ``update()``. Requests in one
transaction collapse into one bump (``config_version_bump_on_commit``), and the bump comes after the
commit, so a gateway that sees the new version reads the committed rows. Saves that only record a
token's last use are skipped.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from catalog.models import ModelOption
from portal.models import ApiToken
from routing.models import Backend, Route, TeamBudget
from routing.services import config_version_bump_on_commit

WATCHED = (ApiToken, Backend, Route, TeamBudget, ModelOption)
IRRELEVANT_FIELDS: dict[type, frozenset[str]] = {ApiToken: frozenset({"last_used_at"})}


def _on_change(sender: type, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    if kwargs.get("raw"):  # loading fixtures
        return
    ignored = IRRELEVANT_FIELDS.get(sender)
    if ignored and update_fields and set(update_fields) <= ignored:
        return
    config_version_bump_on_commit()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_on_change, sender=model, dispatch_uid=f"gateway-config-{model.__name__}-save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"gateway-config-{model.__name__}-delete")
