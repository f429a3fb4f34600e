"""Reads for routing. Every team-owned row is fetched through a selector that takes the team first,
so another team's backend, route or request log reads exactly like a missing one (404)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from catalog.models import ModelKind, ModelOption
from portal.models import Team
from routing.models import Backend, RequestLog, Route, ShareChange, TeamBudget


def backends_for_team(*, team: Team) -> QuerySet[Backend]:
    """The team's backends by name, with their catalog model and the gateway's latest health report."""
    return Backend.objects.filter(team=team).select_related("catalog_model", "health").order_by("name", "id")


def routing_progress(*, team: Team) -> dict[str, bool]:
    """Whether the team has a backend and a route, in one query."""
    row = (
        Team.objects.filter(pk=team.pk)
        .annotate(
            has_backends=Exists(Backend.objects.filter(team=OuterRef("pk"))),
            has_routes=Exists(Route.objects.filter(team=OuterRef("pk"))),
        )
        .values("has_backends", "has_routes")
        .get()
    )
    return dict(row)


def backend_get(*, team: Team, backend_id: int) -> Backend:
    return get_object_or_404(Backend.objects.filter(team=team).select_related("catalog_model"), pk=backend_id)


def backend_choices(*, team: Team, kind: str) -> QuerySet[Backend]:
    """Just enough of the team's backends of one kind to offer them in a picker."""
    return Backend.objects.filter(team=team, kind=kind).only("id", "name", "kind", "team_id").order_by("name")


def routes_for_team(*, team: Team) -> QuerySet[Route]:
    """The default route first, then by name, with both backends (and their catalog models)."""
    return (
        Route.objects.filter(team=team)
        .select_related(
            "proprietary_backend__catalog_model",
            "open_source_backend__catalog_model",
        )
        .order_by("-is_default", "name", "id")
    )


def route_get(*, team: Team, route_id: int) -> Route:
    return get_object_or_404(
        Route.objects.filter(team=team).select_related("proprietary_backend", "open_source_backend"),
        pk=route_id,
    )


def share_changes_for_team(*, team: Team) -> QuerySet[ShareChange]:
    """Share history of all the team's routes, newest first."""
    return (
        ShareChange.objects.filter(route__team=team)
        .select_related("route", "changed_by")
        .order_by("-changed_at", "-id")
    )


def request_logs_for_team(*, team: Team) -> QuerySet[RequestLog]:
    """Newest first. Logs carry the route's and backend's names, so no join is needed to show them."""
    return RequestLog.objects.filter(team=team).order_by("-created_at", "-id")


def budget_for_team(*, team: Team) -> TeamBudget | None:
    return TeamBudget.objects.filter(team=team).first()


@dataclass(frozen=True)
class BackendActivity:
    """A backend's recent traffic, from the raw logs."""

    requests: int
    errors: int
    avg_latency_ms: int | None

    @property
    def error_rate_percent(self) -> int | None:
        return None if not self.requests else round(self.errors * 100 / self.requests)


def backend_activity(*, team: Team, since: datetime) -> dict[int, BackendActivity]:
    """Requests, errors and mean latency per backend id since a moment, in one grouped query."""
    rows = (
        RequestLog.objects.filter(team=team, created_at__gte=since, backend__isnull=False, is_shadow=False)
        .values("backend_id")
        .annotate(
            requests=Count("id"),
            errors=Count("id", filter=Q(status_code__gte=400)),
            latency=Avg("latency_ms"),
        )
        .order_by()
    )
    return {
        row["backend_id"]: BackendActivity(
            requests=row["requests"],
            errors=row["errors"],
            avg_latency_ms=round(row["latency"]) if row["latency"] is not None else None,
        )
        for row in rows
    }


def recent_window() -> datetime:
    """The window the health column summarises."""
    return timezone.now() - timedelta(hours=1)


# --- Route this pair -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PairBackends:
    """The team's backends for two compared catalog models; None where the team has none yet."""

    proprietary_model: ModelOption
    open_source_model: ModelOption
    proprietary_backend: Backend | None
    open_source_backend: Backend | None

    @property
    def complete(self) -> bool:
        return self.proprietary_backend is not None and self.open_source_backend is not None


def pair_models(*, proprietary_id: int | None, open_source_id: int | None) -> tuple[ModelOption, ModelOption]:
    """The two catalog models of a compared pair; a missing or wrong-kind id is a 404."""
    proprietary = get_object_or_404(ModelOption, pk=proprietary_id, kind=ModelKind.PROPRIETARY)
    open_source = get_object_or_404(ModelOption, pk=open_source_id, kind=ModelKind.OPEN_SOURCE)
    return proprietary, open_source


def pair_backends(*, team: Team, proprietary: ModelOption, open_source: ModelOption) -> PairBackends:
    """The team's first enabled backend priced by each model (one query)."""
    found: dict[int, Backend] = {}
    for backend in Backend.objects.filter(team=team, catalog_model__in=[proprietary, open_source]).order_by(
        "-enabled", "name", "id"
    ):
        assert backend.catalog_model_id is not None  # filtered on it
        found.setdefault(backend.catalog_model_id, backend)
    prop, oss = found.get(proprietary.pk), found.get(open_source.pk)
    return PairBackends(
        proprietary_model=proprietary,
        open_source_model=open_source,
        proprietary_backend=prop if prop is not None and prop.kind == ModelKind.PROPRIETARY else None,
        open_source_backend=oss if oss is not None and oss.kind == ModelKind.OPEN_SOURCE else None,
    )
