"""Reads for decisions. Team-owned rows are only ever fetched through a selector that takes the team
first, so another team's profile, usage pattern or evaluation is a 404."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from evaluations.models import Evaluation, PriorityProfile, UsagePattern
from portal.models import Team


def profiles_for_team(*, team: Team) -> QuerySet[PriorityProfile]:
    return PriorityProfile.objects.filter(team=team).order_by("name", "id")


def profile_get(*, team: Team, profile_id: int) -> PriorityProfile:
    return get_object_or_404(profiles_for_team(team=team), pk=profile_id)


def usage_patterns_for_team(*, team: Team) -> QuerySet[UsagePattern]:
    return UsagePattern.objects.filter(team=team).order_by("name", "id")


def usage_pattern_get(*, team: Team, pattern_id: int) -> UsagePattern:
    return get_object_or_404(usage_patterns_for_team(team=team), pk=pattern_id)


def evaluations_for_team(*, team: Team, with_snapshot: bool = False) -> QuerySet[Evaluation]:
    """Newest first, with what a list shows; the snapshot (the heavy part) only when asked for."""
    queryset = (
        Evaluation.objects.filter(team=team)
        .select_related("usage_pattern", "created_by")
        .order_by("-created_at", "-id")
    )
    return queryset if with_snapshot else queryset.defer("snapshot")


def evaluation_choices_for_team(*, team: Team) -> QuerySet[Evaluation]:
    """Just enough of each evaluation to offer it in a picker."""
    return (
        Evaluation.objects.filter(team=team).only("id", "name", "created_at").order_by("-created_at", "-id")
    )


def decision_progress(*, team: Team) -> dict[str, bool]:
    """Whether the team has a profile, a usage pattern and a saved evaluation, in one query."""
    row = (
        Team.objects.filter(pk=team.pk)
        .annotate(
            has_profiles=Exists(PriorityProfile.objects.filter(team=OuterRef("pk"))),
            has_usage_patterns=Exists(UsagePattern.objects.filter(team=OuterRef("pk"))),
            has_evaluations=Exists(Evaluation.objects.filter(team=OuterRef("pk"))),
        )
        .values("has_profiles", "has_usage_patterns", "has_evaluations")
        .get()
    )
    return dict(row)


def evaluation_get(*, team: Team, evaluation_id: int) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.filter(team=team).select_related("profile", "usage_pattern", "created_by"),
        pk=evaluation_id,
    )
