"""Reads for probes and migrations. Every team-owned read takes the team first and fails closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from portal.models import Team
from probes.models import Probe, ProbeResult, ProbeRound, ProbeSuite, RouteMigration
from routing.budget import month_start
from routing.budget import team_month_spend as gateway_month_spend
from routing.models import RequestLog, Route, ShareChange, TeamBudget

ZERO = Decimal("0")


def migration_for_route(*, route: Route) -> RouteMigration | None:
    return RouteMigration.objects.filter(route=route).select_related("schedule__interval").first()


def suites_for_team(*, team: Team) -> QuerySet[ProbeSuite]:
    return ProbeSuite.objects.filter(team=team).select_related("route").annotate(probe_count=Count("probes"))


def suite_get(*, team: Team, suite_id: int) -> ProbeSuite:
    suite = ProbeSuite.objects.filter(team=team, pk=suite_id).select_related("route").first()
    if suite is None:
        raise Http404("No such suite.")
    return suite


def probes_for_team(*, team: Team) -> QuerySet[Probe]:
    return Probe.objects.filter(suite__team=team).select_related("suite")


def rounds_for_team(*, team: Team) -> QuerySet[ProbeRound]:
    return ProbeRound.objects.filter(team=team).select_related("route")


def rounds_for_route(*, route: Route) -> QuerySet[ProbeRound]:
    return ProbeRound.objects.filter(route=route)


def round_get(*, team: Team, round_id: int) -> ProbeRound:
    found = rounds_for_team(team=team).filter(pk=round_id).first()
    if found is None:
        raise Http404("No such probe round.")
    return found


def results_for_team(*, team: Team) -> QuerySet[ProbeResult]:
    return ProbeResult.objects.filter(team=team)


def share_history(*, route: Route, limit: int = 50) -> list[ShareChange]:
    return list(ShareChange.objects.filter(route=route).select_related("changed_by")[:limit])


def team_month_spend(*, team: Team, now: dt.datetime | None = None) -> Decimal:
    """What the team spent this calendar month (UTC): gateway requests plus probe rounds. Shadow
    calls are counted apart and never count toward the budget."""
    rounds = ProbeRound.objects.filter(team=team, created_at__gte=month_start(now)).aggregate(
        total=Sum("cost_usd")
    )["total"]
    return gateway_month_spend(team_id=team.pk, now=now) + (rounds or ZERO)


def team_shadow_spend(*, team: Team, now: dt.datetime | None = None) -> Decimal:
    total = RequestLog.objects.filter(team=team, created_at__gte=month_start(now), is_shadow=True).aggregate(
        total=Sum("cost_usd")
    )["total"]
    return total or ZERO


@dataclass(frozen=True)
class BudgetState:
    limit: Decimal | None
    spent: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.spent

    @property
    def exhausted(self) -> bool:
        return self.limit is not None and self.spent >= self.limit

    @property
    def reason(self) -> str:
        return (
            f"The team's monthly budget is spent: ${self.spent:.2f} of ${self.limit:.2f}; probes are stopped "
            "until the limit is raised or the month turns."
        )


def team_budget_state(*, team: Team) -> BudgetState:
    limit = TeamBudget.objects.filter(team=team).values_list("monthly_limit_usd", flat=True).first()
    return BudgetState(limit=limit, spent=team_month_spend(team=team))


def shadow_scores_recent(*, route: Route, hours: int = 24, limit: int = 1000) -> list[float]:
    since = timezone.now() - dt.timedelta(hours=hours)
    scores = (
        ProbeResult.objects.filter(route=route, is_shadow=True, created_at__gte=since, score__isnull=False)
        .order_by("-created_at")
        .values_list("score", flat=True)[:limit]
    )
    return [float(score) for score in scores if score is not None]


def quality_series(*, route: Route, limit: int = 30) -> list[dict[str, Any]]:
    """The latest finished rounds, oldest first, for the chart: each backend's mean and interval and
    the share after the round."""
    rounds = list(
        ProbeRound.objects.filter(route=route, status="done").order_by("-created_at", "-id")[:limit]
    )
    rounds.reverse()
    return [
        {
            "round": r.pk,
            "at": r.created_at.isoformat(),
            "proprietary": (r.summary.get("proprietary") or {}).get("mean"),
            "open_source": (r.summary.get("open_source") or {}).get("mean"),
            "open_source_low": (r.summary.get("open_source") or {}).get("low"),
            "shadow": (r.summary.get("shadow") or {}).get("mean"),
            "share": r.share_after if r.share_after is not None else r.share_before,
        }
        for r in rounds
    ]


def latest_round(*, route: Route) -> ProbeRound | None:
    return ProbeRound.objects.filter(route=route).order_by("-created_at", "-id").first()


def round_results_by_probe(*, probe_round: ProbeRound) -> list[dict[str, Any]]:
    """A round's results paired per probe: {probe_name, proprietary: result, open_source: result}."""
    rows: dict[str, dict[str, Any]] = {}
    for result in ProbeResult.objects.filter(round=probe_round).order_by("probe_id", "-backend_kind", "id"):
        row = rows.setdefault(result.probe_name, {"probe_name": result.probe_name, "results": []})
        row[result.backend_kind] = result
        row["results"].append(result)
    return list(rows.values())


def shadow_results_recent(*, route: Route, limit: int = 20) -> QuerySet[ProbeResult]:
    return ProbeResult.objects.filter(route=route, is_shadow=True).filter(~Q(request_id=""))[:limit]


def probe_get(*, team: Team, route: Route, probe_id: int) -> Probe:
    """One probe of a route's suite; another team's or another route's probe reads as missing."""
    probes = Probe.objects.filter(pk=probe_id, suite__team=team, suite__route=route)
    probe = probes.select_related("suite").first()
    if probe is None:
        raise Http404("No such probe.")
    return probe
