"""Writes for probes and migrations: suites, probe rounds, applying a round to the share, and the
owner's controls. Tasks, pages and the API all call these.

At-least-once delivery is the rule (Celery with ``acks_late``): ``probe_round_run`` resumes a round
where an earlier delivery stopped (each probe is answered once per backend), and
``migration_apply_probe_round`` applies a round once (the round row is locked and marked applied in
the same transaction that changes the share, and ``routing.services.route_set_share`` records at most
one change per round).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from catalog.models import ModelKind
from portal.models import Team
from probes.checks import CheckSpecError, checks_validate
from probes.models import (
    DEFAULT_PROBE_INTERVAL_MINUTES,
    PolicyModeChoice,
    Probe,
    ProbeResult,
    ProbeRound,
    ProbeSuite,
    RoundStatus,
    RoundTrigger,
    RouteMigration,
)
from probes.policy import (
    Action,
    Evidence,
    MigrationState,
    PolicyMode,
    PolicySettings,
    migration_decide,
    wilson_interval,
)
from probes.selectors import shadow_scores_recent, team_budget_state
from routing.models import Route, ShareSource
from routing.services import route_set_share

SUITE_FORMAT = "modelwise.probe-suite/1"
SCHEDULED_TASK = "probes.scheduled_round"
ROUND_TASK = "probes.run_round"
MAX_PROBES_PER_SUITE = 500
PROBE_FIELDS = ("name", "prompt", "messages", "task_type", "checks", "max_tokens", "enabled")


def _user(user: User | AnonymousUser | None) -> User | None:
    return user if isinstance(user, User) else None


# Suites and probes ----------------------------------------------------------------------------------


def _messages_validate(messages: Any) -> list[dict[str, str]]:
    if messages in (None, ""):
        return []
    if not isinstance(messages, list) or not all(
        isinstance(m, dict)
        and m.get("role") in ("system", "user", "assistant")
        and isinstance(m.get("content"), str)
        for m in messages
    ):
        raise ValidationError(
            {"messages": ['Give a list of {"role": system|user|assistant, "content": text} objects.']}
        )
    return [{"role": m["role"], "content": m["content"]} for m in messages]


def probe_clean(data: dict[str, Any]) -> dict[str, Any]:
    """Validate one probe's fields (as from the API or an imported suite); ValidationError by field."""
    errors: dict[str, list[str]] = {}
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 120:
        errors["name"] = ["Give a name of at most 120 characters."]
    prompt = data.get("prompt") or ""
    if not isinstance(prompt, str):
        errors["prompt"] = ["The prompt must be text."]
        prompt = ""
    try:
        messages = _messages_validate(data.get("messages"))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        messages = []
    if not prompt.strip() and not messages and "prompt" not in errors and "messages" not in errors:
        errors["prompt"] = ["Give a prompt or chat messages."]
    try:
        checks = checks_validate(data.get("checks"))
    except CheckSpecError as exc:
        errors.update(exc.errors)
        checks = []
    task_type = data.get("task_type") or ""
    if not isinstance(task_type, str) or len(task_type) > 60:
        errors["task_type"] = ["The task type must be text of at most 60 characters."]
    max_tokens = data.get("max_tokens")
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= 32_000
    ):
        errors["max_tokens"] = ["max_tokens must be a whole number from 1 to 32000."]
    enabled = data.get("enabled", True)
    if not isinstance(enabled, bool):
        errors["enabled"] = ["enabled must be true or false."]
    if errors:
        raise ValidationError(errors)
    return {
        "name": name.strip(),
        "prompt": prompt,
        "messages": messages,
        "task_type": task_type,
        "checks": checks,
        "max_tokens": max_tokens,
        "enabled": enabled,
    }


@transaction.atomic
def suite_create(*, team: Team, route: Route, name: str = "", description: str = "") -> ProbeSuite:
    if route.team_id != team.pk:
        raise ValidationError({"route": ["No such route."]})
    if ProbeSuite.objects.filter(route=route).exists():
        raise ValidationError({"route": ["This route already has a probe suite."]})
    return ProbeSuite.objects.create(
        team=team, route=route, name=(name or f"{route.name} probes")[:120], description=description
    )


def suite_update(*, suite: ProbeSuite, name: str | None = None, description: str | None = None) -> ProbeSuite:
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": ["Give the suite a name."]})
        suite.name = name.strip()[:120]
    if description is not None:
        suite.description = description
    suite.save()
    return suite


def probe_create(*, suite: ProbeSuite, data: dict[str, Any]) -> Probe:
    clean = probe_clean(data)
    if suite.probes.filter(name=clean["name"]).exists():
        raise ValidationError({"name": ["This suite already has a probe with this name."]})
    if suite.probes.count() >= MAX_PROBES_PER_SUITE:
        raise ValidationError({"suite": [f"A suite holds at most {MAX_PROBES_PER_SUITE} probes."]})
    position = (suite.probes.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    return Probe.objects.create(suite=suite, position=position, **clean)


def probe_update(*, probe: Probe, data: dict[str, Any]) -> Probe:
    merged = {field: getattr(probe, field) for field in PROBE_FIELDS} | data
    clean = probe_clean(merged)
    if probe.suite.probes.filter(name=clean["name"]).exclude(pk=probe.pk).exists():
        raise ValidationError({"name": ["This suite already has a probe with this name."]})
    for field, value in clean.items():
        setattr(probe, field, value)
    probe.save()
    return probe


def probe_delete(*, probe: Probe) -> None:
    probe.delete()


def suite_export(*, suite: ProbeSuite) -> dict[str, Any]:
    """The suite as JSON that ``suite_import`` reads back (the format is versioned)."""
    return {
        "format": SUITE_FORMAT,
        "name": suite.name,
        "description": suite.description,
        "probes": [
            {field: getattr(probe, field) for field in PROBE_FIELDS}
            for probe in suite.probes.order_by("position")
        ],
    }


@transaction.atomic
def suite_import(*, team: Team, route: Route, data: Any) -> ProbeSuite:
    """Replace the route's suite (created if missing) with the probes of an exported suite.

    Everything is validated first: one bad probe rejects the whole file, with errors keyed
    ``probes[i].field``, and nothing changes."""
    if route.team_id != team.pk:
        raise ValidationError({"route": ["No such route."]})
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise ValidationError({"file": [f"Not valid JSON: {exc}"]}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("probes"), list):
        raise ValidationError({"probes": ["Give a JSON object with a list of probes."]})
    if data.get("format", SUITE_FORMAT) != SUITE_FORMAT:
        raise ValidationError({"format": [f"Unknown format; expected {SUITE_FORMAT}."]})
    if len(data["probes"]) > MAX_PROBES_PER_SUITE:
        raise ValidationError({"probes": [f"A suite holds at most {MAX_PROBES_PER_SUITE} probes."]})
    errors: dict[str, list[str]] = {}
    cleaned: list[dict[str, Any]] = []
    for index, item in enumerate(data["probes"]):
        if not isinstance(item, dict):
            errors[f"probes[{index}]"] = ["Each probe must be a JSON object."]
            continue
        try:
            cleaned.append(probe_clean(item))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"probes[{index}].{field}"] = messages
    names = [p["name"] for p in cleaned]
    if len(set(names)) != len(names):
        errors["probes"] = ["Probe names must be unique within a suite."]
    if errors:
        raise ValidationError(errors)
    suite = ProbeSuite.objects.filter(route=route).first() or suite_create(team=team, route=route)
    name = data.get("name")
    if isinstance(name, str) and name.strip():
        suite.name = name.strip()[:120]
    if isinstance(data.get("description"), str):
        suite.description = data["description"]
    suite.save()
    suite.probes.all().delete()
    Probe.objects.bulk_create(
        [Probe(suite=suite, position=index + 1, **probe) for index, probe in enumerate(cleaned)]
    )
    return suite


# Migrations -----------------------------------------------------------------------------------------


def _schedule_for(route: Route, minutes: int) -> PeriodicTask:
    interval, _ = IntervalSchedule.objects.get_or_create(every=minutes, period=IntervalSchedule.MINUTES)
    task, _ = PeriodicTask.objects.update_or_create(
        name=f"probes: route {route.pk} ({route.team.slug}/{route.name})"[:200],
        defaults={
            "task": SCHEDULED_TASK,
            "interval": interval,
            "kwargs": json.dumps({"route_id": route.pk}),
            "queue": "probes",
            "enabled": True,
        },
    )
    return task


MIGRATION_SETTINGS = (
    "target_share",
    "step",
    "threshold",
    "min_results",
    "error_limit",
    "max_failures",
    "policy_mode",
    "require_shadow",
)


@transaction.atomic
def migration_create(
    *, route: Route, interval_minutes: int = DEFAULT_PROBE_INTERVAL_MINUTES, **fields: Any
) -> RouteMigration:
    """Start migrating a route (idempotent): its policy, and probe rounds every ``interval_minutes``
    (django-celery-beat, editable in the admin)."""
    existing = RouteMigration.objects.filter(route=route).first()
    if existing is not None:
        return existing
    migration = RouteMigration(team_id=route.team_id, route=route, last_good_share=route.open_source_share)
    for key, value in fields.items():
        if key not in MIGRATION_SETTINGS:
            raise ValidationError({key: ["Not a migration setting."]})
        setattr(migration, key, value)
    migration.full_clean(exclude=["schedule", "team", "route"])
    migration.schedule = _schedule_for(route, interval_minutes)
    migration.save()
    return migration


@transaction.atomic
def migration_update(*, migration: RouteMigration, **fields: Any) -> RouteMigration:
    for key, value in fields.items():
        if key not in MIGRATION_SETTINGS:
            raise ValidationError({key: ["Not a migration setting."]})
        setattr(migration, key, value)
    migration.full_clean(exclude=["schedule", "team", "route"])
    migration.save()
    return migration


def _locked(migration: RouteMigration) -> RouteMigration:
    return RouteMigration.objects.select_for_update().select_related("route").get(pk=migration.pk)


@transaction.atomic
def migration_pause(*, migration: RouteMigration, user: User | AnonymousUser | None = None) -> RouteMigration:
    locked = _locked(migration)
    locked.paused = True
    locked.save(update_fields=["paused", "updated_at"])
    migration.paused = True
    return locked


@transaction.atomic
def migration_resume(
    *, migration: RouteMigration, user: User | AnonymousUser | None = None
) -> RouteMigration:
    locked = _locked(migration)
    locked.paused = False
    locked.consecutive_failures = 0
    locked.save(update_fields=["paused", "consecutive_failures", "updated_at"])
    migration.paused = False
    return locked


@transaction.atomic
def migration_set_share(
    *, migration: RouteMigration, share: int, user: User | AnonymousUser | None = None, reason: str = ""
) -> RouteMigration:
    """The owner sets the share by hand: it becomes the last good share (the owner vouches for it)."""
    locked = _locked(migration)
    route_set_share(
        route=locked.route,
        share=share,
        source=ShareSource.MANUAL,
        reason=reason.strip() or "Set by hand",
        changed_by=user,
    )
    locked.last_good_share = share
    locked.consecutive_failures = 0
    locked.save(update_fields=["last_good_share", "consecutive_failures", "updated_at"])
    return locked


@transaction.atomic
def migration_rollback(
    *, migration: RouteMigration, user: User | AnonymousUser | None = None, reason: str = ""
) -> RouteMigration:
    """All traffic back on the proprietary backend, and the migration paused until resumed."""
    locked = _locked(migration)
    route_set_share(
        route=locked.route,
        share=0,
        source=ShareSource.ROLLBACK,
        reason=reason.strip() or "Rolled back by hand; migration paused",
        changed_by=user,
    )
    locked.paused = True
    locked.last_good_share = 0
    locked.consecutive_failures = 0
    locked.save(update_fields=["paused", "last_good_share", "consecutive_failures", "updated_at"])
    return locked


def policy_settings(migration: RouteMigration) -> PolicySettings:
    return PolicySettings(
        mode=PolicyMode(migration.policy_mode),
        threshold=float(migration.threshold),
        min_results=migration.min_results,
        step=migration.step,
        target=migration.target_share,
        error_limit=float(migration.error_limit),
        max_failures=migration.max_failures,
        require_shadow=migration.require_shadow,
    )


# Probe rounds ---------------------------------------------------------------------------------------


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
        scores = list(
            ProbeResult.objects.filter(
                round=probe_round, backend_kind=row["backend_kind"], score__isnull=False
            ).values_list("score", flat=True)
        )
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
    from routing.calls import backend_target

    from probes.runner import BUDGET_SPENT, OPEN_SOURCE, PROPRIETARY, ProbeJob, RunOptions, run_jobs

    with transaction.atomic():
        probe_round = (
            ProbeRound.objects.select_for_update()
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
    scores = tuple(s for s in results.values_list("score", flat=True) if s is not None)
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


def migration_policy_choices() -> list[tuple[str, str]]:
    return list(PolicyModeChoice.choices)
