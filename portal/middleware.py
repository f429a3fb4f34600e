from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control

from portal import health
from portal.errors import api_error_response, is_api_request

# Answered before any other middleware: no host check, HTTPS redirect, session or sign-in, so a
# container healthcheck on plain HTTP from inside the container gets the real answer.
HEALTH_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
}


class HealthAndLimitsMiddleware:
    """Health endpoints first; then an API body over the size limit is a JSON 413 before it is read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        view = HEALTH_VIEWS.get(request.path_info.rstrip("/"))
        if view is not None:
            response = view(request)
            response["Cache-Control"] = "no-store"
            return response
        if is_api_request(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return api_error_response(400, "bad_request", "Content-Length is not a number.")
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return api_error_response(
                    413, "payload_too_large", f"The request body is over the limit of {limit} bytes."
                )
        return self.get_response(request)


class ResponseHeadersMiddleware:
    """Every dynamic response: the Content-Security-Policy, and ``Cache-Control: no-store`` (team
    pages, token secrets and API answers are private to one user; nothing here is shareable)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        patch_cache_control(response, no_store=True, private=True)
        return response


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a signed-in user, except the API: it authenticates itself (session or team
    token) and answers 401/403 in JSON instead of redirecting to the sign-in page."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
