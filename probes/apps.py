from __future__ import annotations

from django.apps import AppConfig


class ProbesConfig(AppConfig):
    name = "probes"
    verbose_name = "Quality probes and migration"
    nav_template = "probes/_nav.html"
