"""Quality probes, probe rounds and their results, and each route's migration state.

A route's *suite* holds its *probes* (a prompt or chat messages, a task type and weighted checks,
see ``probes.checks``). A *round* runs every enabled probe against both of the route's backends and
records one *result* per probe and backend; shadow comparisons of real traffic are results too
(``is_shadow``, no round). A route's *migration* holds the policy settings and the state the policy
(``probes.policy``) moves: the share itself lives on ``routing.Route`` and every change of it is a
``routing.ShareChange``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_celery_beat.models import PeriodicTask

from catalog.models import ModelKind
from portal.models import Team
from routing.models import SHARE_VALIDATORS, Backend, Route

DEFAULT_PROBE_INTERVAL_MINUTES = 15


class ProbeSuite(models.Model):
    """The probes of one route (one suite per route)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="probe_suites")
    route = models.OneToOneField(Route, on_delete=models.CASCADE, related_name="probe_suite")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Probe(models.Model):
    suite = models.ForeignKey(ProbeSuite, on_delete=models.CASCADE, related_name="probes")
    name = models.CharField(max_length=120)
    prompt = models.TextField(blank=True, help_text="A single user message; or give chat messages.")
    messages = models.JSONField(default=list, blank=True, help_text="OpenAI-style chat messages.")
    task_type = models.CharField(max_length=60, blank=True)
    checks = models.JSONField(default=list, help_text="Weighted typed checks (see probes.checks).")
    max_tokens = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(32_000)])
    position = models.PositiveIntegerField(default=0)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["suite", "name"], name="unique_probe_name_per_suite")]

    def __str__(self) -> str:
        return self.name

    def chat_messages(self) -> list[dict[str, str]]:
        if self.messages:
            return list(self.messages)
        return [{"role": "user", "content": self.prompt}]


class PolicyModeChoice(models.TextChoices):
    STATISTICAL = "statistical", "Statistical (Wilson lower bound, minimum results)"
    ARTICLE = "article", "Article (mean at or above the threshold, no minimum)"


class RouteMigration(models.Model):
    """A route's move of traffic toward its open-source backend, and the policy that moves it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="probe_migrations")
    route = models.OneToOneField(Route, on_delete=models.CASCADE, related_name="migration")
    target_share = models.PositiveSmallIntegerField(
        "target share (%)", default=100, validators=SHARE_VALIDATORS
    )
    step = models.PositiveSmallIntegerField(
        "step (points)", default=10, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    threshold = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.85"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    min_results = models.PositiveIntegerField(default=20, validators=[MaxValueValidator(10_000)])
    error_limit = models.DecimalField(
        "error rate limit",
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.2"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    max_failures = models.PositiveSmallIntegerField(
        "failures before 0 %", default=3, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    policy_mode = models.CharField(
        max_length=12, choices=PolicyModeChoice.choices, default=PolicyModeChoice.STATISTICAL
    )
    require_shadow = models.BooleanField(default=False)
    paused = models.BooleanField(default=False)
    last_good_share = models.PositiveSmallIntegerField(default=0, validators=SHARE_VALIDATORS)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    stop_reason = models.CharField(
        max_length=300, blank=True, help_text="Why probes are not running (e.g. the team's budget is spent)."
    )
    schedule = models.OneToOneField(
        PeriodicTask, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["route__name"]

    def __str__(self) -> str:
        return f"migration of {self.route}"


class RoundStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    STOPPED = "stopped", "Stopped"
    FAILED = "failed", "Failed"


class RoundTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run by hand"


class ProbeRound(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="probe_rounds")
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="probe_rounds")
    idempotency_key = models.CharField(
        max_length=80, help_text="One round per key: a schedule slot or a request, however often delivered."
    )
    trigger = models.CharField(max_length=10, choices=RoundTrigger.choices, default=RoundTrigger.MANUAL)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.QUEUED)
    stop_reason = models.CharField(max_length=300, blank=True)
    total_calls = models.PositiveIntegerField(default=0)
    done_calls = models.PositiveIntegerField(default=0)
    error_calls = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, default=Decimal("0"))
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Deliveries that started running it.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Filled when the round is applied to the migration (once, see migration_apply_probe_round).
    applied_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=12, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    share_before = models.PositiveSmallIntegerField(null=True, blank=True)
    share_after = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="Per-backend mean, interval, n, errors.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "idempotency_key"], name="one_probe_round_per_key")
        ]

    def __str__(self) -> str:
        return f"round {self.pk} of {self.route}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RoundStatus.DONE, RoundStatus.STOPPED, RoundStatus.FAILED)

    @property
    def progress_percent(self) -> int:
        return round(100 * self.done_calls / self.total_calls) if self.total_calls else 0


class ProbeResult(models.Model):
    """One backend's answer to one probe in a round, or one shadow comparison of a real request."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(
        ProbeRound, on_delete=models.CASCADE, null=True, blank=True, related_name="results"
    )
    probe = models.ForeignKey(Probe, on_delete=models.SET_NULL, null=True, blank=True, related_name="results")
    probe_name = models.CharField(max_length=120, blank=True)
    backend = models.ForeignKey(Backend, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    backend_name = models.CharField(max_length=80, blank=True)
    backend_kind = models.CharField(max_length=12, choices=ModelKind.choices)
    is_shadow = models.BooleanField(default=False)
    request_id = models.CharField(max_length=40, blank=True, help_text="The shadowed gateway request.")
    output = models.TextField(blank=True)
    check_outcomes = models.JSONField(default=list, blank=True)
    score = models.FloatField(
        null=True, blank=True, help_text="Weighted pass fraction; empty when no check applied."
    )
    latency_ms = models.PositiveIntegerField(default=0)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=8, default=Decimal("0"))
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["probe_name", "backend_kind", "id"]
        constraints = [
            # A redelivered round resumes: each probe is answered once per backend kind.
            models.UniqueConstraint(
                fields=["round", "probe", "backend_kind"],
                condition=models.Q(round__isnull=False),
                name="one_result_per_probe_backend_round",
            ),
            models.UniqueConstraint(
                fields=["route", "request_id"],
                condition=models.Q(is_shadow=True),
                name="one_shadow_result_per_request",
            ),
        ]
        indexes = [
            models.Index(fields=["route", "is_shadow", "-created_at"], name="proberesult_route_recent")
        ]

    def __str__(self) -> str:
        return f"{self.probe_name} @ {self.backend_name}: {self.score}"
