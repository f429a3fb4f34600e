"""API input validation for probes and migrations, and the documented shape of their responses.

Check definitions and probe fields are validated once, by ``probes.checks`` and
``probes.services.probe_clean``; the serializers below check form and document the schema.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from probes.models import PolicyModeChoice, Probe, ProbeSuite
from routing.models import Route

MAX_ID = 2**63 - 1


class ProbeSerializer(serializers.ModelSerializer):
    suite = serializers.PrimaryKeyRelatedField(queryset=ProbeSuite.objects.none())
    checks = serializers.JSONField(
        help_text="Weighted typed checks: equals, contains, regex, json, number, agreement "
        "(see docs/architecture.md)."
    )
    messages = serializers.JSONField(required=False, help_text="OpenAI-style chat messages.")

    class Meta:
        model = Probe
        fields = [
            "id",
            "suite",
            "name",
            "prompt",
            "messages",
            "task_type",
            "checks",
            "max_tokens",
            "position",
            "enabled",
        ]
        read_only_fields = ["position"]
        # Probe names are unique per suite: the service says so with a field message.
        validators: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.context.get("team")
        if team is not None:
            self.fields["suite"].queryset = ProbeSuite.objects.filter(team=team)  # type: ignore[attr-defined]


class ProbeSuiteSerializer(serializers.ModelSerializer):
    route = serializers.PrimaryKeyRelatedField(queryset=Route.objects.none())
    probe_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProbeSuite
        fields = ["id", "route", "name", "description", "probe_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.context.get("team")
        if team is not None:
            self.fields["route"].queryset = Route.objects.filter(team=team)  # type: ignore[attr-defined]


class SuiteExportProbeSerializer(serializers.Serializer):
    name = serializers.CharField()
    prompt = serializers.CharField(allow_blank=True)
    messages = serializers.JSONField()
    task_type = serializers.CharField(allow_blank=True)
    checks = serializers.JSONField()
    max_tokens = serializers.IntegerField(allow_null=True)
    enabled = serializers.BooleanField()


class SuiteExportSerializer(serializers.Serializer):
    format = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    probes = SuiteExportProbeSerializer(many=True)


class SuiteImportSerializer(serializers.Serializer):
    route = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The route whose suite is replaced."
    )
    suite = serializers.JSONField(help_text="An exported suite: {format, name, description, probes: [...]}.")


class ShareSerializer(serializers.Serializer):
    share = serializers.IntegerField(
        min_value=0, max_value=100, help_text="The open-source share, in percent."
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MigrationSettingsSerializer(serializers.Serializer):
    target_share = serializers.IntegerField(min_value=0, max_value=100, required=False)
    step = serializers.IntegerField(min_value=1, max_value=100, required=False)
    threshold = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False
    )
    min_results = serializers.IntegerField(min_value=0, max_value=10_000, required=False)
    error_limit = serializers.DecimalField(
        max_digits=4, decimal_places=3, min_value=0, max_value=1, required=False
    )
    max_failures = serializers.IntegerField(min_value=1, max_value=100, required=False)
    policy_mode = serializers.ChoiceField(choices=PolicyModeChoice.choices, required=False)
    require_shadow = serializers.BooleanField(required=False)
    interval_minutes = serializers.IntegerField(
        min_value=1,
        max_value=7 * 24 * 60,
        required=False,
        help_text="How often probe rounds run, in minutes (the schedule; default 15).",
    )


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField(allow_null=True)
    probe = serializers.IntegerField(allow_null=True)
    probe_name = serializers.CharField()
    backend = serializers.IntegerField(allow_null=True)
    backend_name = serializers.CharField()
    backend_kind = serializers.CharField()
    is_shadow = serializers.BooleanField()
    request_id = serializers.CharField()
    output = serializers.CharField(allow_blank=True)
    checks = serializers.ListField(child=serializers.DictField())
    score = serializers.FloatField(allow_null=True)
    latency_ms = serializers.IntegerField()
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost_usd = serializers.CharField()
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.CharField()


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    route = serializers.IntegerField()
    status = serializers.CharField()
    trigger = serializers.CharField()
    stop_reason = serializers.CharField(allow_blank=True)
    total_calls = serializers.IntegerField()
    done_calls = serializers.IntegerField()
    error_calls = serializers.IntegerField()
    progress_percent = serializers.IntegerField()
    cost_usd = serializers.CharField()
    attempts = serializers.IntegerField()
    created_at = serializers.CharField()
    started_at = serializers.CharField(allow_null=True)
    finished_at = serializers.CharField(allow_null=True)
    applied = serializers.BooleanField()
    decision = serializers.CharField(allow_blank=True)
    decision_reason = serializers.CharField(allow_blank=True)
    share_before = serializers.IntegerField(allow_null=True)
    share_after = serializers.IntegerField(allow_null=True)
    backends = serializers.DictField(help_text="Per backend kind (and shadow): mean, low, high, n, errors.")


class RoundDetailSerializer(RoundSerializer):
    results = ResultSerializer(many=True)


class MigrationShareChangeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    changed_at = serializers.CharField()
    changed_by = serializers.CharField(allow_null=True)
    source = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.source
    probe_round = serializers.IntegerField(allow_null=True)
    from_share = serializers.IntegerField()
    to_share = serializers.IntegerField()
    reason = serializers.CharField()


class MigrationStateSerializer(serializers.Serializer):
    route = serializers.IntegerField()
    route_name = serializers.CharField()
    open_source_share = serializers.IntegerField()
    shadow_rate = serializers.CharField()
    migrating = serializers.BooleanField()
    target_share = serializers.IntegerField(allow_null=True)
    step = serializers.IntegerField(allow_null=True)
    threshold = serializers.CharField(allow_null=True)
    min_results = serializers.IntegerField(allow_null=True)
    error_limit = serializers.CharField(allow_null=True)
    max_failures = serializers.IntegerField(allow_null=True)
    policy_mode = serializers.CharField(allow_null=True)
    require_shadow = serializers.BooleanField(allow_null=True)
    paused = serializers.BooleanField(allow_null=True)
    last_good_share = serializers.IntegerField(allow_null=True)
    consecutive_failures = serializers.IntegerField(allow_null=True)
    stop_reason = serializers.CharField(allow_null=True, allow_blank=True)
    schedule_every_minutes = serializers.IntegerField(allow_null=True)
    schedule_enabled = serializers.BooleanField(allow_null=True)
    latest_round = RoundDetailSerializer(allow_null=True)
    series = serializers.ListField(child=serializers.DictField())
    history = MigrationShareChangeSerializer(many=True)


class RoundStartedSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    status = serializers.CharField()
    stop_reason = serializers.CharField(allow_blank=True)


class ResultOutSerializer(ResultSerializer):
    """A stored result, in the shape of ``probes.presentation.result_data``."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        from probes.presentation import result_data

        return result_data(instance)


class RoundOutSerializer(RoundSerializer):
    def to_representation(self, instance: Any) -> dict[str, Any]:
        from probes.presentation import round_data

        return round_data(instance)


class RoundDetailOutSerializer(RoundDetailSerializer):
    def to_representation(self, instance: Any) -> dict[str, Any]:
        from probes.presentation import round_data

        return round_data(instance, results=True)
