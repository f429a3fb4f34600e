"""Liveness and readiness, answered outside sign-in and cheaply.

``/healthz``: the process serves requests (touches nothing else). ``/readyz``: the database answers,
every migration is applied and the Celery broker accepts connections; 503 naming what is not.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

_migrations_checked = False  # once applied, they stay applied for this process's code


def check_database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return "ok"


def check_migrations() -> str:
    global _migrations_checked
    if _migrations_checked:
        return "ok"
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"unknown: {exc.__class__.__name__}"
    if pending:
        return f"{len(pending)} pending"
    _migrations_checked = True
    return "ok"


def check_broker() -> str:
    from portal.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=2)
    except Exception as exc:
        return f"unreachable: {exc.__class__.__name__}"
    return "ok"


def readiness() -> dict[str, str]:
    database = check_database()
    return {
        "database": database,
        "migrations": check_migrations() if database == "ok" else "unknown: database unreachable",
        "broker": check_broker(),
    }


@login_not_required
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_not_required
def readyz(request: HttpRequest) -> JsonResponse:
    checks = readiness()
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503
    )
