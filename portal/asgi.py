"""ASGI entry point: the gateway answers /v1/ and /api/route/, Django everything else.

The gateway is dispatched in front of Django so a production request never pays for Django's
middleware stack; it also owns the ASGI lifespan (Django has none): start-up loads its configuration
and starts its background tasks, shutdown writes the buffered request logs.
"""

from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

from portal.keepalive import KeepAliveRequestLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

django_application = get_asgi_application()

from routing.gateway.app import GatewayApp  # noqa: E402  (needs the apps loaded)

# Keep-alive clients reconnect after this many requests, so they spread over the workers again.
application = KeepAliveRequestLimit(
    GatewayApp(fallback=django_application),  # type: ignore[arg-type]
    max_requests=int(os.environ.get("WEB_KEEPALIVE_REQUESTS", "100")),
)

# Everything loaded at start-up lives for the whole process: move it out of the collector's reach so
# full collections stay short under load (the gc.freeze() recipe from the Python docs).
gc.collect()
gc.freeze()
