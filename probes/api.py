"""Probes and migrations over the REST API.

Every view resolves its team through ``portal.api`` and reads team-owned rows only through
``team_scoped`` or a selector that takes the team, so another team's ids are a 404. Suites and probes
are written by editors and owners (or read-write tokens); a route's migration is steered by its
owners (or read-write tokens, which only owners can create).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.models import Membership, Role, Team
from portal.tenancy import (
    TEAM_PARAMETER,
    IsMemberOrTeamToken,
    TeamPermission,
    api_team_access,
    team_of,
    team_scoped,
)
from probes.models import Probe, ProbeResult, ProbeRound, ProbeSuite, RoundTrigger
from probes.presentation import migration_state_data
from probes.selectors import (
    migration_for_route,
    probes_for_team,
    results_for_team,
    rounds_for_team,
    suites_for_team,
)
from probes.serializers import (
    MAX_ID,
    MigrationSettingsSerializer,
    MigrationStateSerializer,
    ProbeSerializer,
    ProbeSuiteSerializer,
    ReasonSerializer,
    ResultOutSerializer,
    RoundDetailOutSerializer,
    RoundOutSerializer,
    RoundStartedSerializer,
    ShareSerializer,
    SuiteExportSerializer,
    SuiteImportSerializer,
)
from probes.services import (
    migration_create,
    migration_pause,
    migration_resume,
    migration_rollback,
    migration_set_share,
    migration_update,
    probe_create,
    probe_delete,
    probe_round_start,
    probe_update,
    suite_create,
    suite_export,
    suite_import,
    suite_update,
)
from routing.models import Route
from routing.selectors import route_get

TAGS = ["probes"]


class MigrationOwnerPermission(BasePermission):
    """Reads for any member or token of the team; writes for its owners and read-write tokens."""

    def has_permission(self, request: Request, view: Any) -> bool:
        access = api_team_access(request)
        if request.method in SAFE_METHODS:
            return True
        if access.token is not None:
            if not access.can_write:
                raise exceptions.PermissionDenied("This token is read-only.")
            return True
        user = request.user if isinstance(request.user, User) else None
        is_owner = Membership.objects.filter(team=access.team, user=user, role=Role.OWNER).exists()
        if not is_owner:
            raise exceptions.PermissionDenied("Only the team's owners can steer a migration.")
        return True


def _route(request: Request, route_id: int) -> Route:
    return route_get(team=team_of(request), route_id=route_id)


def _migration(request: Request, route_id: int) -> Any:
    migration = migration_for_route(route=_route(request, route_id))
    if migration is None:
        raise Http404("This route is not migrating: PATCH its migration settings to start.")
    return migration


class _MigrationView(APIView):
    permission_classes = [IsMemberOrTeamToken, MigrationOwnerPermission]

    def _state(self, request: Request, route_id: int) -> Response:
        return Response(migration_state_data(_route(request, route_id)))


class MigrationView(_MigrationView):
    @extend_schema(
        summary="A route's migration: share, target, settings, the latest round with results, history",
        parameters=[TEAM_PARAMETER],
        responses=MigrationStateSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, route_id: int) -> Response:
        return self._state(request, route_id)

    @extend_schema(
        summary="Start migrating a route or change its policy settings (owners)",
        parameters=[TEAM_PARAMETER],
        request=MigrationSettingsSerializer,
        responses=MigrationStateSerializer,
        tags=TAGS,
    )
    def patch(self, request: Request, route_id: int) -> Response:
        route = _route(request, route_id)
        serializer = MigrationSettingsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        migration = migration_for_route(route=route)
        if migration is None:
            migration_create(route=route, **serializer.validated_data)
        else:
            migration_update(migration=migration, **serializer.validated_data)
        return self._state(request, route_id)


def _action_schema(summary: str, request_serializer: Any = None) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[TEAM_PARAMETER],
        request=request_serializer,
        responses=MigrationStateSerializer,
        tags=TAGS,
    )


class MigrationPauseView(_MigrationView):
    @_action_schema("Pause a migration: rounds still run, the share does not move (owners)")
    def post(self, request: Request, route_id: int) -> Response:
        migration_pause(migration=_migration(request, route_id), user=request.user)
        return self._state(request, route_id)


class MigrationResumeView(_MigrationView):
    @_action_schema("Resume a paused migration (owners)")
    def post(self, request: Request, route_id: int) -> Response:
        migration_resume(migration=_migration(request, route_id), user=request.user)
        return self._state(request, route_id)


class MigrationSetShareView(_MigrationView):
    @_action_schema("Set the open-source share by hand (owners)", ShareSerializer)
    def post(self, request: Request, route_id: int) -> Response:
        migration = _migration(request, route_id)
        serializer = ShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        migration_set_share(migration=migration, user=request.user, **serializer.validated_data)
        return self._state(request, route_id)


class MigrationRollbackView(_MigrationView):
    @_action_schema(
        "Roll back: all traffic to the proprietary backend, migration paused (owners)", ReasonSerializer
    )
    def post(self, request: Request, route_id: int) -> Response:
        migration = _migration(request, route_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        migration_rollback(migration=migration, user=request.user, **serializer.validated_data)
        return self._state(request, route_id)


class MigrationRunRoundView(_MigrationView):
    @extend_schema(
        summary="Run the route's probes now (owners); 202 with the round's id",
        parameters=[TEAM_PARAMETER],
        request=None,
        responses={202: RoundStartedSerializer},
        tags=TAGS,
    )
    def post(self, request: Request, route_id: int) -> Response:
        route = _route(request, route_id)
        probe_round = probe_round_start(route=route, trigger=RoundTrigger.MANUAL, requested_by=request.user)
        return Response(
            {"round": probe_round.pk, "status": probe_round.status, "stop_reason": probe_round.stop_reason},
            status=status.HTTP_202_ACCEPTED,
        )


def _crud_schema(noun: str) -> Any:
    return extend_schema_view(
        list=extend_schema(summary=f"List the team's {noun}s", parameters=[TEAM_PARAMETER], tags=TAGS),
        retrieve=extend_schema(summary=f"One {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        create=extend_schema(summary=f"Create a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        update=extend_schema(summary=f"Replace a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        partial_update=extend_schema(summary=f"Change a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
        destroy=extend_schema(summary=f"Delete a {noun}", parameters=[TEAM_PARAMETER], tags=TAGS),
    )


class _TeamViewSet(viewsets.ModelViewSet):
    permission_classes = [IsMemberOrTeamToken, TeamPermission]

    model: Any = None

    def _selector(self, *, team: Team) -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no team
            return self.model.objects.none()
        return team_scoped(self.request, self._selector)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["team"] = team_of(self.request)
        return context


@_crud_schema("probe suite")
class ProbeSuiteViewSet(_TeamViewSet):
    serializer_class = ProbeSuiteSerializer
    model = ProbeSuite

    def _selector(self, *, team: Team) -> QuerySet[ProbeSuite]:
        return suites_for_team(team=team).order_by("name", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = serializer.validated_data
        suite = suite_create(
            team=team_of(self.request),
            route=data["route"],
            name=data.get("name", ""),
            description=data.get("description", ""),
        )
        serializer.instance = suites_for_team(team=team_of(self.request)).get(pk=suite.pk)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        suite = serializer.instance
        assert suite is not None
        data = serializer.validated_data
        if "route" in data and data["route"].pk != suite.route_id:
            raise exceptions.ValidationError({"route": ["A suite stays with its route."]})
        suite_update(suite=suite, name=data.get("name"), description=data.get("description"))
        serializer.instance = suites_for_team(team=team_of(self.request)).get(pk=suite.pk)

    @extend_schema(
        summary="Export a suite as JSON (the import format)",
        parameters=[TEAM_PARAMETER],
        responses=SuiteExportSerializer,
        tags=TAGS,
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, pk: str | None = None) -> Response:
        return Response(suite_export(suite=self.get_object()))

    @extend_schema(
        summary="Import a suite: replaces the route's probes (created if it has none)",
        parameters=[TEAM_PARAMETER],
        request=SuiteImportSerializer,
        responses={201: ProbeSuiteSerializer},
        tags=TAGS,
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_suite(self, request: Request) -> Response:
        serializer = SuiteImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        team = team_of(request)
        route = Route.objects.filter(team=team, pk=serializer.validated_data["route"]).first()
        if route is None:
            raise exceptions.ValidationError({"route": ["No such route."]})
        suite = suite_import(team=team, route=route, data=serializer.validated_data["suite"])
        suite = suites_for_team(team=team_of(self.request)).get(pk=suite.pk)
        return Response(ProbeSuiteSerializer(suite).data, status=status.HTTP_201_CREATED)


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number within the database's range (anything else is a 400)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ProbeFilter(django_filters.FilterSet):
    suite = IdFilter(field_name="suite_id")

    class Meta:
        model = Probe
        fields = ["suite"]


@_crud_schema("probe")
class ProbeViewSet(_TeamViewSet):
    serializer_class = ProbeSerializer
    filterset_class = ProbeFilter
    model = Probe

    def _selector(self, *, team: Team) -> QuerySet[Probe]:
        return probes_for_team(team=team).order_by("suite_id", "position", "id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        suite = data.pop("suite")
        serializer.instance = probe_create(suite=suite, data=data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        probe = serializer.instance
        assert probe is not None
        data = dict(serializer.validated_data)
        suite = data.pop("suite", probe.suite)
        if suite.pk != probe.suite_id:
            raise exceptions.ValidationError({"suite": ["A probe stays in its suite."]})
        serializer.instance = probe_update(probe=probe, data=data)

    def perform_destroy(self, instance: Probe) -> None:
        probe_delete(probe=instance)


class RoundFilter(django_filters.FilterSet):
    route = IdFilter(field_name="route_id")
    status = django_filters.ChoiceFilter(choices=ProbeRound._meta.get_field("status").choices)

    class Meta:
        model = ProbeRound
        fields = ["route", "status"]


@extend_schema_view(
    list=extend_schema(summary="List the team's probe rounds", parameters=[TEAM_PARAMETER], tags=TAGS),
    retrieve=extend_schema(
        summary="One probe round with its results", parameters=[TEAM_PARAMETER], tags=TAGS
    ),
)
class ProbeRoundViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsMemberOrTeamToken, TeamPermission]
    filterset_class = RoundFilter

    def get_queryset(self) -> QuerySet[ProbeRound]:
        if getattr(self, "swagger_fake_view", False):
            return ProbeRound.objects.none()
        return team_scoped(self.request, rounds_for_team).order_by("-created_at", "-id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return RoundDetailOutSerializer if self.action == "retrieve" else RoundOutSerializer


class ResultFilter(django_filters.FilterSet):
    route = IdFilter(field_name="route_id")
    round = IdFilter(field_name="round_id")
    is_shadow = django_filters.BooleanFilter()
    backend_kind = django_filters.ChoiceFilter(choices=ProbeResult._meta.get_field("backend_kind").choices)

    class Meta:
        model = ProbeResult
        fields = ["route", "round", "is_shadow", "backend_kind"]


@extend_schema_view(
    list=extend_schema(
        summary="List probe and shadow results (filter by route, round, shadow)",
        parameters=[TEAM_PARAMETER],
        tags=TAGS,
    ),
    retrieve=extend_schema(summary="One probe or shadow result", parameters=[TEAM_PARAMETER], tags=TAGS),
)
class ProbeResultViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsMemberOrTeamToken, TeamPermission]
    serializer_class = ResultOutSerializer
    filterset_class = ResultFilter

    def get_queryset(self) -> QuerySet[ProbeResult]:
        if getattr(self, "swagger_fake_view", False):
            return ProbeResult.objects.none()
        return team_scoped(self.request, results_for_team).order_by("-created_at", "-id")
