from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from catalog.services import catalog_load_article_models, catalog_prices_refresh


class Command(BaseCommand):
    help = "Load the shipped catalog (the article's models) and fill missing API prices."

    def handle(self, *args: Any, **options: Any) -> None:
        created = catalog_load_article_models()
        self.stdout.write(
            f"Catalog: {len(created)} model(s) added" + (f": {', '.join(created)}" if created else "")
        )
        if created:
            from catalog.models import ModelOption

            report = catalog_prices_refresh(
                options=ModelOption.objects.filter(name__in=created, input_price_per_mtok__isnull=True)
            )
            for line in report.lines():
                self.stdout.write(f"  prices: {line}")
