from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

# Everything loaded at start-up lives for the whole process: move it out of the collector's reach so
# full collections stay short under load (the gc.freeze() recipe from the Python docs).
gc.collect()
gc.freeze()
