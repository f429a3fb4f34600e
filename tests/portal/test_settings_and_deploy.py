"""Production mode is strict; the deployment description agrees with the settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    weak = _manage("check", DEBUG="false", SECRET_KEY="short")
    assert weak.returncode != 0


def test_deploy_check_passes_without_warnings_in_production_mode():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="modelwise.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_malformed_boolean_setting_is_refused_with_its_name():
    result = _manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_compose_runs_the_deployment_scripts_with_the_settings_variables():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"release", "web", "gateway", "worker", "beat", "postgres", "redis"} <= set(services)
    # The gateway runs the same image, serving only the data plane.
    assert services["gateway"]["image"] == services["web"]["image"]
    assert "routing.gateway.asgi:application" in (ROOT / "deploy/gateway.sh").read_text()
    scripts = {"release": "deploy/release.sh", "web": "deploy/web.sh", "gateway": "deploy/gateway.sh"}
    scripts |= {"worker": "deploy/worker.sh", "beat": "deploy/beat.sh"}
    for name, script in scripts.items():
        service = services[name]
        assert service["command"] == script
        assert (ROOT / script).stat().st_mode & 0o111, f"{script} is not executable"
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379")
        assert env["DEBUG"] == "false"
        # Persistent connections pile up under ASGI: the pool bounds them instead.
        assert env["DB_CONN_MAX_AGE"] == "0" and env["DB_POOL"] == "true"
        # Nothing in front overwrites forwarded headers unless an operator adds a proxy.
        assert env["SECURE_PROXY_SSL_HEADER"] == "${SECURE_PROXY_SSL_HEADER:-false}"
        if name != "release":
            assert services[name]["depends_on"]["release"] == {"condition": "service_completed_successfully"}
            assert "healthcheck" in services[name]
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["gateway"]["ports"] == ["127.0.0.1:8001:8001"]
    assert '--queues "${WORKER_QUEUES:-default,probes}"' in (ROOT / "deploy/worker.sh").read_text()
    assert "collectstatic.sh" in compose["x-app"]["build"]["dockerfile_inline"]
    # Every variable the app reads in compose is documented in .env.example.
    documented = {
        line.split("=", 1)[0].lstrip("# ")
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line
    }
    assert set(services["web"]["environment"]) - {"MODELWISE_VAR_DIR"} <= documented


def _database_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return _manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], sorted(d['OPTIONS'].items()))",
        **env,
    )


def test_postgresql_connections_get_a_connect_timeout_a_statement_timeout_and_the_pool():
    result = _database_settings(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        DB_POOL="true",
        DB_POOL_MAX_SIZE="3",
        DB_CONNECT_TIMEOUT="4",
        DB_STATEMENT_TIMEOUT_MS="2500",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "0 [('connect_timeout', 4), ('keepalives', 1), ('keepalives_count', 3), "
        "('keepalives_idle', 30), ('keepalives_interval', 10), ('options', '-c statement_timeout=2500'), "
        "('pool', {'min_size': 1, 'max_size': 3, 'timeout': 4}), ('tcp_user_timeout', 30000)]"
    )


def test_a_silent_database_host_is_bounded_by_keepalives_and_a_tcp_user_timeout_from_settings():
    result = _database_settings(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x",
        DB_TCP_KEEPALIVES_IDLE="7",
        DB_TCP_KEEPALIVES_INTERVAL="2",
        DB_TCP_KEEPALIVES_COUNT="4",
        DB_TCP_USER_TIMEOUT_MS="9000",
    )
    assert result.returncode == 0, result.stderr
    options = result.stdout.strip().splitlines()[-1]
    for pair in (
        "('keepalives', 1)",
        "('keepalives_idle', 7)",
        "('keepalives_interval', 2)",
        "('keepalives_count', 4)",
        "('tcp_user_timeout', 9000)",
    ):
        assert pair in options, options


def test_the_pool_refuses_persistent_connections_beside_it():
    result = _database_settings(
        DATABASE_URL="postgres://u@127.0.0.1:5432/x", DB_POOL="true", DB_CONN_MAX_AGE="60"
    )
    assert result.returncode != 0
    assert "DB_POOL=true needs DB_CONN_MAX_AGE=0" in result.stderr
