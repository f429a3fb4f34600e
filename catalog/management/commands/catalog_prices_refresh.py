from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from catalog.models import ModelOption
from catalog.services import catalog_prices_refresh


class Command(BaseCommand):
    help = "Import or refresh API prices from genai-prices' bundled data and report what changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("names", nargs="*", help="Catalog model names (default: all).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also replace prices from the article or entered by hand.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        qs = ModelOption.objects.all()
        if options["names"]:
            qs = qs.filter(name__in=options["names"])
            missing = set(options["names"]) - set(qs.values_list("name", flat=True))
            for name in sorted(missing):
                self.stderr.write(f"not in the catalog: {name}")
        report = catalog_prices_refresh(options=qs, force=options["force"])
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(report.summary()))
