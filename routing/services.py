"""Writes for routing: backends, routes, the open-source share and budgets.

Every write that changes what the gateway holds in memory bumps ``ConfigVersion`` in the same
transaction, so each gateway process reloads its snapshot within its polling interval.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from routing.models import ConfigVersion, Route, ShareChange, ShareSource


def config_version_bump() -> None:
    """Tell every gateway process that its configuration snapshot is stale."""
    updated = ConfigVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        try:
            with transaction.atomic():
                ConfigVersion.objects.create(pk=1, version=1)
        except IntegrityError:  # created meanwhile by another writer
            ConfigVersion.objects.filter(pk=1).update(version=F("version") + 1)


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
    if not 0 <= share <= 100:
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
    config_version_bump()
    return change
