from __future__ import annotations

from celery import shared_task

from catalog.services import catalog_prices_refresh

REFRESH_PRICES = "catalog.refresh_prices"


# Reads bundled data and writes a row per changed price: seconds even for a large catalog.
@shared_task(name=REFRESH_PRICES, soft_time_limit=120, time_limit=150)
def refresh_prices() -> str:
    """Scheduled by beat (daily): refresh API prices from genai-prices' bundled data."""
    return catalog_prices_refresh().summary()
