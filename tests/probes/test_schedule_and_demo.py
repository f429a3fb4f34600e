"""Beat's entry point starts one round per schedule slot; the demo seeds a suite and a migration."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from probes.demo import default_suite_data, seed_demo
from probes.models import ProbeRound, ProbeSuite, RouteMigration
from probes.services import schedule_slot_key
from probes.tasks import scheduled_round
from tests.probes.conftest import make_route


def test_beat_starts_one_round_per_slot(route_factory):
    route = route_factory(os_model="local-os", probes=2)
    first = scheduled_round.run(route_id=route.pk)
    again = scheduled_round.run(route_id=route.pk)
    assert first == again
    probe_round = ProbeRound.objects.get(pk=first)
    assert probe_round.trigger == "schedule" and probe_round.status == "queued"
    assert scheduled_round.run(route_id=10**9) is None


def test_slot_keys_change_every_interval():
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    assert schedule_slot_key(start, 15) == schedule_slot_key(start + dt.timedelta(minutes=14, seconds=59), 15)
    assert schedule_slot_key(start, 15) != schedule_slot_key(start + dt.timedelta(minutes=15), 15)


def test_the_demo_gives_each_full_route_the_default_suite_and_a_migration(team, alice, upstream):
    route = make_route(team, upstream, name="demo")
    lines = seed_demo(team=team, users={"demo-owner": alice})
    assert seed_demo(team=team, users={"demo-owner": alice}) == lines  # idempotent
    suite = ProbeSuite.objects.get(route=route)
    assert suite.probes.count() == len(default_suite_data()["probes"]) == 24
    assert RouteMigration.objects.filter(route=route).count() == 1
    assert any(f"/routes/{route.pk}/migration/" in line for line in lines)


def test_lost_rounds_are_enqueued_again(route_factory, django_capture_on_commit_callbacks, monkeypatch):
    from probes.services import probe_round_start, probe_rounds_requeue_stale
    from probes.services import rounds as rounds_module

    route = route_factory(os_model="local-os", probes=2)
    fresh = probe_round_start(route=route)
    lost = probe_round_start(route=route)
    ProbeRound.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    sent: list[int] = []
    monkeypatch.setattr(rounds_module, "_enqueue_round", sent.append)
    assert probe_rounds_requeue_stale() == [lost.pk]
    assert sent == [lost.pk] and fresh.pk not in sent


def test_the_schedule_hook_lists_the_safety_net():
    from probes.schedules import periodic_tasks

    (spec,) = periodic_tasks()
    assert spec.task == "probes.requeue_stale_rounds" and spec.queue == "probes"
