"""The catalog's periodic tasks (installed by ``manage.py schedules_install``)."""

from __future__ import annotations

from catalog.tasks import REFRESH_PRICES
from portal.schedules import PeriodicTaskSpec


def periodic_tasks() -> list[PeriodicTaskSpec]:
    return [PeriodicTaskSpec(name="Refresh catalog API prices", task=REFRESH_PRICES, crontab="15 3 * * *")]
