from __future__ import annotations

from celery import shared_task

from catalog.services import catalog_prices_refresh


@shared_task(name="catalog.refresh_prices")
def refresh_prices() -> str:
    """Scheduled by beat (daily): refresh API prices from genai-prices' bundled data."""
    return catalog_prices_refresh().summary()
