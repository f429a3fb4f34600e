"""Decision fixtures: the article's usage and priority profiles, team-owned rows of another team, and
a 1,000-model catalog for query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from catalog.models import ModelOption
from evaluations.models import PriorityProfile, UsagePattern
from evaluations.services import profile_create, usage_pattern_create
from tests.factories import ModelOptionFactory

ARTICLE_USAGE = {
    "daily_requests": 10_000,
    "avg_input_tokens": 500,
    "avg_output_tokens": 1_000,
    "peak_concurrent": 50,
    "days_per_month": 30,
}
STARTUP = ["time_to_market", "performance", "cost"]
PRIVACY = ["data_privacy", "customization", "performance"]


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post_json(client: Client, url: str, data: Any) -> Any:
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def article_usage(team) -> UsagePattern:
    return usage_pattern_create(team=team, name="Article traffic", **ARTICLE_USAGE)


@pytest.fixture
def startup_profile(team) -> PriorityProfile:
    return profile_create(team=team, name="Startup", priorities=STARTUP)


@pytest.fixture
def privacy_profile(team) -> PriorityProfile:
    return profile_create(team=team, name="Privacy first", priorities=PRIVACY)


@pytest.fixture
def charlies_profile(other_team) -> PriorityProfile:
    return profile_create(team=other_team, name="Charlie's", priorities=["cost"])


@pytest.fixture
def charlies_usage(other_team) -> UsagePattern:
    return usage_pattern_create(team=other_team, name="Charlie's traffic", **ARTICLE_USAGE)


@pytest.fixture
def write_client(write_token) -> Client:
    return Client(**bearer(write_token))


@pytest.fixture
def read_client(read_token) -> Client:
    return Client(**bearer(read_token))


@pytest.fixture
def big_catalog(db) -> list[ModelOption]:
    """1,000 active models: 995 proprietary with API prices, 5 open source with a full self-hosting
    profile (throughput and concurrency known), so every code path of both services runs."""
    proprietary = ModelOptionFactory.build_batch(995)
    open_source = ModelOptionFactory.build_batch(
        5,
        kind="open_source",
        input_price_per_mtok=None,
        output_price_per_mtok=None,
        instance_hourly_cost=Decimal("12.00"),
        setup_hours=Decimal("40"),
        monthly_ops_hours=Decimal("20"),
        engineering_hourly_rate=Decimal("150"),
        throughput_tokens_per_s=2_000,
        concurrent_requests_per_instance=16,
        self_hosting=True,
    )
    return ModelOption.objects.bulk_create([*proprietary, *open_source])
