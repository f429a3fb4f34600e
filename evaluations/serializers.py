"""API input validation and the documented shape of decision responses.

Inputs are checked here for form (types, exactly-one-of rules, ids of this team's rows); the value
rules (priority lists, traffic bounds) are the models', applied by the services, so the API refuses
exactly what the pages and the admin refuse. Responses are built by ``evaluations.snapshots``; the
output serializers below document that shape for the OpenAPI schema.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import ModelKind
from catalog.selectors import CatalogEntry, decision_catalog
from catalog.vocabulary import DEFAULT_SCORE, PRIORITIES
from evaluations.costing import DEFAULT_DAYS_PER_MONTH, USAGE_FIELDS, USAGE_LIMITS
from evaluations.models import Evaluation, PriorityProfile, UsagePattern, validate_priorities
from evaluations.requirements import FINE_TUNING_MINIMUMS, MAX_CONTEXT_REQUIREMENT, Requirements
from evaluations.selectors import profiles_for_team, usage_patterns_for_team
from evaluations.services import usage_from_fields
from portal.models import Team

MAX_ID = 2**63 - 1


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class PriorityListField(serializers.ListField):
    """Priorities, most important first: distinct names from the six, at least one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            f"Most important first; distinct names from: {', '.join(PRIORITIES)}. Weight = 1/position.",
        )
        super().__init__(child=serializers.CharField(max_length=40), **kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        value = super().to_internal_value(data)
        try:
            validate_priorities(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class _StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt requirement is an error, not silently ignored."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


# These choice sets are documented as patterns, not enums: the catalog already publishes enums
# under these field names, and a second enum of the same name would collide in the schema.
@extend_schema_field(
    {"type": "string", "pattern": f"^({'|'.join(PRIORITIES)})$", "description": ", ".join(PRIORITIES)}
)
class PriorityChoiceField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=PRIORITIES, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "pattern": f"^({'|'.join(FINE_TUNING_MINIMUMS)})$",
        "description": "Minimum fine-tuning support: limited (limited or full) or full.",
    }
)
class FineTuningMinimumField(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=list(FINE_TUNING_MINIMUMS), **kwargs)


class RequirementsSerializer(_StrictSerializer):
    self_hostable = serializers.BooleanField(required=False, help_text="Must be self-hostable.")
    min_context = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CONTEXT_REQUIREMENT,
        help_text="Minimum context window, in tokens.",
    )
    vision = serializers.BooleanField(required=False, help_text="Must accept images.")
    function_calling = serializers.BooleanField(
        required=False, help_text="Must support function calling natively (via prompting does not count)."
    )
    fine_tuning = FineTuningMinimumField(required=False, help_text="Minimum fine-tuning support.")
    kind = serializers.ChoiceField(choices=ModelKind.choices, required=False)
    max_monthly_cost = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text="USD per month at the usage pattern; needs `usage_pattern` or `usage`.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return {"requirements": Requirements(**attrs)}


def _usage_field(name: str, prefix: str = "") -> serializers.IntegerField:
    """A traffic figure with its bounds from ``costing.USAGE_LIMITS``: the schema publishes them as
    ``minimum``/``maximum`` and a value outside is refused with the usage pattern's own messages,
    the same as the pages say."""
    limit = USAGE_LIMITS[name]
    bounds: dict[str, Any] = {
        "min_value": limit.minimum,
        "max_value": limit.maximum,
        "error_messages": {"min_value": limit.too_low, "max_value": limit.too_high},
    }
    if name == "days_per_month":
        help_text = f"{prefix}{limit.range_text()}; default {DEFAULT_DAYS_PER_MONTH}."
        return serializers.IntegerField(required=False, help_text=help_text, **bounds)
    return serializers.IntegerField(help_text=f"{prefix}{limit.range_text()}.", **bounds)


class UsageSerializer(_StrictSerializer):
    """Traffic figures; their bounds are the usage pattern's (see ``UsagePattern``)."""

    daily_requests = _usage_field("daily_requests")
    avg_input_tokens = _usage_field("avg_input_tokens", "Average input tokens per request, ")
    avg_output_tokens = _usage_field("avg_output_tokens", "Average output tokens per request, ")
    peak_concurrent = _usage_field("peak_concurrent", "Peak concurrent requests, ")
    days_per_month = _usage_field("days_per_month")
    shut_down_idle_days = serializers.BooleanField(
        required=False,
        help_text="Default true: self-hosted instances are shut down on idle days, so GPU hours follow "
        "`days_per_month`. False: they run the whole month.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"usage": usage_from_fields(**attrs)}
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc


class _TeamInputSerializer(serializers.Serializer):
    """Input naming a profile or usage pattern by id: only this team's rows are found.

    Top-level keys it does not know (such as a ``team``) are ignored like everywhere in the API: the
    team is always the caller's.
    """

    @property
    def team(self) -> Team:
        return self.context["team"]

    def validate_profile(self, value: int | None) -> PriorityProfile | None:
        if value is None:
            return None
        profile = profiles_for_team(team=self.team).filter(pk=value).first()
        if profile is None:
            raise serializers.ValidationError(f"No profile with id {value} in this team.")
        return profile

    def validate_usage_pattern(self, value: int | None) -> UsagePattern | None:
        if value is None:
            return None
        pattern = usage_patterns_for_team(team=self.team).filter(pk=value).first()
        if pattern is None:
            raise serializers.ValidationError(f"No usage pattern with id {value} in this team.")
        return pattern


class RecommendationRequestSerializer(_TeamInputSerializer):
    priorities = PriorityListField(required=False)
    profile = _id_field(required=False, allow_null=True, help_text="A profile of this team, by id.")
    require = RequirementsSerializer(required=False, help_text="Hard requirements, checked before scoring.")
    usage_pattern = _id_field(
        required=False,
        allow_null=True,
        help_text="Prices every model at this traffic: the cost priority then scores the monthly cost, "
        "and `max_monthly_cost` can apply. Defaults to the profile's default usage pattern.",
    )
    usage = UsageSerializer(required=False, help_text="Inline traffic figures, instead of `usage_pattern`.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        has_priorities, profile = "priorities" in attrs, attrs.get("profile")
        if has_priorities == (profile is not None):
            message = (
                "Give either priorities or a profile, not both."
                if has_priorities
                else "Give priorities (a list) or a profile (its id)."
            )
            raise serializers.ValidationError({"priorities": [message], "profile": [message]})
        if attrs.get("usage_pattern") is not None and "usage" in attrs:
            raise serializers.ValidationError(
                {"usage": ["Give a usage pattern or traffic figures, not both."]}
            )
        requirements: Requirements = attrs.get("require", {}).get("requirements", Requirements())
        usage = attrs["usage"]["usage"] if "usage" in attrs else None
        pattern: UsagePattern | None = attrs.get("usage_pattern")
        if pattern is None and usage is None and "usage_pattern" not in attrs and profile is not None:
            pattern = profile.default_usage_pattern
        if pattern is not None:
            usage = pattern.as_usage()
        if requirements.max_monthly_cost is not None and usage is None:
            raise serializers.ValidationError(
                {"usage_pattern": ["A maximum monthly cost needs a usage pattern to price the models."]}
            )
        return {
            "priorities": attrs.get("priorities") or (profile.priorities if profile else []),
            "profile": profile,
            "requirements": requirements,
            "usage_pattern": pattern,
            "usage": usage,
        }


class ChartPairSerializer(_StrictSerializer):
    open_source = _id_field()
    proprietary = _id_field()


class CostReportRequestSerializer(_TeamInputSerializer):
    usage_pattern = _id_field(required=False, allow_null=True, help_text="A usage pattern of this team.")
    usage = UsageSerializer(required=False, help_text="Inline traffic figures, instead of `usage_pattern`.")
    models = serializers.ListField(
        child=_id_field(),
        required=False,
        allow_empty=False,
        max_length=10_000,
        help_text="Active catalog model ids; default every active model.",
    )
    chart = ChartPairSerializer(
        required=False, help_text="Which pair to chart; default the cheapest priced model of each kind."
    )

    def validate_models(self, value: list[int]) -> list[CatalogEntry]:
        wanted = list(dict.fromkeys(value))
        entries = decision_catalog(ids=wanted)
        found = {entry.pk for entry in entries}
        unknown = [str(pk) for pk in wanted if pk not in found]
        if unknown:
            raise serializers.ValidationError(f"No active catalog model with id {', '.join(unknown)}.")
        return entries

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        pattern: UsagePattern | None = attrs.get("usage_pattern")
        if (pattern is not None) == ("usage" in attrs):
            message = (
                "Give either a usage pattern or traffic figures, not both."
                if pattern is not None
                else "Give a usage pattern (its id) or traffic figures."
            )
            raise serializers.ValidationError({"usage_pattern": [message], "usage": [message]})
        chart = attrs.get("chart")
        return {
            "usage_pattern": pattern,
            "usage": pattern.as_usage() if pattern is not None else attrs["usage"]["usage"],
            "models": attrs.get("models"),
            "chart_pair": (chart["open_source"], chart["proprietary"]) if chart else None,
        }


# --- CRUD ------------------------------------------------------------------------------------------


class PriorityProfileSerializer(serializers.ModelSerializer):
    priorities = PriorityListField()
    default_usage_pattern = _id_field(
        required=False,
        allow_null=True,
        help_text="A usage pattern of this team, by id: recommendations with this profile price models "
        "at it unless another is given.",
    )

    class Meta:
        model = PriorityProfile
        fields = ["id", "name", "priorities", "default_usage_pattern", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def to_representation(self, instance: PriorityProfile) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["default_usage_pattern"] = instance.default_usage_pattern_id
        return data

    def validate_default_usage_pattern(self, value: int | None) -> UsagePattern | None:
        if value is None:
            return None
        pattern = usage_patterns_for_team(team=self.context["team"]).filter(pk=value).first()
        if pattern is None:
            raise serializers.ValidationError(f"No usage pattern with id {value} in this team.")
        return pattern


class ProfileMoveSerializer(serializers.Serializer):
    priority = PriorityChoiceField()
    direction = serializers.ChoiceField(choices=["up", "down"])


class UsagePatternSerializer(serializers.ModelSerializer):
    """Bounds are checked by the model (the same messages as the pages and the admin)."""

    daily_requests = _usage_field("daily_requests")
    avg_input_tokens = _usage_field("avg_input_tokens")
    avg_output_tokens = _usage_field("avg_output_tokens")
    peak_concurrent = _usage_field("peak_concurrent")
    days_per_month = _usage_field("days_per_month")

    class Meta:
        model = UsagePattern
        fields = ["id", "name", *USAGE_FIELDS, "shut_down_idle_days", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class EvaluationCreateSerializer(RecommendationRequestSerializer):
    name = serializers.CharField(max_length=120)
    # A saved evaluation refers to a saved usage pattern. DRF drops an inherited field set to None,
    # which the stubs do not model.
    usage = None  # type: ignore[assignment]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        name = attrs.pop("name")
        return {"name": name, **super().validate(attrs)}


class EvaluationSerializer(serializers.ModelSerializer):
    created_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "name",
            "profile",
            "usage_pattern",
            "priorities",
            "requirements",
            "top_pick",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


# --- Documented response shapes -------------------------------------------------------------------


def _money(help_text: str = "USD, to the cent", **kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=2, coerce_to_string=True, help_text=help_text, **kwargs
    )


class ModelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ModelKind.choices)


class RequirementsOutputSerializer(serializers.Serializer):
    self_hostable = serializers.BooleanField(required=False)
    min_context = serializers.IntegerField(required=False)
    vision = serializers.BooleanField(required=False)
    function_calling = serializers.BooleanField(required=False)
    fine_tuning = FineTuningMinimumField(required=False)
    kind = serializers.ChoiceField(choices=ModelKind.choices, required=False)
    max_monthly_cost = _money(required=False)


class RankedModelSerializer(serializers.Serializer):
    rank = serializers.IntegerField(help_text="Shared by equal totals: 1, 1, 3 (shown as =1, =1, 3).")
    position = serializers.IntegerField(help_text="Place in the list; tied models are listed by name.")
    model = ModelRefSerializer()
    reason = serializers.CharField(help_text="One line: why the model ranks where it does.")
    monthly_cost = _money(allow_null=True, help_text="Monthly cost at the usage; null without one.")
    cost_score_from = serializers.ChoiceField(
        choices=["usage", "catalog"],
        help_text="usage: the cost score is derived from the monthly cost (cheapest = 10, "
        "10 x cheapest / cost, at least 1); catalog: the catalog's score (no usage, or not priced).",
    )
    cost_under_a_cent = serializers.BooleanField(required=False, help_text="Priced, but under $0.01.")
    cost_basis = serializers.ChoiceField(
        choices=["api", "self_hosted"],
        allow_null=True,
        help_text="Which option the monthly cost is: an open-source model with a hosted API price is "
        "priced by the cheaper of its API and self-hosting; null when not priced.",
    )
    cost_label = serializers.CharField(
        help_text="The cost report's label of that option, e.g. 'Mistral 7B (API)'; the model's name "
        "when it is priced one way only."
    )
    score = _money("Weighted total, two places.")
    contributions = serializers.DictField(
        child=_money("Weight x score."), help_text="Per listed priority, in priority order."
    )
    defaulted = serializers.ListField(
        child=PriorityChoiceField(), help_text=f"Priorities scored with the default {DEFAULT_SCORE}."
    )
    tied = serializers.BooleanField(help_text="Another model has exactly the same total.")


class ExcludedModelSerializer(serializers.Serializer):
    model = ModelRefSerializer()
    reasons = serializers.ListField(child=serializers.CharField())


class RecommendationResponseSerializer(serializers.Serializer):
    priorities = serializers.ListField(child=PriorityChoiceField())
    profile = serializers.IntegerField(allow_null=True)
    usage_pattern = serializers.IntegerField(allow_null=True)
    requirements = RequirementsOutputSerializer()
    max_score = _money(help_text="The best total under these priorities: 10 on every one.")
    cost_from_usage = serializers.BooleanField(help_text="Cost scores come from monthly costs at a usage.")
    results = RankedModelSerializer(many=True)
    excluded = ExcludedModelSerializer(many=True)


class UsageOutputSerializer(serializers.Serializer):
    daily_requests = serializers.IntegerField()
    avg_input_tokens = serializers.IntegerField()
    avg_output_tokens = serializers.IntegerField()
    peak_concurrent = serializers.IntegerField()
    days_per_month = serializers.IntegerField()
    shut_down_idle_days = serializers.BooleanField()
    billed_days = serializers.IntegerField(help_text="Days of GPU time billed a month.")


class ModelCostSerializer(ModelRefSerializer):
    label = serializers.CharField(  # type: ignore[assignment]  # the output key, not Field.label
        help_text="The name, with the way it runs when an open-source model is priced both ways, "
        "e.g. 'Mixtral 8x7B (API)'."
    )
    basis = serializers.ChoiceField(choices=["api", "self_hosted"])
    both_ways = serializers.BooleanField(
        help_text="An open-source model with a hosted API price: it is listed twice, once each way."
    )
    priced = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="Catalog fields a price needs.")
    instances = serializers.IntegerField(allow_null=True)
    capacity_checked = serializers.BooleanField(allow_null=True)
    capacity_note = serializers.CharField(allow_blank=True)
    monthly_api = _money(allow_null=True)
    monthly_compute = _money(allow_null=True)
    monthly_ops = _money(allow_null=True)
    setup = _money(allow_null=True)
    monthly_total = _money(allow_null=True)
    first_year_total = _money(allow_null=True)
    under_a_cent = serializers.BooleanField(help_text="An API bill above zero that rounds to $0.00.")


class ComparisonSideSerializer(ModelRefSerializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the output key, not Field.label
    monthly_total = _money()
    capacity_checked = serializers.BooleanField(
        required=False, help_text="Self-hosted side only: false when one instance is assumed."
    )
    capacity_note = serializers.CharField(required=False, allow_blank=True)


class ComparisonSerializer(serializers.Serializer):
    open_source = ComparisonSideSerializer()
    proprietary = ComparisonSideSerializer()
    break_even_months = _money("Months to recover the setup cost; null when never.", allow_null=True)
    break_even_reason = serializers.CharField()
    break_even_daily_requests = serializers.IntegerField(allow_null=True)
    break_even_volume_reason = serializers.CharField()


class CumulativePointSerializer(serializers.Serializer):
    month = serializers.IntegerField()
    api = _money()
    self_hosted = _money()


class VolumePointSerializer(serializers.Serializer):
    daily_requests = serializers.IntegerField()
    api = _money()
    self_hosted = _money()


class ChartSerializer(ComparisonSerializer):
    cumulative = CumulativePointSerializer(many=True)
    by_volume = VolumePointSerializer(many=True)


class AssumptionSerializer(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField()


class CostReportResponseSerializer(serializers.Serializer):
    usage_pattern = serializers.IntegerField(allow_null=True)
    usage = UsageOutputSerializer()
    models = ModelCostSerializer(many=True)
    comparisons = ComparisonSerializer(many=True)
    chart = ChartSerializer(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
    assumptions = AssumptionSerializer(many=True)


class SnapshotSerializer(serializers.Serializer):
    schema_version = serializers.IntegerField(
        help_text="Shape of this snapshot; older saved evaluations are upgraded when read."
    )
    profile_name = serializers.CharField(allow_null=True)
    usage_pattern_name = serializers.CharField(allow_null=True)
    recommendation = RecommendationResponseSerializer()
    cost_report = CostReportResponseSerializer(allow_null=True)


class EvaluationDetailSerializer(EvaluationSerializer):
    snapshot = serializers.SerializerMethodField()

    class Meta(EvaluationSerializer.Meta):
        fields = [*EvaluationSerializer.Meta.fields, "snapshot"]
        read_only_fields = fields

    @extend_schema_field(SnapshotSerializer)
    def get_snapshot(self, obj: Evaluation) -> dict[str, Any]:
        return obj.snapshot  # stored already in its published shape (see evaluations.snapshots)


class EvaluationRenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, help_text="Unique in the team.")
