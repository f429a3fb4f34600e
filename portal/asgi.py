from __future__ import annotations

import gc
import os

from django.core.asgi import get_asgi_application

from portal.keepalive import KeepAliveRequestLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

django_application = get_asgi_application()

# Keep-alive clients reconnect after this many requests, so they spread over the workers again.
application = KeepAliveRequestLimit(
    django_application, max_requests=int(os.environ.get("WEB_KEEPALIVE_REQUESTS", "100"))
)

# Everything loaded at start-up lives for the whole process: move it out of the collector's reach so
# full collections stay short under load (the gc.freeze() recipe from the Python docs).
gc.collect()
gc.freeze()
