from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from portal.schedules import periodic_task_specs, schedules_install


class Command(BaseCommand):
    help = "Install every app's periodic tasks in beat's schedule (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        specs = periodic_task_specs()
        for line in schedules_install(specs):
            self.stdout.write(line)
        self.stdout.write(f"Periodic tasks: {len(specs)} installed and up to date.")
