"""Faults against the real deployment processes: a database that refuses or hangs gets a bounded,
clear 503; a web worker killed under load costs only its in-flight requests; a broker that is down
is reported by the page that enqueues, and work queued once it is back is done."""

from __future__ import annotations

import os
import signal
import threading
import time
from decimal import Decimal

import httpx
import pytest
from django.contrib.auth.models import User
from django.db import connection

from portal.tokens import token_generate
from tests.deployment.conftest import free_port

BOUND_S = 2  # DB_CONNECT_TIMEOUT and DB_POOL_TIMEOUT in these tests


def outage_env(database_port: int, pool: bool) -> dict[str, str]:
    return {
        "DATABASE_URL": f"postgres://nobody@127.0.0.1:{database_port}/modelwise",
        "DB_POOL": "true" if pool else "false",
        "DB_CONNECT_TIMEOUT": str(BOUND_S),
        "DB_POOL_TIMEOUT": str(BOUND_S),
    }


def timed_get(url: str, **kwargs) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(url, timeout=60, **kwargs)
    return response, time.monotonic() - started


def assert_clear_outage_answers(base: str) -> None:
    # Alive, whatever the database does.
    alive, took = timed_get(f"{base}/healthz")
    assert alive.status_code == 200 and took < 1

    ready, took = timed_get(f"{base}/readyz")
    assert ready.status_code == 503 and took < BOUND_S + 4, took
    assert ready.json()["checks"]["database"].startswith("unreachable")

    api, took = timed_get(
        f"{base}/api/catalog/models/", headers={"Authorization": f"Bearer {token_generate()}"}
    )
    assert api.status_code == 503 and took < BOUND_S + 4, (api.status_code, took)
    assert api.headers["content-type"].startswith("application/json")
    assert api.json()["code"] == "database_unavailable" and api.headers["retry-after"] == "5"

    page, took = timed_get(f"{base}/t/alpha/", cookies={"sessionid": "x" * 32})
    assert page.status_code == 503 and took < BOUND_S + 4, (page.status_code, took)
    assert page.headers["content-type"].startswith("text/html")
    assert "The database is unreachable" in page.text


@pytest.mark.parametrize("pool", [True, False], ids=["pool", "no-pool"])
def test_a_database_that_refuses_connections_gets_a_quick_clear_503(serve, pool):
    served = serve(workers=1, **outage_env(free_port(), pool))  # nothing listens on that port
    assert_clear_outage_answers(served.url)


@pytest.mark.parametrize("pool", [True, False], ids=["pool", "no-pool"])
def test_a_database_that_hangs_holds_a_request_for_a_bounded_time(serve, silent_database, pool):
    served = serve(workers=1, **outage_env(silent_database.port, pool))
    assert_clear_outage_answers(served.url)


# ------------------------------------------------------------------ SIGKILL a worker under load
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the served deployment shares the test database: PostgreSQL only (CI runs it)",
)


def database_url() -> str:
    s = connection.settings_dict
    host = s["HOST"] or "127.0.0.1"
    return f"postgres://{s['USER']}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_killing_a_web_worker_under_load_fails_only_its_in_flight_requests(
    serve, write_token, article_catalog
):
    served = serve(workers=2, DATABASE_URL=database_url(), DB_POOL="true", DB_STATEMENT_TIMEOUT_MS="15000")
    clients, duration, kill_at = 8, 8.0, 2.5
    results: list[tuple[int, float, bool]] = []
    lock = threading.Lock()
    start = time.monotonic()

    def load(n: int) -> None:
        with httpx.Client(base_url=served.url, timeout=10) as client:
            while time.monotonic() - start < duration:
                try:
                    response = client.get(
                        "/api/catalog/models/", headers={"Authorization": f"Bearer {write_token}"}
                    )
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:  # when the answer (or the failure) arrived
                    results.append((n, time.monotonic() - start, ok))

    threads = [threading.Thread(target=load, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    time.sleep(kill_at)
    victim = served.worker_pids()[0]
    killed_at = time.monotonic() - start
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join()

    failures = [(n, t) for n, t, ok in results if not ok]
    print(f"\n{len(results)} requests, {len(failures)} failed after SIGKILL of worker {victim}")
    assert len(results) > 50
    # Only what the dead worker held fails: the request in flight on each of its connections and a
    # reconnect that reached its socket before the kernel closed it. Nothing before the kill, nothing
    # once the kill has been noticed, at most two per client.
    assert all(killed_at <= t <= killed_at + 1 for _, t in failures), (killed_at, failures)
    per_client = [sum(1 for n, _ in failures if n == client) for client in range(clients)]
    assert max(per_client) <= 2, per_client
    # The master replaced the worker.
    assert victim not in served.worker_pids() and len(served.worker_pids()) == 2


# ------------------------------------------------------------------ broker down
@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_is_reported_and_work_queued_once_it_is_back_is_done(article_catalog, tmp_path):
    from celery.contrib.testing.worker import start_worker
    from django.test import Client

    from catalog.models import ModelOption
    from portal.celery import app

    staff = User.objects.create_superuser("ops", password="x")
    browser = Client()
    browser.force_login(staff)
    opus = ModelOption.objects.get(name="Claude 3 Opus")
    ModelOption.objects.filter(pk=opus.pk).update(input_price_per_mtok=Decimal("1"))
    action = {"action": "refresh_prices_later", "_selected_action": [str(opus.pk)], "index": "0"}

    working = {
        "broker_write_url": app.conf.broker_write_url,
        "broker_transport_options": app.conf.broker_transport_options,
        "task_always_eager": app.conf.task_always_eager,
    }
    private = dict(working["broker_transport_options"] or {})
    if app.conf.broker_url.startswith("filesystem://"):
        # A private queue folder, so a development worker never steals the test's message.
        queue = tmp_path / "queue"
        queue.mkdir()
        private = {"data_folder_in": str(queue), "data_folder_out": str(queue)}

    def use_broker(url: str | None, options: dict) -> None:
        # Publishing goes to the write URL (Django's CELERY_BROKER_URL shadows a plain broker_url).
        app.conf.broker_write_url = url
        app.conf.broker_transport_options = options
        app.conf.task_always_eager = False
        # A fresh connection pool, as a process started with this broker would have.
        app._pool = None
        app.amqp._producer_pool = None

    try:
        use_broker(f"redis://127.0.0.1:{free_port()}/0", {"socket_connect_timeout": 1})
        started = time.monotonic()
        down = browser.post("/admin/catalog/modeloption/", action, follow=True)
        assert time.monotonic() - started < 10
        assert down.status_code == 200
        assert "The task queue is unreachable, so nothing was queued" in down.content.decode()

        use_broker(working["broker_write_url"], private)
        back = browser.post("/admin/catalog/modeloption/", action, follow=True)
        assert "Price refresh queued" in back.content.decode()
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                opus.refresh_from_db()
                if opus.input_price_per_mtok == Decimal("15"):
                    break
                time.sleep(0.1)
    finally:
        use_broker(working["broker_write_url"], working["broker_transport_options"])
        app.conf.task_always_eager = working["task_always_eager"]
    assert opus.input_price_per_mtok == Decimal("15")


@needs_postgres
def test_statements_are_cut_off_at_the_configured_timeout(db, settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == f"{settings.DB_STATEMENT_TIMEOUT_MS // 1000}s"


@needs_postgres
def test_the_connection_carries_the_keepalives_and_tcp_user_timeout_to_its_socket(db, settings):
    import socket

    connection.ensure_connection()
    raw = connection.connection
    parameters = raw.info.get_parameters()
    assert parameters["keepalives"] == "1"
    assert parameters["keepalives_idle"] == str(settings.DB_TCP_KEEPALIVES_IDLE)
    assert parameters["keepalives_interval"] == str(settings.DB_TCP_KEEPALIVES_INTERVAL)
    assert parameters["keepalives_count"] == str(settings.DB_TCP_KEEPALIVES_COUNT)
    assert parameters["tcp_user_timeout"] == str(settings.DB_TCP_USER_TIMEOUT_MS)
    if raw.info.host.startswith("/"):
        pytest.skip("a Unix socket has no TCP options to read back")
    # The kernel's view of the very socket libpq uses.
    sock = socket.socket(fileno=os.dup(raw.pgconn.socket))
    try:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == settings.DB_TCP_KEEPALIVES_IDLE
        assert (
            sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == settings.DB_TCP_KEEPALIVES_INTERVAL
        )
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == settings.DB_TCP_KEEPALIVES_COUNT
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == settings.DB_TCP_USER_TIMEOUT_MS
    finally:
        sock.detach()
