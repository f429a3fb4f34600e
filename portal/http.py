"""Request types for views."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that has been through ``django_htmx.middleware.HtmxMiddleware`` (every request here)."""

    htmx: HtmxDetails
