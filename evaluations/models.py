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

from evaluations.costing import Usage
from evaluations.scoring import PRIORITIES, priority_weights
from portal.models import Team

MAX_DAILY_REQUESTS = 100_000_000
MAX_TOKENS_PER_REQUEST = 2_000_000
MAX_PEAK_CONCURRENT = 1_000_000


def validate_priorities(value: Any) -> None:
    """A priority list: a non-empty list of distinct known priorities, most important first.

    Errors use their own code: a field replaces the message of an error coded "invalid" with its
    generic one ("Value must be valid JSON.").
    """
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(
            "Priorities must be a list of names from: %(choices)s.",
            code="invalid_priorities",
            params={"choices": ", ".join(PRIORITIES)},
        )
    try:
        priority_weights(value)
    except ValueError as exc:
        raise ValidationError(str(exc), code="invalid_priorities") from exc


def _not_negative(label: str) -> MinValueValidator:
    return MinValueValidator(0, message=f"{label} cannot be negative.")


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
    daily_requests = models.IntegerField(
        validators=[
            _not_negative("Daily requests"),
            MaxValueValidator(MAX_DAILY_REQUESTS, message="Daily requests cannot exceed 100,000,000."),
        ],
    )
    avg_input_tokens = models.IntegerField(
        "average input tokens per request",
        validators=[
            _not_negative("Input tokens"),
            MaxValueValidator(
                MAX_TOKENS_PER_REQUEST, message="Input tokens per request cannot exceed 2,000,000."
            ),
        ],
    )
    avg_output_tokens = models.IntegerField(
        "average output tokens per request",
        validators=[
            _not_negative("Output tokens"),
            MaxValueValidator(
                MAX_TOKENS_PER_REQUEST, message="Output tokens per request cannot exceed 2,000,000."
            ),
        ],
    )
    peak_concurrent = models.IntegerField(
        "peak concurrent requests",
        validators=[
            MinValueValidator(1, message="Peak concurrent requests must be at least 1."),
            MaxValueValidator(
                MAX_PEAK_CONCURRENT, message="Peak concurrent requests cannot exceed 1,000,000."
            ),
        ],
    )
    days_per_month = models.IntegerField(
        default=30,
        validators=[
            MinValueValidator(1, message="Days per month must be between 1 and 31."),
            MaxValueValidator(31, message="Days per month must be between 1 and 31."),
        ],
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
                condition=models.Q(daily_requests__gte=0, daily_requests__lte=MAX_DAILY_REQUESTS),
                name="usage_daily_requests_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    avg_input_tokens__gte=0,
                    avg_input_tokens__lte=MAX_TOKENS_PER_REQUEST,
                    avg_output_tokens__gte=0,
                    avg_output_tokens__lte=MAX_TOKENS_PER_REQUEST,
                ),
                name="usage_tokens_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(peak_concurrent__gte=1, peak_concurrent__lte=MAX_PEAK_CONCURRENT),
                name="usage_peak_concurrent_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(days_per_month__gte=1, days_per_month__lte=31),
                name="usage_days_per_month_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_usage(self) -> Usage:
        return Usage(
            daily_requests=self.daily_requests,
            avg_input_tokens=self.avg_input_tokens,
            avg_output_tokens=self.avg_output_tokens,
            peak_concurrent=self.peak_concurrent,
            days_per_month=self.days_per_month,
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
    snapshot = models.JSONField(default=dict)
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
