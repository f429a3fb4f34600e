"""Probe rounds: start one (once per key), run it, and apply it to the route's share.

At-least-once delivery is the rule (Celery with ``acks_late``): ``probe_round_run`` resumes a round
where an earlier delivery stopped (each probe is answered once per backend), and
``migration_apply_probe_round`` applies a round once (the round row is locked and marked applied in
the same transaction that changes the share, and ``routing.services.route_set_share`` records at most
one change per round).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from catalog.models import ModelKind
from probes.models import (
    Probe,
    ProbeResult,
    ProbeRound,
    RoundStatus,
    RoundTrigger,
    RouteMigration,
)
from probes.policy import (
    Action,
    Evidence,
    MigrationState,
    migration_decide,
    wilson_interval,
)
from probes.selectors import shadow_scores_recent, team_budget_state
from probes.services.migrations import policy_settings
from routing.models import Route, ShareSource
from routing.services import route_set_share


def _user(user: User | AnonymousUser | None) -> User | None:
    return user if isinstance(user, User) else None


def _enqueue_round(round_id: int) -> None:
    from probes.tasks import run_round

    run_round.apply_async(kwargs={"round_id": round_id}, queue="probes")


def schedule_slot_key(now: dt.datetime, minutes: int) -> str:
    """The same key for every delivery of one schedule slot (beat redelivering, two beats)."""
    epoch = int(now.timestamp()) // (minutes * 60) * (minutes * 60)
    return f"schedule:{epoch}"


@transaction.atomic
def probe_round_start(
    *,
    route: Route,
    trigger: str = RoundTrigger.MANUAL,
    requested_by: User | AnonymousUser | None = None,
    idempotency_key: str | None = None,
) -> ProbeRound:
    """Create a round (one per key) and enqueue it once the transaction commits.

    A round whose route cannot be probed (no suite, no probes, a missing backend, the team's budget
    spent) is created already stopped, with the reason shown on the route's page."""
    key = idempotency_key or f"{trigger}:{uuid.uuid4().hex}"
    existing = ProbeRound.objects.filter(route=route, idempotency_key=key).first()
    if existing is not None:
        return existing
    probes = Probe.objects.filter(suite__route=route, enabled=True).count()
    kinds = [b for b in (route.proprietary_backend_id, route.open_source_backend_id) if b is not None]
    stop_reason = ""
    budget = team_budget_state(team=route.team)
    if budget.exhausted:
        stop_reason = budget.reason
    elif route.open_source_backend_id is None:
        stop_reason = "The route has no open-source backend to probe."
    elif probes == 0:
        stop_reason = "The route's probe suite has no enabled probes."
    try:
        with transaction.atomic():
            probe_round = ProbeRound.objects.create(
                team_id=route.team_id,
                route=route,
                idempotency_key=key,
                trigger=trigger,
                requested_by=_user(requested_by),
                total_calls=probes * len(kinds),
                share_before=route.open_source_share,
                status=RoundStatus.STOPPED if stop_reason else RoundStatus.QUEUED,
                stop_reason=stop_reason,
                finished_at=timezone.now() if stop_reason else None,
            )
    except IntegrityError:  # the same key, created meanwhile
        return ProbeRound.objects.get(route=route, idempotency_key=key)
    RouteMigration.objects.filter(route=route).update(stop_reason=stop_reason if budget.exhausted else "")
    if not stop_reason:
        transaction.on_commit(lambda: _enqueue_round(probe_round.pk))
    return probe_round


def _round_summary(probe_round: ProbeRound) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    rows = (
        ProbeResult.objects.filter(round=probe_round)
        .values("backend_kind")
        .annotate(
            n=Count("id", filter=Q(score__isnull=False)),
            calls=Count("id"),
            errors=Count("id", filter=~Q(error="")),
            cost=Sum("cost_usd"),
        )
    )
    for row in rows:
        scores = [
            float(score)
            for score in ProbeResult.objects.filter(
                round=probe_round, backend_kind=row["backend_kind"], score__isnull=False
            ).values_list("score", flat=True)
            if score is not None
        ]
        mean = sum(scores) / len(scores) if scores else 0.0
        interval = wilson_interval(mean, len(scores))
        summary[row["backend_kind"]] = {
            "mean": round(mean, 4) if scores else None,
            "low": round(interval.low, 4),
            "high": round(interval.high, 4),
            "n": row["n"],
            "calls": row["calls"],
            "errors": row["errors"],
            "cost_usd": str(row["cost"] or Decimal("0")),
        }
    shadow = shadow_scores_recent(route=probe_round.route)
    if shadow:
        mean = sum(shadow) / len(shadow)
        interval = wilson_interval(mean, len(shadow))
        summary["shadow"] = {
            "mean": round(mean, 4),
            "low": round(interval.low, 4),
            "high": round(interval.high, 4),
            "n": len(shadow),
        }
    return summary


def _round_refresh_counts(round_id: int) -> None:
    totals = ProbeResult.objects.filter(round_id=round_id).aggregate(
        done=Count("id"), errors=Count("id", filter=~Q(error="")), cost=Sum("cost_usd")
    )
    ProbeRound.objects.filter(pk=round_id).update(
        done_calls=totals["done"], error_calls=totals["errors"], cost_usd=totals["cost"] or Decimal("0")
    )


def probe_round_run(*, round_id: int) -> ProbeRound:
    """Run a round's missing calls (all of them the first time) and finish it. Safe to deliver again:
    answered probes are not asked again, a finished round is left as it is."""
    from probes.runner import BUDGET_SPENT, OPEN_SOURCE, PROPRIETARY, ProbeJob, RunOptions, run_jobs
    from routing.calls import backend_target

    with transaction.atomic():
        probe_round = (
            ProbeRound.objects.select_for_update(of=("self",))
            .select_related(
                "route__team",
                "route__proprietary_backend__catalog_model",
                "route__open_source_backend__catalog_model",
            )
            .get(pk=round_id)
        )
        if probe_round.is_finished:
            return probe_round
        route = probe_round.route
        backends = {
            kind: backend
            for kind, backend in (
                (PROPRIETARY, route.proprietary_backend),
                (OPEN_SOURCE, route.open_source_backend),
            )
            if backend is not None
        }
        probes = list(Probe.objects.filter(suite__route=route, enabled=True))
        probe_round.status = RoundStatus.RUNNING
        probe_round.started_at = probe_round.started_at or timezone.now()
        probe_round.attempts += 1
        probe_round.total_calls = len(probes) * len(backends)
        probe_round.save(update_fields=["status", "started_at", "attempts", "total_calls"])

    recorded = {
        (r.probe_id, r.backend_kind): r.output if not r.error else None
        for r in ProbeResult.objects.filter(round=probe_round)
    }
    jobs = []
    for probe in probes:
        kinds = tuple(kind for kind in backends if (probe.pk, kind) not in recorded)
        if kinds:
            jobs.append(
                ProbeJob(
                    probe_id=probe.pk,
                    messages=probe.chat_messages(),
                    checks=probe.checks,
                    max_tokens=probe.max_tokens,
                    kinds=kinds,
                    reference=recorded.get((probe.pk, PROPRIETARY)),
                )
            )
    budget = team_budget_state(team=route.team)
    options = RunOptions(
        concurrency=settings.PROBES_CONCURRENCY,
        call_timeout_s=settings.PROBES_CALL_TIMEOUT_S,
        budget_usd=budget.remaining,
    )
    names = {probe.pk: probe.name for probe in probes}
    stop_reason = budget.reason if budget.exhausted else ""
    if jobs and not stop_reason:
        targets = {kind: backend_target(backend) for kind, backend in backends.items()}
        for batch in run_jobs(jobs, targets, options):
            rows = []
            for item in batch:
                if item is BUDGET_SPENT:
                    stop_reason = team_budget_state(team=route.team).reason
                    continue
                call = item.call
                backend = backends[item.backend_kind]
                rows.append(
                    ProbeResult(
                        team_id=probe_round.team_id,
                        route_id=route.pk,
                        round=probe_round,
                        probe_id=item.probe_id,
                        probe_name=names[item.probe_id],
                        backend=backend,
                        backend_name=backend.name,
                        backend_kind=item.backend_kind,
                        output=call.text or "",
                        check_outcomes=[o.as_dict() for o in item.outcomes],
                        score=0.0 if call.error else item.score,
                        latency_ms=call.latency_ms,
                        input_tokens=call.input_tokens,
                        output_tokens=call.output_tokens,
                        cost_usd=call.cost_usd,
                        error=call.error[:300],
                    )
                )
            ProbeResult.objects.bulk_create(rows, ignore_conflicts=True)
            _round_refresh_counts(probe_round.pk)

    with transaction.atomic():
        probe_round = ProbeRound.objects.select_for_update().select_related("route").get(pk=round_id)
        if probe_round.is_finished:
            return probe_round
        _round_refresh_counts(probe_round.pk)
        probe_round.refresh_from_db()
        probe_round.summary = _round_summary(probe_round)
        probe_round.status = RoundStatus.STOPPED if stop_reason else RoundStatus.DONE
        probe_round.stop_reason = stop_reason
        probe_round.finished_at = timezone.now()
        probe_round.save(update_fields=["summary", "status", "stop_reason", "finished_at"])
        if stop_reason:
            RouteMigration.objects.filter(route_id=probe_round.route_id).update(stop_reason=stop_reason)
    return probe_round


@transaction.atomic
def probe_round_fail(*, round_id: int, reason: str) -> None:
    ProbeRound.objects.filter(pk=round_id, status__in=[RoundStatus.QUEUED, RoundStatus.RUNNING]).update(
        status=RoundStatus.FAILED, stop_reason=reason[:300], finished_at=timezone.now()
    )


@transaction.atomic
def migration_apply_probe_round(*, round_id: int) -> ProbeRound:
    """Let a finished round move the route's share per the migration policy, exactly once.

    The round row is locked and marked applied in the same transaction as the share change, so a
    second delivery finds it applied and changes nothing."""
    probe_round = ProbeRound.objects.select_for_update().get(pk=round_id)
    if probe_round.applied_at is not None or probe_round.status != RoundStatus.DONE:
        return probe_round
    migration = RouteMigration.objects.select_for_update().filter(route_id=probe_round.route_id).first()
    route = Route.objects.get(pk=probe_round.route_id)
    probe_round.applied_at = timezone.now()
    probe_round.share_before = route.open_source_share
    if migration is None:
        probe_round.decision = Action.HOLD
        probe_round.decision_reason = "The route is not migrating."
        probe_round.share_after = route.open_source_share
        probe_round.save()
        return probe_round
    results = ProbeResult.objects.filter(round=probe_round, backend_kind=ModelKind.OPEN_SOURCE)
    scores = tuple(float(s) for s in results.values_list("score", flat=True) if s is not None)
    evidence = Evidence(
        scores=scores,
        errors=results.exclude(error="").count(),
        calls=results.count(),
        shadow_scores=tuple(shadow_scores_recent(route=route)),
    )
    state = MigrationState(
        share=route.open_source_share,
        last_good_share=migration.last_good_share,
        consecutive_failures=migration.consecutive_failures,
        paused=migration.paused,
    )
    decision = migration_decide(policy_settings(migration), state, evidence)
    if decision.share != route.open_source_share:
        route_set_share(
            route=route,
            share=decision.share,
            source=ShareSource.ROLLBACK if decision.action == Action.STEP_BACK else ShareSource.MIGRATION,
            reason=f"Probe round {probe_round.pk}: {decision.reason}",
            probe_round_id=probe_round.pk,
        )
    migration.last_good_share = decision.state.last_good_share
    migration.consecutive_failures = decision.state.consecutive_failures
    migration.save(update_fields=["last_good_share", "consecutive_failures", "updated_at"])
    probe_round.decision = decision.action
    probe_round.decision_reason = decision.reason[:300]
    probe_round.share_after = decision.share
    probe_round.save()
    return probe_round


def probe_rounds_requeue_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Enqueue again the rounds whose message was lost: queued for over 10 minutes, or running for
    longer than a round's hard time limit plus a margin (its worker is gone). Safe: a round resumes
    where it stopped and is applied once."""
    now = now or timezone.now()
    hard_limit = dt.timedelta(seconds=settings.PROBES_ROUND_SOFT_LIMIT_S + 30 + 300)
    stale = list(
        ProbeRound.objects.filter(
            Q(status=RoundStatus.QUEUED, created_at__lt=now - dt.timedelta(minutes=10))
            | Q(status=RoundStatus.RUNNING, started_at__lt=now - hard_limit)
        ).values_list("pk", flat=True)[:100]
    )
    for round_id in stale:
        _enqueue_round(round_id)
    return stale
