"""Time a probe round: 50 probes against two backends whose upstream takes 200 ms per answer.

    .venv/bin/python bench/probes.py [--probes 50] [--latency-ms 200] [--concurrency 1 16 50 100]

Runs ``probes.services.probe_round_run`` (the function the Celery task calls: the calls, the scoring
and the database writes) in a throwaway test database against the project's local upstream, started
as its own process on a free port in 18900-18999, over real HTTP, once per concurrency. Prints the
wall time of each round against the sum of its calls' latencies and the slowest call. It asserts
nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402


def free_port() -> int:
    for port in range(18900, 19000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("No free port in 18900-18999.")


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("The local upstream did not start.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--probes", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 50, 100])
    args = parser.parse_args()

    from portal.services import team_create
    from probes.demo import default_suite_data
    from probes.models import ProbeResult, ProbeRound
    from probes.services import probe_round_run, suite_import
    from routing.models import Backend, Route
    from tests.factories import UserFactory

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    port = free_port()
    upstream = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "routing.local_upstream",
            "--port",
            str(port),
            "--latency-ms",
            str(args.latency_ms),
        ],
        stdout=subprocess.DEVNULL,
    )
    host = "127.0.0.1"
    try:
        wait_for_port(port)
        team = team_create(name="Bench", owner=UserFactory(username="bench"))
        url = f"http://{host}:{port}/v1"
        backends = [
            Backend.objects.create(team=team, name=n, kind=k, base_url=url, upstream_model=m)
            for n, k, m in (("prop", "proprietary", "local-prop"), ("os", "open_source", "local-os"))
        ]
        route = Route.objects.create(
            team=team, name="bench", proprietary_backend=backends[0], open_source_backend=backends[1]
        )
        suite_import(team=team, route=route, data=default_suite_data(size=args.probes))
        print(f"{args.probes} probes x 2 backends, upstream latency {args.latency_ms} ms")
        print("| concurrency | calls | wall time (s) | sum of latencies (s) | slowest call (ms) | sum/wall |")
        print("|---|---|---|---|---|---|")
        for concurrency in args.concurrency:
            settings.PROBES_CONCURRENCY = concurrency
            probe_round = ProbeRound.objects.create(
                team=team, route=route, idempotency_key=f"bench:{concurrency}", share_before=0
            )
            started = time.perf_counter()
            done = probe_round_run(round_id=probe_round.pk)
            wall = time.perf_counter() - started
            latencies = list(ProbeResult.objects.filter(round=done).values_list("latency_ms", flat=True))
            total = sum(latencies) / 1000
            print(
                f"| {concurrency} | {done.done_calls} | {wall:.2f} | {total:.1f} | {max(latencies)} "
                f"| {total / wall:.1f}x |"
            )
    finally:
        upstream.terminate()
        upstream.wait(timeout=10)
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
