"""Reads for decisions. Team-owned rows are only ever fetched through a selector that takes the team
first, so another team's profile, usage pattern or evaluation is a 404."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from catalog.selectors import model_options_list
from evaluations.models import Evaluation, PriorityProfile, UsagePattern
from evaluations.scoring import PRIORITIES
from portal.models import Team


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """The catalog fields decisions read, as a plain row.

    Quacks like ``ModelOption`` for those fields, so the services take either; building these from
    ``values_list`` costs a fraction of instantiating 1,000 model instances.
    """

    pk: int
    name: str
    kind: str
    score_cost: int | None
    score_performance: int | None
    score_customization: int | None
    score_data_privacy: int | None
    score_time_to_market: int | None
    score_maintenance: int | None
    input_price_per_mtok: Decimal | None
    output_price_per_mtok: Decimal | None
    instance_hourly_cost: Decimal | None
    throughput_tokens_per_s: int | None
    prefill_tokens_per_s: int | None
    concurrent_requests_per_instance: int | None
    setup_hours: Decimal | None
    monthly_ops_hours: Decimal | None
    engineering_hourly_rate: Decimal | None
    max_context_tokens: int | None
    fine_tuning: str
    function_calling: str
    vision: bool | None
    self_hosting: bool | None

    @property
    def scores(self) -> dict[str, int | None]:
        return {p: getattr(self, f"score_{p}") for p in PRIORITIES}


# Column order matches CatalogEntry's fields.
DECISION_FIELDS: tuple[str, ...] = tuple("id" if f.name == "pk" else f.name for f in fields(CatalogEntry))


def decision_catalog(*, ids: Sequence[int] | None = None) -> list[CatalogEntry]:
    """Active catalog models by name, in one query, with only what decisions read.

    ``ids`` narrows to those models (missing or inactive ones are simply absent).
    """
    queryset = model_options_list(active_only=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return [CatalogEntry(*row) for row in queryset.values_list(*DECISION_FIELDS)]


def profiles_for_team(*, team: Team) -> QuerySet[PriorityProfile]:
    return PriorityProfile.objects.filter(team=team).order_by("name", "id")


def profile_get(*, team: Team, profile_id: int) -> PriorityProfile:
    return get_object_or_404(profiles_for_team(team=team), pk=profile_id)


def usage_patterns_for_team(*, team: Team) -> QuerySet[UsagePattern]:
    return UsagePattern.objects.filter(team=team).order_by("name", "id")


def usage_pattern_get(*, team: Team, pattern_id: int) -> UsagePattern:
    return get_object_or_404(usage_patterns_for_team(team=team), pk=pattern_id)


def evaluations_for_team(*, team: Team) -> QuerySet[Evaluation]:
    """Newest first, with what a list shows; the snapshot (the heavy part) is not loaded."""
    return (
        Evaluation.objects.filter(team=team)
        .select_related("usage_pattern", "created_by")
        .defer("snapshot")
        .order_by("-created_at", "-id")
    )


def evaluation_choices_for_team(*, team: Team) -> QuerySet[Evaluation]:
    """Just enough of each evaluation to offer it in a picker."""
    return (
        Evaluation.objects.filter(team=team).only("id", "name", "created_at").order_by("-created_at", "-id")
    )


def evaluation_get(*, team: Team, evaluation_id: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.filter(team=team).select_related("profile", "usage_pattern", "created_by"),
        pk=evaluation_id,
    )
