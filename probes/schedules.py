"""Probes' periodic tasks, installed by ``manage.py schedules_install``.

Each migrating route has its own schedule too (``probes.scheduled_round``, every 15 minutes by
default), created with its migration and editable in the admin under Periodic tasks.
"""

from __future__ import annotations

from portal.schedules import PeriodicTaskSpec


def periodic_tasks() -> list[PeriodicTaskSpec]:
    return [
        PeriodicTaskSpec(
            name="Enqueue lost probe rounds again",
            task="probes.requeue_stale_rounds",
            interval_seconds=300,
            queue="probes",
        ),
    ]
