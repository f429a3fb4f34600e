"""Periodic tasks: each app lists its own (``<app>/schedules.py``: ``periodic_tasks()``), and
``schedules_install`` puts them all in beat's database schedule (django-celery-beat), idempotently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from portal.hooks import app_hook_module, project_apps

QUEUES: tuple[str, ...] = ("default", "probes")


@dataclass(frozen=True)
class PeriodicTaskSpec:
    """One periodic task. ``crontab`` is five fields, minute hour day-of-month month day-of-week, in
    UTC (e.g. ``"15 3 * * *"``: daily at 03:15); or ``interval_seconds`` instead. Exactly one."""

    name: str
    task: str
    crontab: str | None = None
    interval_seconds: int | None = None
    queue: str = "default"
    kwargs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.crontab is None) == (self.interval_seconds is None):
            raise ValueError(f"{self.name}: give exactly one of crontab or interval_seconds.")
        if self.crontab is not None and len(self.crontab.split()) != 5:
            raise ValueError(f"{self.name}: crontab needs five fields, got {self.crontab!r}.")
        if self.interval_seconds is not None and self.interval_seconds < 1:
            raise ValueError(f"{self.name}: interval_seconds must be at least 1.")
        if self.queue not in QUEUES:
            raise ValueError(f"{self.name}: queue must be one of {', '.join(QUEUES)}.")


def periodic_task_specs() -> list[PeriodicTaskSpec]:
    """Every app's periodic tasks, in ``INSTALLED_APPS`` order."""
    specs: list[PeriodicTaskSpec] = []
    for config in project_apps():
        module = app_hook_module(config, "schedules")
        if module is not None:
            specs += module.periodic_tasks()
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"Periodic task names must be unique: {', '.join(duplicates)}.")
    return specs


@transaction.atomic
def schedules_install(specs: list[PeriodicTaskSpec] | None = None) -> list[str]:
    """Create or update each task in beat's schedule by name; returns one line per task that changed
    (empty on a second run). A task staff disabled in the admin stays disabled."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    lines: list[str] = []
    for spec in periodic_task_specs() if specs is None else specs:
        crontab = interval = None
        if spec.crontab is not None:
            minute, hour, day_of_month, month_of_year, day_of_week = spec.crontab.split()
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute,
                hour=hour,
                day_of_month=day_of_month,
                month_of_year=month_of_year,
                day_of_week=day_of_week,
                timezone="UTC",
            )
        else:
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=spec.interval_seconds, period=IntervalSchedule.SECONDS
            )
        wanted = {
            "task": spec.task,
            "crontab": crontab,
            "interval": interval,
            "queue": spec.queue,
            "kwargs": json.dumps(spec.kwargs, sort_keys=True),
        }
        task = PeriodicTask.objects.filter(name=spec.name).first()
        if task is None:
            PeriodicTask.objects.create(name=spec.name, **wanted)
            lines.append(f"Scheduled {spec.name} ({spec.task}).")
            continue
        changed = [name for name, value in wanted.items() if getattr(task, name) != value]
        if changed:
            for name in changed:
                setattr(task, name, wanted[name])
            task.save()
            lines.append(f"Updated {spec.name}: {', '.join(changed)}.")
    return lines
