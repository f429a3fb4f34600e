"""One shape for every API error, and clear answers when a dependency is down.

Every API error is a JSON object ``{"status": 400, "code": "invalid", "detail": "...", "errors": {}}``:
``errors`` holds the messages by field of a validation error (``non_field_errors`` for the rest),
and is empty otherwise. Field messages are nested, so a field may be called ``status`` or ``detail``.
Pages keep Django's HTML error pages, except that a database or broker outage is a 503 page that
says so instead of a generic 500.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import InterfaceError as DbInterfaceError
from django.db import OperationalError as DbOperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from kombu.exceptions import OperationalError as BrokerOperationalError

# Seconds a client is told to wait after a dependency outage.
OUTAGE_RETRY_AFTER = 5


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def error_body(status: int, code: str, detail: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"status": status, "code": code, "detail": detail, "errors": errors or {}}


def api_error_response(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(error_body(status, code, detail), status=status)


def outage_of(exc: BaseException | None) -> str | None:
    """Which dependency an exception says is down: 'database', 'broker' or None."""
    if isinstance(exc, DbOperationalError | DbInterfaceError):
        return "database"
    if isinstance(exc, BrokerOperationalError | ConnectionError):
        return "broker"
    return None


def outage_response(request: HttpRequest, dependency: str) -> HttpResponse:
    message = f"The {dependency} is unreachable at the moment; nothing was changed. Please retry shortly."
    response: HttpResponse
    if is_api_request(request):
        response = api_error_response(503, f"{dependency}_unavailable", message)
    else:
        # No request context: the page must render without the session or the user.
        page = loader.render_to_string("503.html", {"dependency": dependency, "message": message})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(OUTAGE_RETRY_AFTER)
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a dependency outage is a 503 with its name; anything else a plain 500."""
    dependency = outage_of(sys.exc_info()[1])
    if dependency is not None:
        return outage_response(request, dependency)
    if is_api_request(request):
        return api_error_response(500, "server_error", "Server error; it has been logged.")
    return defaults.server_error(request, template_name)


def bad_request(request: HttpRequest, exception: Exception, template_name: str = "400.html") -> HttpResponse:
    if is_api_request(request):
        return api_error_response(400, "bad_request", "Bad request.")
    return defaults.bad_request(request, exception, template_name)


def permission_denied(
    request: HttpRequest, exception: Exception, template_name: str = "403.html"
) -> HttpResponse:
    if is_api_request(request):
        return api_error_response(403, "permission_denied", str(exception) or "Permission denied.")
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(
    request: HttpRequest, exception: Exception, template_name: str = "404.html"
) -> HttpResponse:
    if is_api_request(request):
        return api_error_response(404, "not_found", "Not found.")
    return defaults.page_not_found(request, exception, template_name)
