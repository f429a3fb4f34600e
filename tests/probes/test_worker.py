"""Probe rounds on a real Celery worker consuming the configured broker (Redis in CI), over real HTTP
to the local upstream; and a worker killed with SIGKILL mid-round, restarted, applying the round once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from portal.celery import app
from probes.models import ProbeResult, ProbeRound, RoundStatus
from probes.services import probe_round_start
from routing.models import Route, ShareChange
from tests.probes.conftest import probes_worker

pytestmark = pytest.mark.django_db(transaction=True)
REDIS = app.conf.broker_url.startswith("redis")


@pytest.fixture
def worker_app(celery_app):
    return celery_app


def _wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _applied(round_id: int) -> bool:
    return ProbeRound.objects.filter(pk=round_id, applied_at__isnull=False).exists()


def test_a_worker_runs_rounds_end_to_end_and_the_share_moves_per_policy(worker_app, route_factory):
    good = route_factory(os_model="local-os", probes=24, name="good")
    bad = route_factory(os_model="bad-os", probes=24, name="bad", share=20)
    with probes_worker(worker_app):
        good_round = probe_round_start(route=good)  # enqueued when its transaction commits
        bad_round = probe_round_start(route=bad)
        assert _wait_for(lambda: _applied(good_round.pk) and _applied(bad_round.pk)), (
            "rounds not applied in 30 s"
        )
    assert Route.objects.get(pk=good.pk).open_source_share == 10
    assert ProbeRound.objects.get(pk=good_round.pk).decision == "advance"
    # The bad backend scores 0: a clear regression at the last good share (20 %): no move yet.
    bad_done = ProbeRound.objects.get(pk=bad_round.pk)
    assert bad_done.decision == "step_back" and bad_done.summary["open_source"]["mean"] == 0
    assert Route.objects.get(pk=bad.pk).open_source_share == 20
    assert ProbeResult.objects.filter(round__in=[good_round, bad_round]).count() == 96


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker_process(log: Path) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": app.conf.broker_url,
        "CELERY_VISIBILITY_TIMEOUT": "4",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        "PROBES_CONCURRENCY": "2",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "-Q",
            "probes",
            "-P",
            "solo",
            "--prefetch-multiplier=1",
            "--without-mingle",
            "--without-gossip",
            "-l",
            "WARNING",
        ],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.skipif(not REDIS, reason="needs a broker that redelivers unacknowledged messages (Redis)")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs a shared database")
def test_a_worker_killed_mid_round_is_redelivered_and_the_round_applied_once(
    worker_app, route_factory, tmp_path, upstream
):
    upstream.app.latency_ms = 250  # 48 calls, two at a time: about 6 s of work
    route = route_factory(os_model="local-os", probes=24)
    log = tmp_path / "worker.log"
    worker = _start_worker_process(log)
    try:
        probe_round = probe_round_start(route=route)
        started = _wait_for(lambda: ProbeRound.objects.get(pk=probe_round.pk).done_calls >= 6, timeout=60)
        assert started, f"the worker did not start the round: {log.read_text()[-2000:]}"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        killed_at = ProbeRound.objects.get(pk=probe_round.pk)
        assert killed_at.status == RoundStatus.RUNNING and killed_at.done_calls < 48
        assert killed_at.applied_at is None

        worker = _start_worker_process(log)
        assert _wait_for(lambda: _applied(probe_round.pk), timeout=90), log.read_text()[-2000:]
    finally:
        worker.kill()
        worker.wait(timeout=10)
    done = ProbeRound.objects.get(pk=probe_round.pk)
    assert done.status == RoundStatus.DONE and done.done_calls == 48
    assert done.attempts == 2, "the round was delivered again after the kill"
    assert ProbeResult.objects.filter(round=done).count() == 48
    assert ShareChange.objects.filter(route=route).count() == 1
    assert Route.objects.get(pk=route.pk).open_source_share == 10
