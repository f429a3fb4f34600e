"""A route's migration: its policy settings, its schedule and the owner's controls."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from probes.models import (
    DEFAULT_PROBE_INTERVAL_MINUTES,
    RouteMigration,
)
from probes.policy import (
    PolicyMode,
    PolicySettings,
)
from routing.models import Route, ShareSource
from routing.services import route_set_share

SCHEDULED_TASK = "probes.scheduled_round"


def _schedule_for(route: Route, minutes: int) -> PeriodicTask:
    interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
    task, _ = PeriodicTask.objects.update_or_create(
        name=f"probes: route {route.pk} ({route.team.slug}/{route.name})"[:200],
        defaults={
            "task": SCHEDULED_TASK,
            "interval": interval,
            "kwargs": json.dumps({"route_id": route.pk}),
            "queue": "probes",
            "enabled": True,
        },
    )
    return task


MIGRATION_SETTINGS = (
    "target_share",
    "step",
    "threshold",
    "min_results",
    "error_limit",
    "max_failures",
    "policy_mode",
    "require_shadow",
)


@transaction.atomic
def migration_create(
    *, route: Route, interval_minutes: int = DEFAULT_PROBE_INTERVAL_MINUTES, **fields: Any
) -> RouteMigration:
    """Start migrating a route (idempotent): its policy, and probe rounds every ``interval_minutes``
    (django-celery-beat, editable in the admin)."""
    _interval_check(interval_minutes)
    existing = RouteMigration.objects.filter(route=route).first()
    if existing is not None:
        return existing
    migration = RouteMigration(team_id=route.team_id, route=route, last_good_share=route.open_source_share)
    for key, value in fields.items():
        if key not in MIGRATION_SETTINGS:
            raise ValidationError({key: ["Not a migration setting."]})
        setattr(migration, key, value)
    migration.full_clean(exclude=["schedule", "team", "route"])
    migration.schedule = _schedule_for(route, interval_minutes)
    migration.save()
    return migration


MAX_PROBE_INTERVAL_MINUTES = 7 * 24 * 60


def _interval_check(minutes: int | None) -> None:
    if minutes is not None and (
        isinstance(minutes, bool)
        or not isinstance(minutes, int)
        or not 1 <= minutes <= MAX_PROBE_INTERVAL_MINUTES
    ):
        raise ValidationError(
            {"interval_minutes": [f"Give a whole number of minutes from 1 to {MAX_PROBE_INTERVAL_MINUTES}."]}
        )


@transaction.atomic
def migration_update(
    *, migration: RouteMigration, interval_minutes: int | None = None, **fields: Any
) -> RouteMigration:
    """Change a migration's policy settings and, given ``interval_minutes``, how often its probe
    rounds run (the django-celery-beat schedule, re-enabled)."""
    _interval_check(interval_minutes)
    for key, value in fields.items():
        if key not in MIGRATION_SETTINGS:
            raise ValidationError({key: ["Not a migration setting."]})
        setattr(migration, key, value)
    migration.full_clean(exclude=["schedule", "team", "route"])
    if interval_minutes is not None:
        if migration.schedule is None:
            migration.schedule = _schedule_for(migration.route, interval_minutes)
        else:
            migration.schedule.interval, _ = IntervalSchedule.objects.get_or_create(
                every=interval_minutes, period=IntervalSchedule.MINUTES
            )
            migration.schedule.enabled = True
            migration.schedule.save(update_fields=["interval", "enabled"])
    migration.save()
    return migration


def _locked(migration: RouteMigration) -> RouteMigration:
    return RouteMigration.objects.select_for_update().select_related("route").get(pk=migration.pk)


@transaction.atomic
def migration_pause(*, migration: RouteMigration, user: User | AnonymousUser | None = None) -> RouteMigration:
    locked = _locked(migration)
    locked.paused = True
    locked.save(update_fields=["paused", "updated_at"])
    migration.paused = True
    return locked


@transaction.atomic
def migration_resume(
    *, migration: RouteMigration, user: User | AnonymousUser | None = None
) -> RouteMigration:
    locked = _locked(migration)
    locked.paused = False
    locked.consecutive_failures = 0
    locked.save(update_fields=["paused", "consecutive_failures", "updated_at"])
    migration.paused = False
    return locked


@transaction.atomic
def migration_set_share(
    *, migration: RouteMigration, share: int, user: User | AnonymousUser | None = None, reason: str = ""
) -> RouteMigration:
    """The owner sets the share by hand: it becomes the last good share (the owner vouches for it)."""
    locked = _locked(migration)
    route_set_share(
        route=locked.route,
        share=share,
        source=ShareSource.MANUAL,
        reason=reason.strip() or "Set by hand",
        changed_by=user,
    )
    locked.last_good_share = share
    locked.consecutive_failures = 0
    locked.save(update_fields=["last_good_share", "consecutive_failures", "updated_at"])
    return locked


@transaction.atomic
def migration_rollback(
    *, migration: RouteMigration, user: User | AnonymousUser | None = None, reason: str = ""
) -> RouteMigration:
    """All traffic back on the proprietary backend, and the migration paused until resumed."""
    locked = _locked(migration)
    route_set_share(
        route=locked.route,
        share=0,
        source=ShareSource.ROLLBACK,
        reason=reason.strip() or "Rolled back by hand; migration paused",
        changed_by=user,
    )
    locked.paused = True
    locked.last_good_share = 0
    locked.consecutive_failures = 0
    locked.save(update_fields=["paused", "last_good_share", "consecutive_failures", "updated_at"])
    return locked


def policy_settings(migration: RouteMigration) -> PolicySettings:
    return PolicySettings(
        mode=PolicyMode(migration.policy_mode),
        threshold=float(migration.threshold),
        min_results=migration.min_results,
        step=migration.step,
        target=migration.target_share,
        error_limit=float(migration.error_limit),
        max_failures=migration.max_failures,
        require_shadow=migration.require_shadow,
    )
