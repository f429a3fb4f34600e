from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.health import readiness


class Command(BaseCommand):
    help = "Check the database, migrations and broker as /readyz does; exit 1 when one is not ready."

    def handle(self, *args: Any, **options: Any) -> None:
        checks = readiness()
        for name, state in checks.items():
            self.stdout.write(f"{name}: {state}")
        if any(state != "ok" for state in checks.values()):
            raise CommandError("not ready")
