"""Routing in the admin console. A backend's key is never shown: not as a field, not in a list;
staff set it through the team's pages or the API. Logs and rollups are records: read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from routing.models import Backend, BackendHealth, RequestLog, RequestRollup, Route, ShareChange, TeamBudget


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Backend)
class BackendAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "team", "kind", "protocol", "base_url", "catalog_model", "enabled", "has_api_key"]
    list_filter = ["team", "kind", "protocol", "enabled"]
    list_select_related = ["team", "catalog_model"]
    search_fields = ["name", "team__name", "base_url", "upstream_model"]
    # api_key_encrypted is not editable and not listed here, so it is never rendered.
    fields = [
        "team",
        "name",
        "kind",
        "protocol",
        "base_url",
        "upstream_model",
        "catalog_model",
        "connect_timeout_s",
        "timeout_s",
        "enabled",
        "api_key_env",
        "has_api_key",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["has_api_key", "created_at", "updated_at"]

    @admin.display(boolean=True, description="key set")
    def has_api_key(self, obj: Backend) -> bool:
        return obj.has_api_key


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "team",
        "is_default",
        "task_types",
        "proprietary_backend",
        "open_source_backend",
        "open_source_share",
        "shadow_rate",
    ]
    list_filter = ["team", "is_default"]
    list_select_related = ["team", "proprietary_backend", "open_source_backend"]
    search_fields = ["name", "team__name"]
    # The share moves through the team's pages or the API, so every change is recorded.
    readonly_fields = ["open_source_share", "created_at", "updated_at"]


@admin.register(ShareChange)
class ShareChangeAdmin(_ReadOnlyAdmin):
    list_display = ["changed_at", "route", "from_share", "to_share", "source", "changed_by", "reason"]
    list_filter = ["source", "route__team"]
    list_select_related = ["route", "changed_by"]
    date_hierarchy = "changed_at"


@admin.register(TeamBudget)
class TeamBudgetAdmin(admin.ModelAdmin):
    list_display = ["team", "monthly_limit_usd", "updated_at"]
    list_select_related = ["team"]


@admin.register(RequestLog)
class RequestLogAdmin(_ReadOnlyAdmin):
    list_display = [
        "created_at",
        "team",
        "task_type",
        "route_name",
        "backend_name",
        "status_code",
        "latency_ms",
        "input_tokens",
        "output_tokens",
        "cost_usd",
        "fallback_used",
        "is_shadow",
    ]
    list_filter = ["team", "status_code", "is_shadow", "fallback_used", "backend_kind"]
    list_select_related = ["team"]
    search_fields = ["request_id", "route_name", "backend_name", "task_type"]
    date_hierarchy = "created_at"


@admin.register(RequestRollup)
class RequestRollupAdmin(_ReadOnlyAdmin):
    list_display = [
        "hour",
        "team",
        "route_name",
        "backend_name",
        "task_type",
        "is_shadow",
        "requests",
        "errors",
        "cost_usd",
    ]
    list_filter = ["team", "is_shadow", "backend_kind"]
    list_select_related = ["team"]
    date_hierarchy = "hour"


@admin.register(BackendHealth)
class BackendHealthAdmin(_ReadOnlyAdmin):
    list_display = ["backend", "breaker_state", "consecutive_failures", "last_error_at", "last_success_at"]
    list_select_related = ["backend"]
