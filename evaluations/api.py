"""Decisions over the REST API: recommendations, cost reports, and the team's profiles, usage
patterns and saved evaluations.

Every view resolves its team through ``portal.tenancy`` (token's team, or the signed-in user's team)
and takes its querysets from this app's team-first selectors through ``team_scoped``, so another
team's rows are a 404. Writes need a writer role or
a read-write token; the team is injected on create, never taken from the request body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.selectors import decision_catalog
from evaluations.models import Evaluation, PriorityProfile, UsagePattern
from evaluations.selectors import evaluations_for_team, profiles_for_team, usage_patterns_for_team
from evaluations.serializers import (
    CostReportRequestSerializer,
    CostReportResponseSerializer,
    EvaluationCreateSerializer,
    EvaluationDetailSerializer,
    EvaluationRenameSerializer,
    EvaluationSerializer,
    PriorityProfileSerializer,
    ProfileMoveSerializer,
    RecommendationRequestSerializer,
    RecommendationResponseSerializer,
    UsagePatternSerializer,
)
from evaluations.services import (
    cost_report_build,
    evaluation_create,
    evaluation_delete,
    evaluation_rename,
    profile_create,
    profile_delete,
    profile_move,
    profile_update,
    recommend_models,
    usage_pattern_create,
    usage_pattern_delete,
    usage_pattern_update,
)
from evaluations.snapshots import cost_report_data, recommendation_data
from portal.tenancy import (
    TEAM_PARAMETER,
    IsMemberOrTeamToken,
    TeamComputePermission,
    TeamPermission,
    team_of,
    team_scoped,
)

TAGS = ["decisions"]

# Request bodies for the documentation's "Try it out": each works as it stands, with no id to look up
# first (``tests/test_api_docs.py`` sends every one and expects a 2xx).
ARTICLE_TRAFFIC = {
    "daily_requests": 10_000,
    "avg_input_tokens": 500,
    "avg_output_tokens": 1_000,
    "peak_concurrent": 50,
}
RECOMMENDATION_EXAMPLES = [
    OpenApiExample(
        "A startup racing to market",
        summary="Priorities only: the catalog's cost scores",
        value={"priorities": ["time_to_market", "performance", "cost"]},
        request_only=True,
    ),
    OpenApiExample(
        "Priced at your traffic",
        summary="With traffic figures: the cost priority scores each model's monthly cost",
        value={"priorities": ["cost", "performance"], "usage": ARTICLE_TRAFFIC},
        request_only=True,
    ),
    OpenApiExample(
        "Private data, self-hosted, within a budget",
        summary="Hard requirements and a monthly cost limit",
        value={
            "priorities": ["data_privacy", "customization", "performance"],
            "require": {"self_hostable": True, "min_context": 4_000, "max_monthly_cost": "30000.00"},
            "usage": ARTICLE_TRAFFIC,
        },
        request_only=True,
    ),
]
COST_REPORT_EXAMPLES = [
    OpenApiExample(
        "The article's traffic",
        summary="10,000 requests a day, 500 tokens in and 1,000 out",
        value={"usage": ARTICLE_TRAFFIC},
        request_only=True,
    ),
    OpenApiExample(
        "Weekdays only, instances shut down on idle days",
        summary="22 days of traffic a month",
        value={"usage": {**ARTICLE_TRAFFIC, "days_per_month": 22, "shut_down_idle_days": True}},
        request_only=True,
    ),
]


def _pk(obj: Any) -> int | None:
    return obj.pk if obj is not None else None


class RecommendationView(APIView):
    permission_classes = [IsMemberOrTeamToken, TeamComputePermission]

    @extend_schema(
        summary="Rank the active models for a list of priorities",
        description="Give `priorities` or `profile` (exactly one). Hard requirements in `require` "
        "filter models before scoring; a `max_monthly_cost` needs `usage_pattern` or `usage`.",
        parameters=[TEAM_PARAMETER],
        request=RecommendationRequestSerializer,
        responses=RecommendationResponseSerializer,
        examples=RECOMMENDATION_EXAMPLES,
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = RecommendationRequestSerializer(data=request.data, context={"team": team_of(request)})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recommendation = recommend_models(
            priorities=data["priorities"], requirements=data["requirements"], usage=data["usage"]
        )
        return Response(
            recommendation_data(
                recommendation, profile_id=_pk(data["profile"]), usage_pattern_id=_pk(data["usage_pattern"])
            )
        )


class CostReportView(APIView):
    permission_classes = [IsMemberOrTeamToken, TeamComputePermission]

    @extend_schema(
        summary="Monthly and first-year cost of each model at a usage, with break-even figures",
        description="Give `usage_pattern` or inline `usage` (exactly one). Proprietary models are "
        "priced by API price, open-source models by their self-hosting profile; a model missing a "
        "figure is listed as not priced. Every priced open-source/proprietary pair is compared, up to "
        "`COST_REPORT_MAX_COMPARISONS` pairs (500 by default): above it the cheapest options of each "
        "side are paired first and `notes` says how many pairs were left out.",
        parameters=[TEAM_PARAMETER],
        request=CostReportRequestSerializer,
        responses=CostReportResponseSerializer,
        examples=COST_REPORT_EXAMPLES,
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        serializer = CostReportRequestSerializer(data=request.data, context={"team": team_of(request)})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        options = data["models"] if data["models"] is not None else decision_catalog()
        report = cost_report_build(usage=data["usage"], options=options, chart_pair=data["chart_pair"])
        return Response(cost_report_data(report, usage_pattern_id=_pk(data["usage_pattern"])))


def _crud_schema(noun: str) -> Any:
    return extend_schema_view(
        list=extend_schema(summary=f"List the team's {noun}s", parameters=[TEAM_PARAMETER], tags=TAGS),
        retrieve=extend_schema(summary=f"One {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        create=extend_schema(summary=f"Create a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        update=extend_schema(summary=f"Replace a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        partial_update=extend_schema(summary=f"Change a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        destroy=extend_schema(summary=f"Delete a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
    )


class _TeamOwnedViewSet(viewsets.ModelViewSet):
    """CRUD over one team-owned model; rows come from ``selector(team=...)`` for the request's team."""

    permission_classes = [IsMemberOrTeamToken, TeamPermission]
    model: type[Model]
    selector: Callable[..., QuerySet[Any]]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no team
            return self.model._default_manager.none()
        return team_scoped(self.request, type(self).selector)


@_crud_schema("priority profile")
class PriorityProfileViewSet(_TeamOwnedViewSet):
    serializer_class = PriorityProfileSerializer
    model = PriorityProfile
    selector = profiles_for_team

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["team"] = team_of(self.request)
        return context

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = profile_create(team=team_of(self.request), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        profile = serializer.instance
        assert profile is not None  # an update serializer is bound to the object
        serializer.instance = profile_update(profile=profile, **serializer.validated_data)

    def perform_destroy(self, instance: PriorityProfile) -> None:
        profile_delete(profile=instance)

    @extend_schema(
        summary="Move one priority up or down in a profile",
        parameters=[TEAM_PARAMETER],
        request=ProfileMoveSerializer,
        responses=PriorityProfileSerializer,
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        profile = self.get_object()
        serializer = ProfileMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = profile_move(profile=profile, **serializer.validated_data)
        return Response(PriorityProfileSerializer(profile).data)


@_crud_schema("usage pattern")
class UsagePatternViewSet(_TeamOwnedViewSet):
    serializer_class = UsagePatternSerializer
    model = UsagePattern
    selector = usage_patterns_for_team

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = usage_pattern_create(team=team_of(self.request), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        pattern = serializer.instance
        assert pattern is not None  # an update serializer is bound to the object
        serializer.instance = usage_pattern_update(pattern=pattern, **serializer.validated_data)

    def perform_destroy(self, instance: UsagePattern) -> None:
        usage_pattern_delete(pattern=instance)


@extend_schema_view(
    list=extend_schema(summary="List the team's saved evaluations", parameters=[TEAM_PARAMETER], tags=TAGS),
    retrieve=extend_schema(
        summary="One saved evaluation, with its snapshot", parameters=[TEAM_PARAMETER], tags=TAGS
    ),
)
class EvaluationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [IsMemberOrTeamToken, TeamPermission]

    def get_queryset(self) -> QuerySet[Evaluation]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no team
            return Evaluation.objects.none()
        # A list shows no snapshots: only a single evaluation loads one.
        return team_scoped(self.request, evaluations_for_team, with_snapshot=self.action != "list")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return EvaluationDetailSerializer if self.action == "retrieve" else EvaluationSerializer

    @extend_schema(
        summary="Save an evaluation: runs the recommendation and cost report and stores the results",
        parameters=[TEAM_PARAMETER],
        request=EvaluationCreateSerializer,
        responses={201: EvaluationDetailSerializer},
        tags=TAGS,
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        team = team_of(request)
        serializer = EvaluationCreateSerializer(data=request.data, context={"team": team})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evaluation = evaluation_create(
            team=team,
            name=data["name"],
            created_by=request.user,
            priorities=data["priorities"],
            profile=data["profile"],
            requirements=data["requirements"],
            usage_pattern=data["usage_pattern"],
        )
        return Response(EvaluationDetailSerializer(evaluation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Rename a saved evaluation (its results never change)",
        parameters=[TEAM_PARAMETER],
        request=EvaluationRenameSerializer,
        responses=EvaluationDetailSerializer,
        tags=TAGS,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        evaluation = self.get_object()
        serializer = EvaluationRenameSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation = evaluation_rename(evaluation=evaluation, name=serializer.validated_data["name"])
        return Response(EvaluationDetailSerializer(evaluation).data)

    @extend_schema(summary="Delete a saved evaluation", parameters=[TEAM_PARAMETER], tags=TAGS)
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        evaluation_delete(evaluation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
