from __future__ import annotations

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"
    # Shared reference data, not a team's: its pages live under /catalog/, not /t/<team>/.
    urls_prefix = "catalog/"
    site_nav_template = "catalog/_site_nav.html"
    home_template = "catalog/_home.html"
