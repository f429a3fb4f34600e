"""The one JSON shape of a route's migration: returned by the API and rendered by the pages."""

from __future__ import annotations

from typing import Any

from probes.models import ProbeResult, ProbeRound, RouteMigration
from probes.selectors import latest_round, migration_for_route, quality_series, share_history
from routing.models import Route, ShareChange


def result_data(result: ProbeResult) -> dict[str, Any]:
    return {
        "id": result.pk,
        "round": result.round_id,
        "probe": result.probe_id,
        "probe_name": result.probe_name,
        "backend": result.backend_id,
        "backend_name": result.backend_name,
        "backend_kind": result.backend_kind,
        "is_shadow": result.is_shadow,
        "request_id": result.request_id,
        "output": result.output,
        "checks": result.check_outcomes,
        "score": result.score,
        "latency_ms": result.latency_ms,
        "input_tokens": result.input_tokens,
        "output_tokens": result.output_tokens,
        "cost_usd": str(result.cost_usd),
        "error": result.error,
        "created_at": result.created_at.isoformat(),
    }


def round_data(probe_round: ProbeRound, *, results: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": probe_round.pk,
        "route": probe_round.route_id,
        "status": probe_round.status,
        "trigger": probe_round.trigger,
        "stop_reason": probe_round.stop_reason,
        "total_calls": probe_round.total_calls,
        "done_calls": probe_round.done_calls,
        "error_calls": probe_round.error_calls,
        "progress_percent": probe_round.progress_percent,
        "cost_usd": str(probe_round.cost_usd),
        "attempts": probe_round.attempts,
        "created_at": probe_round.created_at.isoformat(),
        "started_at": probe_round.started_at.isoformat() if probe_round.started_at else None,
        "finished_at": probe_round.finished_at.isoformat() if probe_round.finished_at else None,
        "applied": probe_round.applied_at is not None,
        "decision": probe_round.decision,
        "decision_reason": probe_round.decision_reason,
        "share_before": probe_round.share_before,
        "share_after": probe_round.share_after,
        "backends": probe_round.summary,
    }
    if results:
        data["results"] = [result_data(r) for r in ProbeResult.objects.filter(round=probe_round)]
    return data


def share_change_data(change: ShareChange) -> dict[str, Any]:
    return {
        "id": change.pk,
        "changed_at": change.changed_at.isoformat(),
        "changed_by": change.changed_by.username if change.changed_by else None,
        "source": change.source,
        "probe_round": change.probe_round_id,
        "from_share": change.from_share,
        "to_share": change.to_share,
        "reason": change.reason,
    }


MIGRATION_KEYS = (
    "target_share",
    "step",
    "threshold",
    "min_results",
    "error_limit",
    "max_failures",
    "policy_mode",
    "require_shadow",
    "paused",
    "last_good_share",
    "consecutive_failures",
    "stop_reason",
    "schedule_every_minutes",
    "schedule_enabled",
)


def migration_settings_data(migration: RouteMigration | None) -> dict[str, Any]:
    if migration is None:
        return {"migrating": False} | dict.fromkeys(MIGRATION_KEYS)
    every = None
    if migration.schedule is not None and migration.schedule.interval is not None:
        every = migration.schedule.interval.every
    return {
        "migrating": True,
        "target_share": migration.target_share,
        "step": migration.step,
        "threshold": str(migration.threshold),
        "min_results": migration.min_results,
        "error_limit": str(migration.error_limit),
        "max_failures": migration.max_failures,
        "policy_mode": migration.policy_mode,
        "require_shadow": migration.require_shadow,
        "paused": migration.paused,
        "last_good_share": migration.last_good_share,
        "consecutive_failures": migration.consecutive_failures,
        "stop_reason": migration.stop_reason,
        "schedule_every_minutes": every,
        "schedule_enabled": bool(migration.schedule and migration.schedule.enabled),
    }


def migration_state_data(route: Route, *, history: int = 50) -> dict[str, Any]:
    migration = migration_for_route(route=route)
    latest = latest_round(route=route)
    return {
        "route": route.pk,
        "route_name": route.name,
        "open_source_share": route.open_source_share,
        "shadow_rate": str(route.shadow_rate),
        **migration_settings_data(migration),
        "latest_round": round_data(latest, results=True) if latest else None,
        "series": quality_series(route=route),
        "history": [share_change_data(c) for c in share_history(route=route, limit=history)],
    }
