"""Routing over the REST API: the team's backends, routes (with their share history) and the request
log. Querysets come from ``routing.selectors`` with the request's team (``portal.tenancy.team_scoped``),
so another team's id is a 404; writes need a writer role or a read-write token and go through
``routing.services``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from portal.tenancy import TEAM_PARAMETER, IsMemberOrTeamToken, TeamPermission, team_of, team_scoped
from routing.filters import RequestLogFilter
from routing.models import Backend, RequestLog, Route
from routing.selectors import backends_for_team, request_logs_for_team, routes_for_team
from routing.serializers import (
    BackendSerializer,
    RequestLogSerializer,
    RouteDefaultsSerializer,
    RouteSerializer,
    RouteShareSerializer,
    ShareChangeSerializer,
)
from routing.services import (
    backend_create,
    backend_delete,
    backend_update,
    route_create,
    route_delete,
    route_set_share,
    route_update,
    routing_defaults_create,
)

TAGS = ["routing"]


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

    model: type[Backend] | type[Route]
    selector: Any

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no team
            return self.model.objects.none()
        return team_scoped(self.request, type(self).selector)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["team"] = team_of(self.request)
        return context


@_crud_schema("backend")
class BackendViewSet(_TeamViewSet):
    serializer_class = BackendSerializer
    model = Backend
    selector = backends_for_team

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("clear_api_key", None)
        serializer.instance = backend_create(team=team_of(self.request), **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        backend = serializer.instance
        assert backend is not None  # an update serializer is bound to the object
        serializer.instance = backend_update(backend=backend, **serializer.validated_data)

    def perform_destroy(self, instance: Backend) -> None:
        backend_delete(backend=instance)


@_crud_schema("route")
class RouteViewSet(_TeamViewSet):
    serializer_class = RouteSerializer
    model = Route
    selector = routes_for_team

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("share_reason", None)
        serializer.instance = route_create(team=team_of(self.request), changed_by=self.request.user, **data)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        route = serializer.instance
        assert route is not None  # an update serializer is bound to the object
        data = dict(serializer.validated_data)
        serializer.instance = route_update(
            route=route,
            changed_by=self.request.user,
            share_reason=data.pop("share_reason", "") or "Set by hand (API)",
            **data,
        )

    def perform_destroy(self, instance: Route) -> None:
        route_delete(route=instance)

    @extend_schema(
        summary="Set a route's open-source share by hand; the change is recorded",
        parameters=[TEAM_PARAMETER],
        request=RouteShareSerializer,
        responses=RouteSerializer,
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: str | None = None) -> Response:
        route = self.get_object()
        serializer = RouteShareSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        route_set_share(
            route=route,
            share=serializer.validated_data["open_source_share"],
            reason=serializer.validated_data.get("reason") or "Set by hand (API)",
            changed_by=request.user,
        )
        return Response(RouteSerializer(route, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="The route's share history, newest first",
        parameters=[TEAM_PARAMETER],
        responses=ShareChangeSerializer(many=True),
        tags=TAGS,
    )
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        route = self.get_object()
        changes = route.share_changes.select_related("changed_by").order_by("-changed_at", "-id")
        page = self.paginate_queryset(changes)
        return self.get_paginated_response(ShareChangeSerializer(page, many=True).data)

    @extend_schema(
        summary="Create the article's default routes for two backends",
        description="`analysis`, `reasoning` and `creative` go to the proprietary backend (open-source "
        "share 0 %); a default route sends every other task type to the open-source one (100 %).",
        parameters=[TEAM_PARAMETER],
        request=RouteDefaultsSerializer,
        responses={201: RouteSerializer(many=True)},
        tags=TAGS,
    )
    @action(detail=False, methods=["post"])
    def defaults(self, request: Request) -> Response:
        serializer = RouteDefaultsSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        routes = routing_defaults_create(
            team=team_of(request),
            proprietary=serializer.validated_data["proprietary_backend"],
            open_source=serializer.validated_data["open_source_backend"],
            changed_by=request.user,
        )
        return Response(RouteSerializer(routes, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="The team's request log, newest first (filterable)", parameters=[TEAM_PARAMETER], tags=TAGS
    ),
    retrieve=extend_schema(summary="One logged request", parameters=[TEAM_PARAMETER], tags=TAGS),
)
class RequestLogViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsMemberOrTeamToken, TeamPermission]
    serializer_class = RequestLogSerializer
    filterset_class = RequestLogFilter

    def get_queryset(self) -> QuerySet[RequestLog]:
        if getattr(self, "swagger_fake_view", False):
            return RequestLog.objects.none()
        return team_scoped(self.request, request_logs_for_team)
