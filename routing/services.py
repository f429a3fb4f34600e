"""Writes for routing: backends, routes, the open-source share and budgets.

Every write that changes what the gateway holds in memory bumps ``ConfigVersion`` in the same
transaction, so each gateway process reloads its snapshot within its polling interval.

Validation lives here, once: the pages, the API and the admin all call these functions, and a
``ValidationError`` keyed by field reads the same everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.text import slugify

from catalog.models import ModelKind, ModelOption
from portal.models import Team
from routing.keys import api_key_encrypt
from routing.models import (
    Backend,
    BackendProtocol,
    ConfigVersion,
    Route,
    ShareChange,
    ShareSource,
    TeamBudget,
)

# The gateway answers ``model: "auto"`` by task type, so no route may take that name.
RESERVED_ROUTE_NAMES = frozenset({"auto"})
# The article's rule: these go to the proprietary model, everything else to the open-source one.
ARTICLE_COMPLEX_TASKS = ("analysis", "reasoning", "creative")
DEFAULT_COMPLEX_ROUTE = "complex-tasks"
DEFAULT_ROUTE = "default"
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")
MAX_TASK_TYPES = 50

BACKEND_FIELDS = (
    "name",
    "kind",
    "protocol",
    "base_url",
    "upstream_model",
    "catalog_model",
    "connect_timeout_s",
    "timeout_s",
    "enabled",
    "api_key_env",
)
ROUTE_FIELDS = (
    "name",
    "task_types",
    "is_default",
    "proprietary_backend",
    "open_source_backend",
    "shadow_rate",
)


def config_version_bump() -> None:
    """Tell every gateway process that its configuration snapshot is stale (now: prefer
    ``config_version_bump_on_commit`` inside a write)."""
    updated = ConfigVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ConfigVersion.objects.create(pk=1, version=1)
        except IntegrityError:  # created meanwhile by another writer
            ConfigVersion.objects.filter(pk=1).update(version=F("version") + 1)


def _bump_after_commit() -> None:
    config_version_bump()


def config_version_bump_on_commit() -> None:
    """Bump the version once the current transaction commits, once per transaction however many rows
    it writes (services and the model signals both ask). Bumping after the commit means a gateway that
    sees the new version always reads the committed rows; nothing is bumped after a rollback."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        entry[1] is _bump_after_commit for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_bump_after_commit)


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _full_clean(instance: Backend | Route | TeamBudget, *, exclude: Iterable[str] = ()) -> None:
    """Model validation (types, lengths, ranges) with field messages. The per-team constraints are
    checked by the callers, which word them for the field they concern."""
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    if isinstance(instance, Backend | Route) and "name" not in errors:
        model = type(instance)
        clash = model.objects.filter(team_id=instance.team_id, name=instance.name).exclude(pk=instance.pk)
        if clash.exists():
            noun = "backend" if isinstance(instance, Backend) else "route"
            errors["name"] = [f"This team already has a {noun} with this name."]
    _raise(errors)


# --- Backends ------------------------------------------------------------------------------------


def _kind_phrase(kind: str) -> str:
    return "an open-source" if kind == ModelKind.OPEN_SOURCE else "a proprietary"


def _backend_check(backend: Backend, *, api_key: str | None) -> None:
    errors: dict[str, list[str]] = {}
    if backend.api_key_env and not ENV_NAME.match(backend.api_key_env):
        errors["api_key_env"] = [
            "Use an environment variable name: capital letters, digits and underscores, "
            "not starting with a digit."
        ]
    if api_key and backend.api_key_env:
        errors["api_key"] = ["Give either a key or an environment variable name, not both."]
    if api_key is not None and len(api_key) > 2000:
        errors["api_key"] = ["This key is too long (2,000 characters at most)."]
    if api_key and any(c in api_key for c in "\r\n"):
        errors["api_key"] = ["A key cannot contain line breaks."]
    model = backend.catalog_model
    if model is not None and model.kind != backend.kind:
        errors["catalog_model"] = [
            f"“{model.name}” is {model.get_kind_display().lower()}: {_kind_phrase(backend.kind)} "
            "backend is priced by a catalog model of its kind."
        ]
    if (
        backend.connect_timeout_s is not None
        and backend.timeout_s is not None
        and Decimal(backend.connect_timeout_s) > Decimal(backend.timeout_s)
    ):
        errors["connect_timeout_s"] = ["The connect timeout cannot be longer than the total timeout."]
    if backend.protocol == BackendProtocol.OPENAI and backend.base_url.rstrip("/").endswith(
        "/chat/completions"
    ):
        errors["base_url"] = ["For an OpenAI-compatible server give the URL before /chat/completions."]
    _raise(errors)


def _backend_apply_key(backend: Backend, *, api_key: str | None, clear_api_key: bool) -> None:
    """A given key replaces the stored one (and any variable name); a blank key keeps what is there."""
    if api_key:
        backend.api_key_encrypted = api_key_encrypt(api_key)
        backend.api_key_env = ""
    elif backend.api_key_env or clear_api_key:
        backend.api_key_encrypted = ""
    if clear_api_key and not api_key:
        backend.api_key_env = ""


def _backend_save(backend: Backend) -> Backend:
    try:
        with transaction.atomic():
            backend.save()
    except IntegrityError as exc:  # a concurrent writer took the name after validation
        raise ValidationError({"name": ["This team already has a backend with this name."]}) from exc
    config_version_bump_on_commit()
    return backend


@transaction.atomic
def backend_create(
    *,
    team: Team,
    name: str,
    kind: str,
    base_url: str,
    protocol: str = BackendProtocol.OPENAI,
    upstream_model: str = "",
    catalog_model: ModelOption | None = None,
    connect_timeout_s: Decimal = Decimal("5"),
    timeout_s: Decimal = Decimal("60"),
    enabled: bool = True,
    api_key: str | None = None,
    api_key_env: str = "",
) -> Backend:
    """Create a backend. ``api_key`` is stored encrypted and never returned; or name an environment
    variable the gateway reads it from (``api_key_env``)."""
    backend = Backend(
        team=team,
        name=(name or "").strip(),
        kind=kind,
        protocol=protocol,
        base_url=(base_url or "").strip(),
        upstream_model=(upstream_model or "").strip(),
        catalog_model=catalog_model,
        connect_timeout_s=connect_timeout_s,
        timeout_s=timeout_s,
        enabled=enabled,
        api_key_env=(api_key_env or "").strip(),
    )
    _full_clean(backend)
    _backend_check(backend, api_key=api_key)
    _backend_apply_key(backend, api_key=api_key, clear_api_key=False)
    return _backend_save(backend)


@transaction.atomic
def backend_update(
    *, backend: Backend, api_key: str | None = None, clear_api_key: bool = False, **changes: Any
) -> Backend:
    """Change a backend's fields. A blank or missing ``api_key`` keeps the stored key;
    ``clear_api_key`` removes it (and any variable name)."""
    unknown = set(changes) - set(BACKEND_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in sorted(unknown)})
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(backend, field, value)
    _full_clean(backend, exclude=["team"])
    if "kind" in changes:
        _backend_kind_still_fits(backend)
    _backend_check(backend, api_key=api_key)
    _backend_apply_key(backend, api_key=api_key, clear_api_key=clear_api_key)
    return _backend_save(backend)


def _backend_kind_still_fits(backend: Backend) -> None:
    slot = "proprietary_backend" if backend.kind == ModelKind.OPEN_SOURCE else "open_source_backend"
    clash = Route.objects.filter(team_id=backend.team_id, **{slot: backend}).values_list("name", flat=True)
    names = list(clash[:5])
    if names:
        raise ValidationError(
            {
                "kind": [
                    f"Route {', '.join(names)} uses this backend in its other slot; change the route first."
                ]
            }
        )


@transaction.atomic
def backend_delete(*, backend: Backend) -> None:
    """Delete a backend no route uses (its request logs keep its name)."""
    routes = list(
        Route.objects.filter(team_id=backend.team_id)
        .filter(Q(proprietary_backend=backend) | Q(open_source_backend=backend))
        .values_list("name", flat=True)
    )
    if routes:
        raise ValidationError(
            {"backend": [f"Route {', '.join(routes)} sends traffic to this backend: change it first."]}
        )
    backend.delete()
    config_version_bump_on_commit()


# --- Routes --------------------------------------------------------------------------------------


def task_types_clean(value: Any) -> list[str]:
    """Task types as a list of lower-case slugs without repeats; a comma-separated string is accepted."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list | tuple):
        raise ValidationError({"task_types": ["Give a list of task types."]})
    cleaned: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ValidationError({"task_types": ["Each task type is a short text, e.g. “analysis”."]})
        task = item.strip().lower()
        if not task:
            continue
        try:
            validate_slug(task)
        except ValidationError as exc:
            raise ValidationError(
                {"task_types": [f"“{item.strip()}” is not a task type: use letters, digits, - and _."]}
            ) from exc
        if len(task) > 60:
            raise ValidationError({"task_types": [f"“{task[:20]}…” is too long (60 characters at most)."]})
        if task not in cleaned:
            cleaned.append(task)
    if len(cleaned) > MAX_TASK_TYPES:
        raise ValidationError({"task_types": [f"A route serves at most {MAX_TASK_TYPES} task types."]})
    return cleaned


def _route_check(route: Route) -> None:
    """The rules a team's routes keep together: names, task types, the default, the backends' team
    and kind, and a share the backends can carry."""
    errors: dict[str, list[str]] = {}
    others = Route.objects.filter(team_id=route.team_id).exclude(pk=route.pk)
    if route.name in RESERVED_ROUTE_NAMES:
        errors["name"] = [f"“{route.name}” is reserved: callers send it to route by task type."]
    taken = {
        task: name
        for name, tasks in others.values_list("name", "task_types")
        for task in (tasks or [])
        if task in route.task_types
    }
    if taken:
        errors["task_types"] = [
            f"“{task}” is already routed by {name}." for task, name in sorted(taken.items())
        ]
    if route.is_default and others.filter(is_default=True).exists():
        errors["is_default"] = ["This team already has a default route."]
    for field, kind in (
        ("proprietary_backend", ModelKind.PROPRIETARY),
        ("open_source_backend", ModelKind.OPEN_SOURCE),
    ):
        backend: Backend | None = getattr(route, field)
        if backend is None:
            continue
        if backend.team_id != route.team_id:
            errors[field] = ["No such backend in this team."]
        elif backend.kind != kind:
            errors[field] = [f"“{backend.name}” is not {_kind_phrase(kind)} backend."]
    if route.proprietary_backend_id is None and route.open_source_backend_id is None:
        errors.setdefault("proprietary_backend", []).append("A route needs at least one backend.")
    elif route.open_source_share > 0 and route.open_source_backend_id is None:
        errors.setdefault("open_source_share", []).append(
            "A share above 0 % needs an open-source backend to send traffic to."
        )
    elif route.open_source_share < 100 and route.proprietary_backend_id is None:
        errors.setdefault("open_source_share", []).append(
            "A share below 100 % needs a proprietary backend for the rest of the traffic."
        )
    if route.shadow_rate and (route.proprietary_backend_id is None or route.open_source_backend_id is None):
        errors.setdefault("shadow_rate", []).append("Shadow comparisons need both backends.")
    _raise(errors)


def _route_save(route: Route) -> Route:
    try:
        with transaction.atomic():
            route.save()
    except IntegrityError as exc:  # a concurrent writer won the race after validation
        raise ValidationError(
            {"name": ["This team already has a route with this name, or a default route."]}
        ) from exc
    config_version_bump_on_commit()
    return route


@transaction.atomic
def route_create(
    *,
    team: Team,
    name: str,
    task_types: Any = (),
    is_default: bool = False,
    proprietary_backend: Backend | None = None,
    open_source_backend: Backend | None = None,
    open_source_share: int = 0,
    shadow_rate: Decimal = Decimal("0"),
    changed_by: User | AnonymousUser | None = None,
) -> Route:
    """Create a route. Its starting share is recorded as the first entry of its share history."""
    route = Route(
        team=team,
        name=(name or "").strip(),
        task_types=task_types_clean(list(task_types) if isinstance(task_types, tuple) else task_types),
        is_default=is_default,
        proprietary_backend=proprietary_backend,
        open_source_backend=open_source_backend,
        open_source_share=open_source_share,
        shadow_rate=shadow_rate,
    )
    _full_clean(route)
    _route_check(route)
    _route_save(route)
    ShareChange.objects.create(
        route=route,
        from_share=open_source_share,
        to_share=open_source_share,
        source=ShareSource.MANUAL,
        reason="Route created",
        changed_by=changed_by if isinstance(changed_by, User) else None,
    )
    return route


@transaction.atomic
def route_update(
    *,
    route: Route,
    changed_by: User | AnonymousUser | None = None,
    share_reason: str = "",
    **changes: Any,
) -> Route:
    """Change a route. A new ``open_source_share`` goes through ``route_set_share``, so it is recorded
    with who set it and why."""
    share = changes.pop("open_source_share", None)
    unknown = set(changes) - set(ROUTE_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in sorted(unknown)})
    locked = Route.objects.select_for_update().get(pk=route.pk)
    if "task_types" in changes:
        changes["task_types"] = task_types_clean(changes["task_types"])
    if isinstance(changes.get("name"), str):
        changes["name"] = changes["name"].strip()
    for field, value in changes.items():
        setattr(locked, field, value)
    if share is not None:
        locked.open_source_share = share
    _full_clean(locked, exclude=["team"])
    _route_check(locked)
    if share is not None:
        # Saved first with the current share; the share itself moves (and is recorded) below.
        locked.open_source_share = Route.objects.values_list("open_source_share", flat=True).get(pk=locked.pk)
    _route_save(locked)
    if share is not None:
        route_set_share(
            route=locked,
            share=share,
            reason=share_reason or "Set by hand",
            changed_by=changed_by,
        )
    for field in (*changes, "open_source_share", "updated_at"):
        setattr(route, field, getattr(locked, field))
    return route


@transaction.atomic
def route_delete(*, route: Route) -> None:
    route.delete()
    config_version_bump_on_commit()


@transaction.atomic
def route_set_share(
    *,
    route: Route,
    share: int,
    source: str = ShareSource.MANUAL,
    reason: str,
    changed_by: User | AnonymousUser | None = None,
    probe_round_id: int | None = None,
) -> ShareChange | None:
    """Set a route's open-source share and record the change; returns None when nothing changed.

    The route row is locked, so concurrent writers (an owner and a probe round) apply one after the
    other. A probe round changes a route at most once: a second delivery of the same round finds its
    change recorded and does nothing.
    """
    if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
        raise ValidationError({"open_source_share": ["The open-source share must be between 0 and 100 %."]})
    locked = Route.objects.select_for_update().get(pk=route.pk)
    if (
        probe_round_id is not None
        and ShareChange.objects.filter(route=locked, probe_round_id=probe_round_id).exists()
    ):
        return None
    if share > 0 and locked.open_source_backend_id is None:
        raise ValidationError(
            {"open_source_share": ["This route has no open-source backend to send traffic to."]}
        )
    if share < 100 and locked.proprietary_backend_id is None:
        raise ValidationError(
            {"open_source_share": ["This route has no proprietary backend for the rest of its traffic."]}
        )
    if locked.open_source_share == share:
        return None
    change = ShareChange.objects.create(
        route=locked,
        from_share=locked.open_source_share,
        to_share=share,
        source=source,
        reason=reason[:300],
        changed_by=changed_by if isinstance(changed_by, User) else None,
        probe_round_id=probe_round_id,
    )
    Route.objects.filter(pk=locked.pk).update(open_source_share=share)
    route.open_source_share = share
    config_version_bump_on_commit()
    return change


@transaction.atomic
def routing_defaults_create(
    *,
    team: Team,
    proprietary: Backend,
    open_source: Backend,
    changed_by: User | AnonymousUser | None = None,
) -> list[Route]:
    """The article's rule as routes: analysis, reasoning and creative go to the proprietary backend
    (open-source share 0 %), every other task type to the open-source one (the default route, 100 %).

    Both routes carry both backends, so a migration can later move either share.
    """
    complex_route = route_create(
        team=team,
        name=DEFAULT_COMPLEX_ROUTE,
        task_types=list(ARTICLE_COMPLEX_TASKS),
        proprietary_backend=proprietary,
        open_source_backend=open_source,
        open_source_share=0,
        changed_by=changed_by,
    )
    default_route = route_create(
        team=team,
        name=DEFAULT_ROUTE,
        is_default=True,
        proprietary_backend=proprietary,
        open_source_backend=open_source,
        open_source_share=100,
        changed_by=changed_by,
    )
    return [complex_route, default_route]


# --- Route this pair -----------------------------------------------------------------------------


def pair_route_name(open_source_name: str, proprietary_name: str) -> str:
    """A route name for a compared pair, e.g. ``llama-2-70b-or-gpt-4-turbo``."""
    return slugify(f"{open_source_name}-or-{proprietary_name}")[:60].strip("-") or "pair"


@transaction.atomic
def backend_create_for_model(
    *,
    team: Team,
    model: ModelOption,
    base_url: str,
    protocol: str = BackendProtocol.OPENAI,
    upstream_model: str = "",
    api_key: str | None = None,
    api_key_env: str = "",
) -> Backend:
    """A backend priced by a catalog model, named after it (made unique within the team)."""
    name, n = model.name[:70], 1
    while Backend.objects.filter(team=team, name=name).exists():
        n += 1
        name = f"{model.name[:70]} ({n})"
    return backend_create(
        team=team,
        name=name,
        kind=model.kind,
        protocol=protocol,
        base_url=base_url,
        upstream_model=upstream_model,
        catalog_model=model,
        api_key=api_key,
        api_key_env=api_key_env,
    )


# --- Budget --------------------------------------------------------------------------------------


@transaction.atomic
def budget_set(*, team: Team, monthly_limit_usd: Decimal | None) -> TeamBudget:
    """Set (or, with None, lift) the team's monthly spend limit on the gateway."""
    budget = TeamBudget.objects.select_for_update().filter(team=team).first() or TeamBudget(team=team)
    budget.monthly_limit_usd = monthly_limit_usd
    _full_clean(budget, exclude=["team"])
    budget.save()
    config_version_bump_on_commit()
    return budget
