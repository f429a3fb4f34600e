from __future__ import annotations

import signal
import subprocess
import sys
import time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from portal.schedules import QUEUES

# The worker consumes every queue: "default" and "probes" (see CELERY_TASK_QUEUES).
WORKER_OPTIONS = ["--loglevel=INFO", "--concurrency=2", "--queues", ",".join(QUEUES)]


class Command(BaseCommand):
    help = (
        "Serve the portal (uvicorn) with a Celery worker and beat and the local model server; "
        "Ctrl-C stops all four."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        py = sys.executable
        upstream = urlsplit(settings.LOCAL_UPSTREAM_URL)
        commands = {
            "web": [
                py,
                "-m",
                "uvicorn",
                "portal.asgi:application",
                "--host",
                options["host"],
                "--port",
                str(options["port"]),
            ],
            "worker": [py, "-m", "celery", "-A", "portal", "worker", *WORKER_OPTIONS],
            "beat": [py, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"],
            # The demo team's backends point at this deterministic local model server.
            "upstream": [
                py,
                "-m",
                "routing.local_upstream",
                "--host",
                upstream.hostname or "127.0.0.1",
                "--port",
                str(upstream.port or 8100),
                "--latency-ms",
                "20",
            ],
        }
        procs = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}
        self.stdout.write(f"Portal on http://{options['host']}:{options['port']}/ (Ctrl-C stops everything)")

        def stop(*_: Any) -> None:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.terminate()
            deadline = time.monotonic() + 10
            for proc in procs.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()

        def on_sigterm(*_: Any) -> None:
            stop()
            sys.exit(0)

        signal.signal(signal.SIGTERM, on_sigterm)
        try:
            while True:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"{name} exited with {proc.returncode}; stopping the others.")
                        stop()
                        sys.exit(proc.returncode or 1)
                time.sleep(0.5)
        except KeyboardInterrupt:
            stop()
