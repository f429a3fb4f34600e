"""The deployment as real processes: deploy/web.sh (gunicorn + uvicorn workers) on a free loopback
port, in production mode, stopped after each test."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = str(Path(sys.executable).parent)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(var_dir: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_ALLOW"))}
    env.update(
        {
            "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no proxy in front here, so no HTTPS redirect.
            "SECURE_SSL_REDIRECT": "false",
            "MODELWISE_VAR_DIR": str(var_dir),
            "LOG_LEVEL": "WARNING",
            "WEB_ACCESS_LOG": "",
        }
    )
    env.update(overrides)
    return env


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory) -> Path:
    """A var dir with collected static files, as the image has (pages need the manifest)."""
    var_dir = tmp_path_factory.mktemp("deploy-var")
    env = production_env(var_dir, VERBOSITY="0")
    result = subprocess.run(
        [str(ROOT / "deploy/collectstatic.sh")], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return var_dir


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(pid) for pid in path.read_text().split())
        except OSError:
            return []


@pytest.fixture
def serve(collected_static) -> Iterator[Callable[..., Served]]:
    """Start deploy/web.sh with environment overrides; waits for /healthz."""
    started: list[Served] = []

    def start(workers: int = 2, **overrides: str) -> Served:
        port = free_port()
        env = production_env(
            collected_static, WEB_BIND=f"127.0.0.1:{port}", WEB_WORKERS=str(workers), **overrides
        )
        process = subprocess.Popen(
            [str(ROOT / "deploy/web.sh")],
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        served = Served(f"http://127.0.0.1:{port}", process)
        started.append(served)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{served.url}/healthz", timeout=2).status_code == 200 and (
                    len(served.worker_pids()) == workers
                ):
                    return served
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the web server exited during start-up"
            time.sleep(0.2)
        raise AssertionError("the web server did not answer /healthz within 60 s")

    yield start
    for served in started:
        if served.process.poll() is None:
            os.killpg(served.process.pid, signal.SIGTERM)
            try:
                served.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(served.process.pid, signal.SIGKILL)
                served.process.wait()


class SilentDatabase:
    """A TCP server that accepts connections and never says a word: a database that hangs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.stopped = True
        self.sock.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def silent_database() -> Iterator[SilentDatabase]:
    db = SilentDatabase()
    yield db
    db.close()
