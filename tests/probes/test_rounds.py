"""Probe rounds over real HTTP to the local upstream, applied to the migration exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from probes.models import ProbeResult, ProbeRound, RoundStatus, RouteMigration
from probes.selectors import team_month_spend
from probes.services import (
    migration_apply_probe_round,
    migration_pause,
    migration_rollback,
    migration_set_share,
    probe_round_run,
    probe_round_start,
)
from routing.models import Backend, RequestLog, Route, ShareChange, TeamBudget
from tests.factories import ModelOptionFactory


def run_and_apply(route, **kw) -> ProbeRound:
    probe_round = probe_round_start(route=route, **kw)
    probe_round_run(round_id=probe_round.pk)
    return migration_apply_probe_round(round_id=probe_round.pk)


def test_a_good_open_source_backend_moves_the_share_one_step(route_factory):
    route = route_factory(os_model="local-os", probes=24)
    probe_round = run_and_apply(route)
    assert probe_round.status == RoundStatus.DONE
    assert probe_round.total_calls == probe_round.done_calls == 48
    assert probe_round.summary["open_source"]["mean"] == 1.0
    assert probe_round.summary["open_source"]["low"] >= 0.85
    assert probe_round.decision == "advance"
    route.refresh_from_db()
    assert route.open_source_share == 10
    change = ShareChange.objects.get(route=route)
    assert (change.from_share, change.to_share, change.probe_round_id) == (0, 10, probe_round.pk)
    assert change.source == "migration" and "Probe round" in change.reason


def test_each_result_keeps_output_checks_score_latency_and_tokens(route_factory):
    route = route_factory(os_model="local-os", probes=2)
    probe_round = run_and_apply(route)
    result = ProbeResult.objects.get(round=probe_round, probe_name="sum 1", backend_kind="open_source")
    assert result.output == "5" and result.score == 1.0 and result.error == ""
    assert [o["type"] for o in result.check_outcomes] == ["number", "regex", "agreement"]
    assert all(o["passed"] for o in result.check_outcomes)
    assert result.input_tokens > 0 and result.output_tokens > 0
    reference = ProbeResult.objects.get(round=probe_round, probe_name="sum 1", backend_kind="proprietary")
    assert reference.check_outcomes[2]["applicable"] is False


def test_a_bad_open_source_backend_steps_back_to_the_last_good_share(route_factory):
    route = route_factory(os_model="bad-os", share=40, probes=24)
    RouteMigration.objects.filter(route=route).update(last_good_share=30)
    probe_round = run_and_apply(route)
    assert probe_round.summary["open_source"]["mean"] == 0.0
    assert probe_round.summary["proprietary"]["mean"] == 1.0
    assert probe_round.decision == "step_back"
    route.refresh_from_db()
    assert route.open_source_share == 30
    assert ShareChange.objects.get(route=route).source == "rollback"


def test_too_few_results_hold(route_factory):
    route = route_factory(os_model="local-os", probes=10)
    probe_round = run_and_apply(route)
    assert probe_round.decision == "hold" and "fewer than the 20" in probe_round.decision_reason
    route.refresh_from_db()
    assert route.open_source_share == 0


def test_the_article_mode_moves_on_a_handful_of_probes(route_factory):
    route = route_factory(os_model="local-os", probes=4, policy_mode="article")
    run_and_apply(route)
    route.refresh_from_db()
    assert route.open_source_share == 10


def test_applying_a_round_twice_changes_the_share_once(route_factory):
    route = route_factory(os_model="local-os", probes=24)
    probe_round = probe_round_start(route=route)
    probe_round_run(round_id=probe_round.pk)
    migration_apply_probe_round(round_id=probe_round.pk)
    migration_apply_probe_round(round_id=probe_round.pk)
    probe_round_run(round_id=probe_round.pk)  # a redelivered task runs both steps again
    migration_apply_probe_round(round_id=probe_round.pk)
    route.refresh_from_db()
    assert route.open_source_share == 10
    assert ShareChange.objects.filter(route=route).count() == 1
    assert ProbeResult.objects.filter(round=probe_round).count() == 48


def test_a_redelivered_round_resumes_without_asking_answered_probes_again(route_factory, upstream):
    route = route_factory(os_model="local-os", probes=6)
    probe_round = probe_round_start(route=route)
    probe_round_run(round_id=probe_round.pk)
    # As if the worker died after 7 of 12 answers were written.
    doomed = ProbeResult.objects.filter(round=probe_round).order_by("id")[7:]
    ProbeResult.objects.filter(pk__in=[r.pk for r in doomed]).delete()
    ProbeRound.objects.filter(pk=probe_round.pk).update(status=RoundStatus.RUNNING, finished_at=None)
    before = upstream.app.stats["chat"]
    again = probe_round_run(round_id=probe_round.pk)
    assert upstream.app.stats["chat"] - before == 5
    assert again.status == RoundStatus.DONE and again.done_calls == 12 and again.attempts == 2


def test_failures_and_timeouts_are_results_not_crashes(team, upstream, settings):
    from probes.demo import default_suite_data
    from probes.services import migration_create, suite_import
    from tests.probes.conftest import make_route

    settings.PROBES_CALL_TIMEOUT_S = 1
    route = make_route(team, upstream, os_url=upstream.url(status=503), name="failing")
    suite_import(team=team, route=route, data=default_suite_data(size=2))
    migration_create(route=route)
    slow = make_route(team, upstream, os_url=upstream.url(latency=3000), name="slow")
    suite_import(team=team, route=slow, data=default_suite_data(size=2))

    failing_round = run_and_apply(route)
    errors = ProbeResult.objects.filter(round=failing_round, backend_kind="open_source")
    assert failing_round.status == RoundStatus.DONE and failing_round.error_calls == 2
    assert all(r.score == 0 and "503" in r.error for r in errors)

    slow_round = probe_round_start(route=slow)
    probe_round_run(round_id=slow_round.pk)
    timed_out = ProbeResult.objects.filter(round=slow_round, backend_kind="open_source")
    assert timed_out.count() == 2
    assert all(r.score == 0 and r.error for r in timed_out)


def test_round_cost_is_the_sum_of_its_calls_and_counts_toward_spend(route_factory, team):
    option = ModelOptionFactory(input_price_per_mtok=Decimal("1000"), output_price_per_mtok=Decimal("2000"))
    route = route_factory(os_model="local-os", probes=4)
    Backend.objects.filter(team=team).update(catalog_model=option)
    probe_round = run_and_apply(route)
    results = ProbeResult.objects.filter(round=probe_round)
    total = sum((r.cost_usd for r in results), Decimal("0"))
    assert total > 0 and probe_round.cost_usd == total
    expected = sum(
        (Decimal(r.input_tokens) * 1000 + Decimal(r.output_tokens) * 2000) / Decimal(1_000_000)
        for r in results
    )
    assert total == expected
    assert team_month_spend(team=team) == total


def test_probes_stop_with_a_reason_when_the_budget_is_spent(route_factory, team):
    route = route_factory(os_model="local-os", probes=4)
    TeamBudget.objects.create(team=team, monthly_limit_usd=Decimal("5.00"))
    RequestLog.objects.create(
        team=team, created_at=route.created_at, status_code=200, cost_usd=Decimal("5.00")
    )
    probe_round = probe_round_start(route=route)
    assert probe_round.status == RoundStatus.STOPPED and "budget is spent" in probe_round.stop_reason
    assert "budget" in RouteMigration.objects.get(route=route).stop_reason
    assert migration_apply_probe_round(round_id=probe_round.pk).applied_at is None


def test_a_round_stops_mid_way_when_its_calls_spend_the_budget(route_factory, team, settings):
    settings.PROBES_CONCURRENCY = 1
    option = ModelOptionFactory(input_price_per_mtok=Decimal("1000000"), output_price_per_mtok=Decimal("0"))
    route = route_factory(os_model="local-os", probes=10)
    Backend.objects.filter(team=team).update(catalog_model=option)
    TeamBudget.objects.create(team=team, monthly_limit_usd=Decimal("20.00"))
    probe_round = probe_round_start(route=route)
    finished = probe_round_run(round_id=probe_round.pk)
    assert finished.status == RoundStatus.STOPPED and "budget" in finished.stop_reason
    assert 0 < finished.done_calls < 20
    assert migration_apply_probe_round(round_id=probe_round.pk).decision == ""


def test_owner_controls_record_who_and_why(route_factory, alice):
    route = route_factory(os_model="local-os", probes=24)
    migration = RouteMigration.objects.get(route=route)
    migration_set_share(migration=migration, share=60, user=alice, reason="Canary looks fine")
    change = ShareChange.objects.get(route=route)
    assert (change.to_share, change.changed_by, change.source, change.reason) == (
        60,
        alice,
        "manual",
        "Canary looks fine",
    )
    migration.refresh_from_db()
    assert migration.last_good_share == 60

    migration_pause(migration=migration, user=alice)
    paused = run_and_apply(route)
    assert paused.decision == "paused"
    assert Route.objects.get(pk=route.pk).open_source_share == 60

    migration_rollback(migration=migration, user=alice)
    route.refresh_from_db()
    migration.refresh_from_db()
    assert route.open_source_share == 0 and migration.paused
    assert ShareChange.objects.filter(route=route).first().source == "rollback"


def test_the_same_schedule_slot_starts_one_round(route_factory):
    route = route_factory(os_model="local-os", probes=2)
    first = probe_round_start(route=route, trigger="schedule", idempotency_key="schedule:1")
    second = probe_round_start(route=route, trigger="schedule", idempotency_key="schedule:1")
    assert first.pk == second.pk
    assert ProbeRound.objects.filter(route=route).count() == 1


def test_a_migration_schedules_rounds_every_fifteen_minutes(route_factory):
    from django_celery_beat.models import PeriodicTask

    route = route_factory(os_model="local-os", probes=2)
    task = PeriodicTask.objects.get(pk=RouteMigration.objects.get(route=route).schedule_id)
    assert task.task == "probes.scheduled_round" and task.queue == "probes"
    assert (task.interval.every, task.interval.period) == (15, "minutes")
    assert f'"route_id": {route.pk}' in task.kwargs


@pytest.mark.parametrize("share", [-1, 101])
def test_a_manual_share_out_of_range_is_refused(route_factory, share):
    from django.core.exceptions import ValidationError

    route = route_factory(os_model="local-os", probes=2)
    with pytest.raises(ValidationError):
        migration_set_share(migration=RouteMigration.objects.get(route=route), share=share)
