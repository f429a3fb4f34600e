"""Load benchmark of the deployment: the deployment's own commands on PostgreSQL, HTTP over loopback.

    # start the deployment itself (deploy/release.sh + deploy/web.sh) on a throwaway database:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/modelwise_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/load.py --serve --duration 60 --concurrency 16 32
    # or against a deployment already running (CI's smoke stage):
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --gunicorn-pid 1234 --duration 10

Each virtual client keeps one keep-alive connection and loops over a mix: the catalog API (token),
a recommendation (token, POST) and a team page (signed-in session). Reports requests/s, p50/p95/p99,
errors (any non-2xx or transport failure), the most PostgreSQL connections seen, and how the
keep-alive connections and CPU time spread over gunicorn's workers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from deploy.fixtures import ROOT, Fixtures, fixtures_ensure

PROXY = {"X-Forwarded-Proto": "https"}  # the benchmark stands in for the TLS proxy in front


def percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, round(fraction * (len(sorted_values) - 1)))
    return sorted_values[index]


# ---------------------------------------------------------------- the server's side, read from /proc
def worker_pids(master: int) -> list[int]:
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return sorted(int(pid) for pid in children)


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def established_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            local_port = int(cols[1].rsplit(":", 1)[1], 16)
            if local_port == port and cols[3] == "01":
                inodes.add(cols[9])
    return inodes


def connections_per_worker(pids: list[int], port: int) -> dict[int, int]:
    inodes = established_inodes(port)
    counts = {}
    for pid in pids:
        n = 0
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    n += 1
        except OSError:
            pass
        counts[pid] = n
    return counts


class PgConnectionSampler(threading.Thread):
    """Samples the client connections to the deployment's database every 0.25 s (its own excluded)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.max_seen = 0
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import connection

        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
                self.max_seen = max(self.max_seen, cursor.fetchone()[0])
                self.stop.wait(0.25)
        connection.close()


# ---------------------------------------------------------------- the clients
async def session_cookie(base: str, fx: Fixtures) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = await client.get("/accounts/login/", headers=PROXY)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token is not None, page.status_code
        csrf = page.cookies["csrftoken"]
        response = await client.post(
            "/accounts/login/",
            data={"username": fx.owner, "password": fx.password, "csrfmiddlewaretoken": token.group(1)},
            headers={
                **PROXY,
                "Referer": f"https://{httpx.URL(base).netloc.decode()}/accounts/login/",
                "Cookie": f"csrftoken={csrf}",
            },
        )
        assert response.status_code == 302, (response.status_code, response.text[:300])
        return response.cookies["sessionid"]


async def run_level(base: str, fx: Fixtures, concurrency: int, duration: float) -> dict[str, object]:
    sessionid = await session_cookie(base, fx)
    token_headers = {**PROXY, "Authorization": f"Bearer {fx.token}"}
    page_headers = {**PROXY, "Cookie": f"sessionid={sessionid}"}
    recommendation = {"priorities": ["time_to_market", "performance", "cost"]}
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    deadline = time.monotonic() + duration

    async def client_loop(n: int) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
            i = n
            while time.monotonic() < deadline:
                kind = i % 3
                i += 1
                start = time.perf_counter()
                try:
                    if kind == 0:
                        r = await client.get("/api/catalog/models/?kind=open_source", headers=token_headers)
                    elif kind == 1:
                        r = await client.post(
                            "/api/recommendations/", json=recommendation, headers=token_headers
                        )
                    else:
                        r = await client.get(f"/t/{fx.team_slug}/", headers=page_headers)
                    await r.aread()
                    statuses[str(r.status_code)] += 1
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
                    continue
                latencies.append((time.perf_counter() - start) * 1000)

    started = time.monotonic()
    await asyncio.gather(*(client_loop(n) for n in range(concurrency)))
    elapsed = time.monotonic() - started
    latencies.sort()
    ok = sum(v for k, v in statuses.items() if k.startswith("2"))
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "requests": sum(statuses.values()),
        "rps": round(sum(statuses.values()) / elapsed, 1),
        "p50": round(percentile(latencies, 0.50), 1),
        "p95": round(percentile(latencies, 0.95), 1),
        "p99": round(percentile(latencies, 0.99), 1),
        "errors": sum(statuses.values()) - ok,
        "statuses": dict(statuses),
    }


def measure(
    base: str, fx: Fixtures, concurrency: int, duration: float, master: int | None
) -> dict[str, object]:
    port = httpx.URL(base).port or 80
    pids = worker_pids(master) if master else []
    cpu_before = {pid: cpu_seconds(pid) for pid in pids}
    sampler = PgConnectionSampler()
    sampler.start()
    spread: dict[int, int] = {}

    def sample_spread() -> None:
        time.sleep(duration / 2)
        spread.update(connections_per_worker(pids, port))

    spreader = threading.Thread(target=sample_spread, daemon=True)
    spreader.start()
    result = asyncio.run(run_level(base, fx, concurrency, duration))
    sampler.stop.set()
    sampler.join()
    spreader.join()
    result["pg_connections_max"] = sampler.max_seen
    if pids:
        result["keepalive_connections_per_worker"] = [spread.get(pid, 0) for pid in pids]
        result["cpu_seconds_per_worker"] = [round(cpu_seconds(pid) - cpu_before[pid], 1) for pid in pids]
    return result


# ---------------------------------------------------------------- starting the deployment itself
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "SECURE_PROXY_SSL_HEADER": "true",
    }
    subprocess.run([str(ROOT / "deploy/collectstatic.sh")], env={**env, "VERBOSITY": "0"}, check=True)
    subprocess.run([str(ROOT / "deploy/release.sh")], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    web = subprocess.Popen(
        [str(ROOT / "deploy/web.sh")],
        env={**env, "WEB_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": str(workers), "WEB_ACCESS_LOG": ""},
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return web, base
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    os.killpg(web.pid, signal.SIGTERM)
    raise SystemExit("the deployment did not become ready within 60 s")


def main() -> None:
    parser = argparse.ArgumentParser(description="Load benchmark of the deployment.")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running deployment")
    target.add_argument("--serve", action="store_true", help="start deploy/release.sh and deploy/web.sh")
    parser.add_argument(
        "--gunicorn-pid", type=int, help="with --url: the gunicorn master, to read its workers"
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 32])
    parser.add_argument("--max-errors", type=int, default=0, help="exit 1 above this many errors")
    args = parser.parse_args()

    web = None
    if args.serve:
        web, base = serve(args.workers)
        master: int | None = web.pid
    else:
        base, master = args.url.rstrip("/"), args.gunicorn_pid
    fx = fixtures_ensure()
    from django.db import connections

    connections.close_all()  # count only the deployment's connections (the sampler uses its own)
    errors = 0
    try:
        print(
            "| concurrency | requests | req/s | p50 ms | p95 ms | p99 ms | errors | PG connections (max) "
            "| keep-alive connections per worker | CPU s per worker |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for concurrency in args.concurrency:
            r = measure(base, fx, concurrency, args.duration, master)
            errors += int(r["errors"])  # type: ignore[call-overload]
            spread = r.get("keepalive_connections_per_worker", "-")
            cpu = r.get("cpu_seconds_per_worker", "-")
            print(
                f"| {r['concurrency']} | {r['requests']} | {r['rps']} | {r['p50']} | {r['p95']} | {r['p99']} "
                f"| {r['errors']} | {r['pg_connections_max']} | {spread} | {cpu} |",
                flush=True,
            )
            if r["errors"]:
                print(f"  statuses: {r['statuses']}", flush=True)
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=30)
    if errors > args.max_errors:
        raise SystemExit(f"{errors} errors (allowed: {args.max_errors})")


if __name__ == "__main__":
    main()
