"""Celery tasks for probes, on the ``probes`` queue. Each takes ids (or a plain payload) and calls a
service. Delivery is at least once: ``acks_late`` with ``reject_on_worker_lost`` puts a message back
when its worker dies, and the services make a second delivery harmless."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from probes.models import RoundTrigger
from routing.models import Route

AT_LEAST_ONCE: dict[str, Any] = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "queue": "probes",
}


@shared_task(
    name="probes.run_round",
    soft_time_limit=settings.PROBES_ROUND_SOFT_LIMIT_S,
    time_limit=settings.PROBES_ROUND_SOFT_LIMIT_S + 30,
    **AT_LEAST_ONCE,
)
def run_round(round_id: int) -> str:
    from probes.models import ProbeRound
    from probes.services import migration_apply_probe_round, probe_round_fail, probe_round_run

    try:
        probe_round = probe_round_run(round_id=round_id)
    except ProbeRound.DoesNotExist:  # deleted with its route meanwhile: nothing left to do
        return "missing"
    except SoftTimeLimitExceeded:
        probe_round_fail(
            round_id=round_id, reason=f"The round took longer than {settings.PROBES_ROUND_SOFT_LIMIT_S} s."
        )
        return "failed"
    migration_apply_probe_round(round_id=probe_round.pk)
    return probe_round.status


@shared_task(name="probes.scheduled_round", soft_time_limit=60, time_limit=90, **AT_LEAST_ONCE)
def scheduled_round(route_id: int) -> int | None:
    """Beat's entry point (one PeriodicTask per migrating route): start this slot's round."""
    from probes.models import RouteMigration
    from probes.services import probe_round_start, schedule_slot_key

    route = Route.objects.select_related("team").filter(pk=route_id).first()
    migration = RouteMigration.objects.select_related("schedule__interval").filter(route_id=route_id).first()
    if route is None or migration is None:
        return None
    minutes = 15
    if migration.schedule is not None and migration.schedule.interval is not None:
        minutes = max(1, migration.schedule.interval.every)
    probe_round = probe_round_start(
        route=route, trigger=RoundTrigger.SCHEDULE, idempotency_key=schedule_slot_key(timezone.now(), minutes)
    )
    return probe_round.pk


@shared_task(name="probes.shadow_compare", soft_time_limit=120, time_limit=150, **AT_LEAST_ONCE)
def shadow_compare(payload: dict[str, Any]) -> int | None:
    """Send a sampled proprietary-served request to the route's open-source backend and score it."""
    from probes.shadow import shadow_compare_run

    result = shadow_compare_run(payload=payload)
    return result.pk if result is not None else None


@shared_task(name="probes.requeue_stale_rounds", soft_time_limit=60, time_limit=90, **AT_LEAST_ONCE)
def requeue_stale_rounds() -> int:
    """Beat's safety net for rounds whose message was lost (a broker without redelivery)."""
    from probes.services import probe_rounds_requeue_stale

    return len(probe_rounds_requeue_stale())
