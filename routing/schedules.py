"""Routing's periodic tasks, installed by ``manage.py schedules_install``."""

from __future__ import annotations

from portal.schedules import PeriodicTaskSpec


def periodic_tasks() -> list[PeriodicTaskSpec]:
    return [
        # A few minutes past the hour, so the gateway's last batch of the hour has been written.
        PeriodicTaskSpec(
            name="Roll up the request log hourly", task="routing.rollup_requests", crontab="5 * * * *"
        ),
        PeriodicTaskSpec(
            name="Purge request logs past retention", task="routing.purge_request_logs", crontab="20 3 * * *"
        ),
    ]
