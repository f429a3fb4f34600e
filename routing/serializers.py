"""API shapes for routing. The backend's API key is accepted on write and never part of a response:
the output says only whether a key is set and where it comes from."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import ModelOption
from routing.models import Backend, BackendHealth, RequestLog, Route, ShareChange


@extend_schema_field(OpenApiTypes.INT)
class TeamBackendField(serializers.PrimaryKeyRelatedField):
    """A backend of the request's team, by id; another team's id reads as a missing one."""

    def get_queryset(self) -> Any:
        team = self.context.get("team")
        if team is None:
            return Backend.objects.none()
        return Backend.objects.filter(team=team)


class BackendHealthSerializer(serializers.ModelSerializer):
    class Meta:
        model = BackendHealth
        fields = ["breaker_state", "consecutive_failures", "last_error", "last_error_at", "last_success_at"]
        read_only_fields = fields


class BackendSerializer(serializers.ModelSerializer):
    api_key = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        max_length=2000,
        style={"input_type": "password"},
        help_text="Write-only. Stored encrypted and never returned; blank or absent keeps the stored key.",
    )
    clear_api_key = serializers.BooleanField(
        write_only=True, required=False, default=False, help_text="Remove the stored key (and variable name)."
    )
    catalog_model = serializers.PrimaryKeyRelatedField(
        queryset=ModelOption.objects.all(),
        allow_null=True,
        required=False,
        help_text="Catalog model whose prices (API) or GPU cost and throughput (self-hosted) price requests.",
    )
    has_api_key = serializers.BooleanField(read_only=True)
    health = BackendHealthSerializer(
        read_only=True, allow_null=True, help_text="The gateway's latest report; null before its first."
    )

    class Meta:
        model = Backend
        fields = [
            "id",
            "name",
            "kind",
            "protocol",
            "base_url",
            "upstream_model",
            "catalog_model",
            "connect_timeout_s",
            "timeout_s",
            "enabled",
            "api_key",
            "clear_api_key",
            "api_key_env",
            "has_api_key",
            "health",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "has_api_key", "health", "created_at", "updated_at"]
        # Uniqueness per team is checked by the service, which knows the team.
        validators: list[Any] = []


class RouteSerializer(serializers.ModelSerializer):
    task_types = serializers.ListField(
        child=serializers.CharField(max_length=60),
        required=False,
        max_length=50,
        help_text="Task types (lower-case slugs) this route serves; each in at most one route of the team.",
    )
    proprietary_backend = TeamBackendField(allow_null=True, required=False)
    open_source_backend = TeamBackendField(allow_null=True, required=False)
    open_source_share = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Percent of traffic sent to the open-source backend. A change is recorded in the "
        "route's share history with who made it.",
    )
    share_reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=300, help_text="Why the share changed."
    )

    class Meta:
        model = Route
        fields = [
            "id",
            "name",
            "task_types",
            "is_default",
            "proprietary_backend",
            "open_source_backend",
            "open_source_share",
            "share_reason",
            "shadow_rate",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []


class RouteShareSerializer(serializers.Serializer):
    open_source_share = serializers.IntegerField(min_value=0, max_value=100)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)


class ShareChangeSerializer(serializers.ModelSerializer):
    changed_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ShareChange
        fields = [
            "id",
            "changed_at",
            "changed_by",
            "source",
            "probe_round_id",
            "from_share",
            "to_share",
            "reason",
        ]
        read_only_fields = fields


class RouteDefaultsSerializer(serializers.Serializer):
    proprietary_backend = TeamBackendField()
    open_source_backend = TeamBackendField()


class RequestLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestLog
        fields = [
            "id",
            "created_at",
            "request_id",
            "route",
            "route_name",
            "backend",
            "backend_name",
            "backend_kind",
            "task_type",
            "stream",
            "fallback_used",
            "is_shadow",
            "status_code",
            "error",
            "latency_ms",
            "ttft_ms",
            "input_tokens",
            "output_tokens",
            "tokens_estimated",
            "cost_usd",
            "gpu_seconds",
        ]
        read_only_fields = fields


__all__ = [
    "BackendSerializer",
    "RequestLogSerializer",
    "RouteDefaultsSerializer",
    "RouteSerializer",
    "RouteShareSerializer",
    "ShareChangeSerializer",
]
