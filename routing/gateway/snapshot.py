"""The gateway's in-memory configuration: tokens, routes, backends (keys decrypted), budgets, prices.

Loaded with a handful of ORM queries off the event loop, swapped in whole, and reloaded when
``ConfigVersion`` moves. The request path only reads these plain dictionaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import orjson

from portal.models import GATEWAY_ACCESS, ApiToken
from routing.adapters import BackendTarget
from routing.budget import teams_month_spend
from routing.calls import backend_target
from routing.models import Backend, ConfigVersion, Route, TeamBudget
from routing.picking import RoutePair

AUTO = "auto"


@dataclass(frozen=True)
class TokenEntry:
    token_id: int
    team_id: int
    access: str

    @property
    def may_call_gateway(self) -> bool:
        return self.access in GATEWAY_ACCESS


@dataclass(frozen=True)
class RouteEntry:
    id: int
    name: str
    pair: RoutePair
    shadow_rate: Decimal = Decimal(0)


@dataclass
class TeamConfig:
    routes_by_name: dict[str, RouteEntry] = field(default_factory=dict)
    routes_by_task: dict[str, RouteEntry] = field(default_factory=dict)
    default_route: RouteEntry | None = None
    monthly_limit_usd: Decimal | None = None
    models_body: bytes = b""

    def route_for(self, *, model: str, task_type: str) -> RouteEntry | None:
        """``auto``: the route serving the task type, else the default route. Otherwise the named route."""
        if model == AUTO:
            return self.routes_by_task.get(task_type, self.default_route) if task_type else self.default_route
        return self.routes_by_name.get(model)


@dataclass
class Snapshot:
    version: int
    tokens: dict[str, TokenEntry]
    teams: dict[int, TeamConfig]
    backends: dict[int, BackendTarget]
    month_spend: dict[int, Decimal]  # teams with a limit: the month's spend in the database


EMPTY = Snapshot(version=-1, tokens={}, teams={}, backends={}, month_spend={})


def config_version_read() -> int:
    """The current configuration version (one indexed read); 0 before anything was ever saved."""
    return ConfigVersion.objects.filter(pk=1).values_list("version", flat=True).first() or 0


def models_body(team: TeamConfig) -> bytes:
    data = [{"id": AUTO, "object": "model", "created": 0, "owned_by": "modelwise"}]
    data += [
        {"id": name, "object": "model", "created": 0, "owned_by": "modelwise"}
        for name in sorted(team.routes_by_name)
    ]
    return orjson.dumps({"object": "list", "data": data})


def snapshot_load() -> Snapshot:
    """Read everything the gateway needs (5 queries + 1 for the spend of teams with a limit).

    The version is read first: a change committed while loading makes the next poll reload again.
    """
    version = config_version_read()
    tokens = {
        digest: TokenEntry(token_id=pk, team_id=team_id, access=access)
        for pk, digest, team_id, access in ApiToken.objects.filter(revoked_at__isnull=True).values_list(
            "pk", "digest", "team_id", "access"
        )
    }
    backends = {
        b.pk: backend_target(b) for b in Backend.objects.select_related("catalog_model").order_by("pk")
    }
    teams: dict[int, TeamConfig] = {}
    for route in Route.objects.order_by("pk"):
        entry = RouteEntry(
            id=route.pk,
            name=route.name,
            pair=RoutePair(
                key=f"route-{route.pk}",
                proprietary_backend_id=route.proprietary_backend_id,
                open_source_backend_id=route.open_source_backend_id,
                open_source_share=route.open_source_share,
            ),
            shadow_rate=route.shadow_rate,
        )
        team = teams.setdefault(route.team_id, TeamConfig())
        team.routes_by_name[route.name] = entry
        for task_type in route.task_types or ():
            if isinstance(task_type, str):
                team.routes_by_task.setdefault(task_type.strip().lower(), entry)
        if route.is_default:
            team.default_route = entry
    for team_id, limit in TeamBudget.objects.filter(monthly_limit_usd__isnull=False).values_list(
        "team_id", "monthly_limit_usd"
    ):
        teams.setdefault(team_id, TeamConfig()).monthly_limit_usd = limit
    for team_id in {t.team_id for t in tokens.values()}:
        teams.setdefault(team_id, TeamConfig())
    for team in teams.values():
        team.models_body = models_body(team)
    limited = [tid for tid, team in teams.items() if team.monthly_limit_usd is not None]
    return Snapshot(
        version=version,
        tokens=tokens,
        teams=teams,
        backends=backends,
        month_spend=teams_month_spend(team_ids=limited),
    )
