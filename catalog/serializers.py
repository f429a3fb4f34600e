from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import CAPABILITY_FIELDS, ModelOption
from catalog.vocabulary import (
    DEFAULT_SCORE,
    PRIORITIES,
    SCORE_MAX,
    SCORE_MIN,
    score_field,
    score_range_text,
)

HOSTING_FIELDS = (
    "gpu_instance",
    "instance_hourly_cost",
    "gpus_per_instance",
    "throughput_tokens_per_s",
    "prefill_tokens_per_s",
    "concurrent_requests_per_instance",
    "setup_hours",
    "monthly_ops_hours",
    "engineering_hourly_rate",
    "hosting_source",
)


def _score() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=SCORE_MIN, max_value=SCORE_MAX, allow_null=True, required=False)


class ScoresSerializer(serializers.Serializer):
    __doc__ = (
        f"Scores {score_range_text()} per priority; null means no score, which counts as {DEFAULT_SCORE}."
    )

    cost = _score()
    performance = _score()
    customization = _score()
    data_privacy = _score()
    time_to_market = _score()
    maintenance = _score()


class HostingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelOption
        fields = HOSTING_FIELDS


class CapabilitiesSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelOption
        fields = CAPABILITY_FIELDS


class ModelOptionSerializer(serializers.ModelSerializer):
    scores = ScoresSerializer(required=False)
    default_scores = serializers.SerializerMethodField(
        help_text=f"Priorities with no score: they count as {DEFAULT_SCORE} and are shown as default."
    )
    hosting = HostingSerializer(source="*", required=False)
    capabilities = CapabilitiesSerializer(source="*", required=False)

    class Meta:
        model = ModelOption
        fields = [
            "id",
            "name",
            "provider",
            "kind",
            "is_active",
            "notes",
            "scores",
            "default_scores",
            "input_price_per_mtok",
            "output_price_per_mtok",
            "pricing_ref",
            "pricing_provider",
            "price_source",
            "price_effective_date",
            "hosting",
            "capabilities",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=PRIORITIES)))
    def get_default_scores(self, obj: ModelOption) -> list[str]:
        return obj.defaulted_priorities

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values = super().to_internal_value(data)
        scores = values.pop("scores", None) or {}
        for priority, score in scores.items():
            values[score_field(priority)] = score
        return values
