"""Time the decision endpoints against a 1,000-model catalog.

    .venv/bin/python bench/decisions.py [--requests 200]

Runs in a throwaway test database: SQLite in memory by default, or a ``test_`` copy of the database
named by DATABASE_URL. The catalog is the article's five models plus 995 proprietary models with
API prices, so a cost report prices 1,000 models and compares Llama 2 70B with ~1,000 API models.
Each endpoint is called through Django's test client with a team token; the script prints the
median and 95th percentile in milliseconds and the SQL queries per request. It asserts nothing.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)

CATALOG_SIZE = 1_000
TARGET_MS = 50


def build_catalog() -> int:
    from catalog.models import ModelOption
    from catalog.services import catalog_load_article_models

    catalog_load_article_models()
    existing = ModelOption.objects.count()
    ModelOption.objects.bulk_create(
        ModelOption(
            name=f"Bench model {i:04d}",
            provider="Bench",
            kind="proprietary",
            score_cost=1 + i % 10,
            score_performance=1 + (i * 3) % 10,
            score_customization=1 + (i * 7) % 10,
            score_data_privacy=None if i % 5 == 0 else 1 + (i * 9) % 10,
            score_time_to_market=1 + (i * 11) % 10,
            score_maintenance=1 + (i * 13) % 10,
            input_price_per_mtok=Decimal("0.10") + Decimal(i % 97) / 10,
            output_price_per_mtok=Decimal("0.30") + Decimal(i % 89) / 5,
            max_context_tokens=[8_000, 32_000, 128_000, 200_000][i % 4],
            function_calling=["native", "prompting", "none", ""][i % 4],
            vision=[True, False, None][i % 3],
            self_hosting=False,
        )
        for i in range(CATALOG_SIZE - existing)
    )
    return ModelOption.objects.count()


def build_team() -> tuple[str, dict[str, Any]]:
    from evaluations.services import profile_create, usage_pattern_create
    from portal.services import api_token_create, team_create

    user = get_user_model().objects.create_user("bench", password="bench-password")
    team = team_create(name="Bench", owner=user)
    _, token = api_token_create(team=team, name="bench", access="read_write", created_by=user)
    profile = profile_create(team=team, name="Startup", priorities=["time_to_market", "performance", "cost"])
    usage = usage_pattern_create(
        team=team,
        name="Article traffic",
        daily_requests=10_000,
        avg_input_tokens=500,
        avg_output_tokens=1_000,
        peak_concurrent=50,
    )
    return token, {"profile": profile.pk, "usage_pattern": usage.pk}


def measure(client: Client, url: str, body: dict[str, Any], requests: int) -> dict[str, Any]:
    for _ in range(10):  # warm caches and the token's last-used stamp
        client.post(url, body, content_type="application/json")
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.post(url, body, content_type="application/json")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:500]!r}")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, body, content_type="application/json")
    timings.sort()
    return {
        "median": statistics.median(timings),
        "p95": timings[max(0, round(0.95 * len(timings)) - 1)],
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
        "body": response.json(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per endpoint")
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        models = build_catalog()
        token, ids = build_team()
        client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
        # As portal/wsgi.py and portal/asgi.py do once loaded: keep start-up objects out of the collector.
        gc.collect()
        gc.freeze()
        cases = [
            ("POST /api/recommendations/", "/api/recommendations/", {"profile": ids["profile"]}),
            (
                "POST /api/recommendations/ (cost limit)",
                "/api/recommendations/",
                {
                    "profile": ids["profile"],
                    "require": {"max_monthly_cost": "15000"},
                    "usage_pattern": ids["usage_pattern"],
                },
            ),
            ("POST /api/cost-reports/", "/api/cost-reports/", {"usage_pattern": ids["usage_pattern"]}),
        ]
        vendor = connection.vendor
        print(f"Decision endpoints: {models:,} active models, {vendor}, {args.requests} timed requests each")
        print(f"{'endpoint':<42} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>7}  target")
        for label, url, body in cases:
            result = measure(client, url, body, args.requests)
            verdict = "ok" if result["median"] < TARGET_MS else "over"
            print(
                f"{label:<42} {result['median']:>10.1f} {result['p95']:>8.1f} {result['queries']:>8} "
                f"{result['bytes'] / 1024:>7.0f}  <{TARGET_MS} ms median: {verdict}"
            )
            if url == "/api/cost-reports/":
                print(
                    f"{'':<42} {len(result['body']['models']):,} models priced, "
                    f"{len(result['body']['comparisons']):,} open-source/proprietary pairs compared"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
