"""The hybrid router's configuration and its traffic record.

A team's *backends* are the upstream endpoints it can send a chat request to; its *routes* map task
types to a pair of backends (one proprietary, one open source) and the share of traffic the open-source
one receives. Every request the gateway serves becomes a ``RequestLog`` row (kept for a configurable
number of days) and is folded into hourly ``RequestRollup`` rows (kept for good).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from catalog.models import ModelKind, ModelOption
from portal.models import Team

SHARE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
MAX_SHADOW_RATE = Decimal("0.10")


class BackendProtocol(models.TextChoices):
    OPENAI = "openai", "OpenAI-compatible (/v1/chat/completions)"
    SIMPLE_JSON = "simple-json", 'Simple JSON ({"prompt"} -> {"text"})'


class Backend(models.Model):
    """An upstream model endpoint of a team. The API key is write-only: stored encrypted or named by an
    environment variable, and never rendered anywhere."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="routing_backends")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=ModelKind.choices)
    protocol = models.CharField(
        max_length=12, choices=BackendProtocol.choices, default=BackendProtocol.OPENAI
    )
    base_url = models.URLField(
        "base URL",
        max_length=300,
        help_text="For OpenAI-compatible servers the URL that ends before /chat/completions, "
        "e.g. https://api.openai.com/v1; for simple JSON the full URL to POST to.",
    )
    upstream_model = models.CharField(
        "upstream model name", max_length=200, blank=True, help_text="The model name sent upstream."
    )
    catalog_model = models.ForeignKey(
        ModelOption,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The catalog model whose API prices (or GPU cost and throughput) price its requests.",
    )
    connect_timeout_s = models.DecimalField(
        "connect timeout (s)",
        max_digits=6,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("60"))],
    )
    timeout_s = models.DecimalField(
        "total timeout (s)",
        max_digits=6,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("600"))],
    )
    enabled = models.BooleanField(default=True)
    api_key_encrypted = models.TextField(blank=True, editable=False)
    api_key_env = models.CharField(
        "API key environment variable",
        max_length=100,
        blank=True,
        help_text="Name of a gateway environment variable holding the key, instead of a stored key.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_backend_name_per_team")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_api_key(self) -> bool:
        return bool(self.api_key_encrypted or self.api_key_env)


class Route(models.Model):
    """Task types -> a proprietary and an open-source backend, split by ``open_source_share`` percent.

    A team has at most one default route, which catches unknown or missing task types.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="routing_routes")
    name = models.SlugField(max_length=60, help_text="Callers may send it as the request's model.")
    task_types = models.JSONField(default=list, blank=True, help_text="Task types this route serves.")
    is_default = models.BooleanField("default route", default=False)
    proprietary_backend = models.ForeignKey(
        Backend, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    open_source_backend = models.ForeignKey(
        Backend, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    open_source_share = models.PositiveSmallIntegerField(
        "open-source share (%)", default=0, validators=SHARE_VALIDATORS
    )
    shadow_rate = models.DecimalField(
        "shadow sample rate",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_SHADOW_RATE)],
        help_text="Fraction (0 to 0.10) of proprietary-served requests also sent to the open-source "
        "backend off the request path, to compare answers.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_route_name_per_team"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(is_default=True), name="one_default_route_per_team"
            ),
            models.CheckConstraint(
                condition=models.Q(open_source_share__gte=0, open_source_share__lte=100),
                name="route_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShareSource(models.TextChoices):
    MANUAL = "manual", "Set by hand"
    MIGRATION = "migration", "Migration step"
    ROLLBACK = "rollback", "Rollback"


class ShareChange(models.Model):
    """One change of a route's open-source share: when, who or which probe round, from, to and why."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="share_changes")
    changed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=10, choices=ShareSource.choices)
    probe_round_id = models.BigIntegerField(
        null=True, blank=True, help_text="The probe round that caused it."
    )
    from_share = models.PositiveSmallIntegerField(validators=SHARE_VALIDATORS)
    to_share = models.PositiveSmallIntegerField(validators=SHARE_VALIDATORS)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            # A probe round changes a route's share at most once, however often it is delivered.
            models.UniqueConstraint(
                fields=["route", "probe_round_id"],
                condition=models.Q(probe_round_id__isnull=False),
                name="one_share_change_per_probe_round",
            )
        ]

    def __str__(self) -> str:
        return f"{self.route}: {self.from_share}% -> {self.to_share}%"


class TeamBudget(models.Model):
    """A team's monthly spend limit on the gateway (calendar month, UTC). Empty limit: no limit."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing_budget")
    monthly_limit_usd = models.DecimalField(
        "monthly limit (USD)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.team}: {self.monthly_limit_usd or 'no limit'}"


class RequestLog(models.Model):
    """One request the gateway served (or refused after authentication), or one shadow call."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)
    request_id = models.CharField(max_length=40, blank=True)
    route = models.ForeignKey(Route, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    route_name = models.CharField(max_length=60, blank=True)
    backend = models.ForeignKey(Backend, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    backend_name = models.CharField(max_length=80, blank=True)
    backend_kind = models.CharField(max_length=12, choices=ModelKind.choices, blank=True)
    task_type = models.CharField(max_length=60, blank=True)
    stream = models.BooleanField(default=False)
    fallback_used = models.BooleanField(default=False)
    is_shadow = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField()
    error = models.CharField(max_length=300, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    ttft_ms = models.PositiveIntegerField("time to first token (ms)", null=True, blank=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    tokens_estimated = models.BooleanField(default=False)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, default=Decimal("0"))
    gpu_seconds = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="requestlog_team_recent")]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.route_name} -> {self.backend_name} {self.status_code}"
        )


class RequestRollup(models.Model):
    """Hourly totals per team, route, backend and task type: they feed the charts and outlive raw logs."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    route_name = models.CharField(max_length=60, blank=True)
    backend_name = models.CharField(max_length=80, blank=True)
    backend_kind = models.CharField(max_length=12, choices=ModelKind.choices, blank=True)
    task_type = models.CharField(max_length=60, blank=True)
    is_shadow = models.BooleanField(default=False)
    requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    fallbacks = models.PositiveIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=16, decimal_places=8, default=Decimal("0"))
    gpu_seconds = models.DecimalField(max_digits=16, decimal_places=4, default=Decimal("0"))
    latency_ms_sum = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "hour", "route_name", "backend_name", "task_type", "is_shadow"],
                name="unique_rollup_bucket",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.hour:%Y-%m-%d %H:00} {self.route_name}/{self.backend_name}"


class ConfigVersion(models.Model):
    """One row whose number goes up whenever anything the gateway holds in memory changes (tokens,
    backends, routes, budgets, catalog prices); the gateway polls it cheaply and reloads."""

    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"gateway configuration v{self.version}"


class BreakerState(models.TextChoices):
    CLOSED = "closed", "Healthy"
    OPEN = "open", "Skipped (cooling down)"
    HALF_OPEN = "half_open", "Trying again"


class BackendHealth(models.Model):
    """The gateway's latest view of a backend, published by its log writer so the portal can show it.
    Breakers are per gateway process; this row holds the most recent report from any of them."""

    backend = models.OneToOneField(Backend, on_delete=models.CASCADE, related_name="health")
    breaker_state = models.CharField(max_length=10, choices=BreakerState.choices, default=BreakerState.CLOSED)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.backend}: {self.breaker_state}"
