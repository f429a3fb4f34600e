"""Team-owned decision inputs (priority profiles, usage patterns) and saved evaluations.

Bounds live on the model fields so the admin, the page forms and the API refuse the same values with
the same messages: every write goes through ``full_clean`` in ``evaluations.services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.fields.json import KeyTransform

from catalog.vocabulary import PRIORITIES
from evaluations.costing import DEFAULT_DAYS_PER_MONTH, USAGE_FIELDS, USAGE_LIMITS, Usage
from evaluations.scoring import priority_weights
from evaluations.snapshots import snapshot_upgrade
from portal.models import Team


def validate_priorities(value: Any) -> None:
    """A priority list: a non-empty list of distinct known priorities, most important first.

    Errors use their own code: a field replaces the message of an error coded "invalid" with its
    generic one ("Value must be valid JSON.").
    """
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(
            "Priorities must be a list of names from: %(choices)s.",
            code="invalid_priorities",
            params={"choices": ", ".join(repr(p) for p in PRIORITIES)},
        )
    try:
        priority_weights(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_priorities") from exc


class SnapshotField(models.JSONField):
    """A saved evaluation's results as JSON; read back in the current shape, whatever version it was
    saved in (``evaluations.snapshots.snapshot_upgrade``)."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        data = super().from_db_value(value, expression, connection)
        if isinstance(expression, KeyTransform) or not isinstance(data, dict) or not data:
            return data  # a key looked up inside a snapshot, or nothing saved yet
        return snapshot_upgrade(data)


def _usage_validators(name: str) -> list[MinValueValidator | MaxValueValidator]:
    limit = USAGE_LIMITS[name]
    return [
        MinValueValidator(limit.minimum, message=limit.too_low),
        MaxValueValidator(limit.maximum, message=limit.too_high),
    ]


def _in_range(*names: str) -> models.Q:
    bounds: dict[str, int] = {}
    for name in names:
        bounds[f"{name}__gte"] = USAGE_LIMITS[name].minimum
        bounds[f"{name}__lte"] = USAGE_LIMITS[name].maximum
    return models.Q(**bounds)


class PriorityProfile(models.Model):
    """A named, ordered list of priorities: the first weighs 1, the second 1/2, and so on."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="priority_profiles")
    name = models.CharField(max_length=80)
    priorities = models.JSONField(
        default=list,
        validators=[validate_priorities],
        error_messages={"blank": "At least one priority is required."},
        help_text=f"Most important first; distinct names from: {', '.join(PRIORITIES)}.",
    )
    default_usage_pattern = models.ForeignKey(
        "UsagePattern",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Traffic a recommendation with this profile prices models at, unless another is chosen.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="unique_profile_name_per_team")]

    def __str__(self) -> str:
        return self.name


class UsagePattern(models.Model):
    """Expected traffic for pricing models: requests per day, tokens per request, peak load."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="usage_patterns")
    name = models.CharField(max_length=80)
    daily_requests = models.IntegerField(validators=_usage_validators("daily_requests"))
    avg_input_tokens = models.IntegerField(
        "average input tokens per request", validators=_usage_validators("avg_input_tokens")
    )
    avg_output_tokens = models.IntegerField(
        "average output tokens per request", validators=_usage_validators("avg_output_tokens")
    )
    peak_concurrent = models.IntegerField(
        "peak concurrent requests", validators=_usage_validators("peak_concurrent")
    )
    days_per_month = models.IntegerField(
        default=DEFAULT_DAYS_PER_MONTH, validators=_usage_validators("days_per_month")
    )
    shut_down_idle_days = models.BooleanField(
        "shut self-hosted instances down on idle days",
        default=True,
        help_text="On: GPU hours follow the days per month. Off: instances run the whole month. "
        "Operations labour is monthly either way.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="unique_usage_pattern_name_per_team"),
            # The same bounds in the database, for writes that bypass full_clean.
            models.CheckConstraint(
                condition=_in_range("daily_requests"), name="usage_daily_requests_in_range"
            ),
            models.CheckConstraint(
                condition=_in_range("avg_input_tokens", "avg_output_tokens"), name="usage_tokens_in_range"
            ),
            models.CheckConstraint(
                condition=_in_range("peak_concurrent"), name="usage_peak_concurrent_in_range"
            ),
            models.CheckConstraint(
                condition=_in_range("days_per_month"), name="usage_days_per_month_in_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_usage(self) -> Usage:
        return Usage(
            **{name: getattr(self, name) for name in USAGE_FIELDS},
            shut_down_idle_days=self.shut_down_idle_days,
        )


class Evaluation(models.Model):
    """A saved decision: its inputs and a snapshot of the results at that moment.

    The snapshot is what the team saw; later catalog edits or profile changes do not rewrite it.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="evaluations")
    name = models.CharField(max_length=120)
    profile = models.ForeignKey(
        PriorityProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluations"
    )
    usage_pattern = models.ForeignKey(
        UsagePattern, on_delete=models.SET_NULL, null=True, blank=True, related_name="evaluations"
    )
    priorities = models.JSONField(
        default=list,
        validators=[validate_priorities],
        error_messages={"blank": "At least one priority is required."},
    )
    requirements = models.JSONField(default=dict, blank=True)
    snapshot = SnapshotField(default=dict)
    top_pick = models.CharField(max_length=120, blank=True, help_text="The first-ranked model when saved.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"])]

    def __str__(self) -> str:
        return self.name
