from __future__ import annotations

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "routing"
    nav_template = "routing/_nav.html"

    def ready(self) -> None:
        from routing import signals

        signals.connect()
