"""The model catalog: shared reference data on each model option, edited by staff."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from catalog import vocabulary
from catalog.vocabulary import (
    DEFAULT_SCORE,
    PRIORITIES,
    SCORE_MAX,
    SCORE_MIN,
    score_field,
    score_range_text,
)

SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
NON_NEGATIVE = [MinValueValidator(Decimal("0"))]


class ModelKind(models.TextChoices):
    OPEN_SOURCE = vocabulary.OPEN_SOURCE, vocabulary.KIND_LABELS[vocabulary.OPEN_SOURCE]
    PROPRIETARY = vocabulary.PROPRIETARY, vocabulary.KIND_LABELS[vocabulary.PROPRIETARY]


class FineTuning(models.TextChoices):
    NONE = "none", "No"
    LIMITED = "limited", "Limited"
    FULL = "full", "Full"


class FunctionCalling(models.TextChoices):
    NATIVE = "native", "Yes"
    PROMPTING = "prompting", "Via prompting"
    NONE = "none", "No"


class DataPrivacy(models.TextChoices):
    API_ONLY = "api_only", "API only"
    FULL_CONTROL = "full_control", "Full control"


class LatencyControl(models.TextChoices):
    LIMITED = "limited", "Limited"
    FULL = "full", "Full control"


def _score_field(label: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text=(
            f"{score_range_text()}. Empty means no score: "
            f"it counts as {DEFAULT_SCORE} and is shown as default."
        ),
    )


class ModelOption(models.Model):
    name = models.CharField(max_length=120, unique=True)
    provider = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=12, choices=ModelKind.choices)
    is_active = models.BooleanField("active", default=True)
    notes = models.TextField(blank=True)

    # Scores on the six priorities (catalog.vocabulary: range and default).
    score_cost = _score_field("cost")
    score_performance = _score_field("performance")
    score_customization = _score_field("customization")
    score_data_privacy = _score_field("data privacy")
    score_time_to_market = _score_field("time to market")
    score_maintenance = _score_field("maintenance")

    # API prices, USD per 1M tokens.
    input_price_per_mtok = models.DecimalField(
        "input price per 1M tokens (USD)",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    output_price_per_mtok = models.DecimalField(
        "output price per 1M tokens (USD)",
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    pricing_ref = models.CharField(
        "genai-prices model id",
        max_length=120,
        blank=True,
        help_text="Identifier looked up in genai-prices' bundled data, e.g. 'gpt-4-turbo'.",
    )
    pricing_provider = models.CharField(
        "genai-prices provider id",
        max_length=60,
        blank=True,
        help_text="Optional provider id for the lookup, e.g. 'openai'.",
    )
    price_source = models.CharField(max_length=200, blank=True)
    price_effective_date = models.DateField(null=True, blank=True)

    # Self-hosting profile.
    gpu_instance = models.CharField("GPU instance", max_length=120, blank=True)
    instance_hourly_cost = models.DecimalField(
        "hourly cost of one instance (USD)",
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    gpus_per_instance = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    throughput_tokens_per_s = models.PositiveIntegerField(
        "sustained output tokens/s of one instance",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    prefill_tokens_per_s = models.PositiveIntegerField(
        "sustained input (prefill) tokens/s of one instance",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty: taken as 10 x the output tokens/s.",
    )
    concurrent_requests_per_instance = models.PositiveIntegerField(
        "concurrent requests one instance serves",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    setup_hours = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    monthly_ops_hours = models.DecimalField(
        max_digits=8, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    engineering_hourly_rate = models.DecimalField(
        "engineering hourly rate (USD)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
    )
    hosting_source = models.CharField("self-hosting figures source", max_length=200, blank=True)
    hosting_effective_date = models.DateField("self-hosting figures as of", null=True, blank=True)
    capacity_source = models.CharField(
        "capacity figures source",
        max_length=300,
        blank=True,
        help_text="Where the tokens/s and concurrency come from (a published benchmark). Empty: unknown.",
    )
    capability_source = models.CharField(
        "capabilities source",
        max_length=300,
        blank=True,
        help_text="The model card or announcement the capability rows come from.",
    )

    # Capability matrix: empty means unknown.
    max_context_tokens = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    fine_tuning = models.CharField(max_length=10, choices=FineTuning.choices, blank=True)
    function_calling = models.CharField(max_length=10, choices=FunctionCalling.choices, blank=True)
    vision = models.BooleanField(null=True, blank=True)
    streaming = models.BooleanField(null=True, blank=True)
    self_hosting = models.BooleanField(null=True, blank=True)
    data_privacy = models.CharField(max_length=12, choices=DataPrivacy.choices, blank=True)
    latency_control = models.CharField(max_length=10, choices=LatencyControl.choices, blank=True)
    custom_tokenizer = models.BooleanField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def scores(self) -> dict[str, int | None]:
        """Stored scores keyed by priority; None means no score (counts as the default)."""
        return {p: getattr(self, score_field(p)) for p in PRIORITIES}

    @property
    def defaulted_priorities(self) -> list[str]:
        return [p for p, v in self.scores.items() if v is None]


CAPABILITY_FIELDS: tuple[str, ...] = (
    "max_context_tokens",
    "fine_tuning",
    "function_calling",
    "vision",
    "streaming",
    "self_hosting",
    "data_privacy",
    "latency_control",
    "custom_tokenizer",
)
CAPABILITY_LABELS: dict[str, str] = {
    "max_context_tokens": "Maximum context",
    "fine_tuning": "Fine-tuning",
    "function_calling": "Function calling",
    "vision": "Vision support",
    "streaming": "Streaming",
    "self_hosting": "Self-hosting",
    "data_privacy": "Data privacy",
    "latency_control": "Latency control",
    "custom_tokenizer": "Custom tokenizer",
}


class PriceHistory(models.Model):
    """One change of a model's API price: what it was, what it became, who or what changed it."""

    model = models.ForeignKey(ModelOption, on_delete=models.CASCADE, related_name="price_history")
    old_input_price_per_mtok = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    old_output_price_per_mtok = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    input_price_per_mtok = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    output_price_per_mtok = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=200, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name_plural = "price history"

    def __str__(self) -> str:
        return f"{self.model}: {self.input_price_per_mtok}/{self.output_price_per_mtok}"
