"""The data plane alone: ``uvicorn routing.gateway.asgi:application`` serves only the gateway's paths
(and ``/health``), so production traffic never competes with the portal's pages for a worker."""

from __future__ import annotations

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from routing.gateway.app import GatewayApp  # noqa: E402  (needs the apps loaded)

application = GatewayApp()

gc.collect()
gc.freeze()
