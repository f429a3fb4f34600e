"""Hourly rollups, log retention, and the money the routing page reports: spend against the limit
and savings against an all-proprietary month, to the cent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from routing.models import RequestLog, RequestRollup
from routing.reports import chart_series, month_spend, savings_for_month
from routing.rollups import request_logs_purge, request_rollup_hour, request_rollups_catch_up
from routing.services import budget_set
from tests.routing.control.conftest import log

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 11, 0, 30, tzinfo=UTC)  # 240.5 hours into March


@pytest.fixture
def march(team, routes, proprietary, open_source):
    complex_route, default_route = routes
    # Two analysis requests on GPT-4 Turbo ($10 / $30 per 1M): 1,000 in + 2,000 out = $0.07 each.
    for hour in (1, 2):
        log(
            team,
            at=datetime(2025, 3, 10, hour, 5, tzinfo=UTC),
            route=complex_route,
            backend=proprietary,
            task_type="analysis",
            input_tokens=1_000,
            output_tokens=2_000,
            cost_usd=Decimal("0.07"),
            latency_ms=800,
        )
    # Three large summaries self-hosted: 500,000 in + 1,000,000 out; GPU time $0.50 each.
    for hour in (1, 2, 23):
        log(
            team,
            at=datetime(2025, 3, 10, hour, 40, tzinfo=UTC),
            route=default_route,
            backend=open_source,
            input_tokens=500_000,
            output_tokens=1_000_000,
            cost_usd=Decimal("0.50"),
            latency_ms=200,
        )
    # A shadow call and a failed request: they cost what they cost, and are not repriced.
    log(
        team,
        at=datetime(2025, 3, 10, 2, 50, tzinfo=UTC),
        route=complex_route,
        backend=open_source,
        is_shadow=True,
        input_tokens=1_000,
        output_tokens=2_000,
        cost_usd=Decimal("0.0012"),
    )
    log(
        team,
        at=datetime(2025, 3, 11, 0, 10, tzinfo=UTC),
        route=default_route,
        backend=open_source,
        status_code=502,
        input_tokens=0,
        output_tokens=0,
        cost_usd=Decimal("0"),
    )
    # February is another month.
    log(
        team,
        at=datetime(2025, 2, 28, 23, 0, tzinfo=UTC),
        route=complex_route,
        backend=proprietary,
        cost_usd=Decimal("99"),
    )


def test_savings_to_the_cent(team, march):
    savings = savings_for_month(team=team, now=NOW)
    # API: 2 x $0.07.
    assert savings.api_spend_usd == Decimal("0.14")
    # One Llama 2 70B instance at $27.20/h for the 240.5 hours of March so far, idle or not.
    assert [(i.model_name, i.hours, i.cost_usd) for i in savings.instances] == [
        ("Llama 2 70B", Decimal("240.50"), Decimal("6541.60"))
    ]
    assert savings.actual_usd == Decimal("6541.74")
    # All-proprietary: $0.14 + 3 x (0.5M x $10 + 1M x $30) / 1M = $0.14 + 3 x $35 = $105.14.
    assert savings.all_proprietary_usd == Decimal("105.14")
    assert savings.saved_usd == Decimal("-6436.60")
    assert savings.repriced_requests == 4  # three summaries and the failed one (no tokens)
    assert savings.unpriced_requests == 0


def test_spend_against_the_limit_to_the_cent(team, march):
    budget_set(team=team, monthly_limit_usd=Decimal("2.00"))
    spend = month_spend(team=team, now=NOW)
    # 2 x 0.07 + 3 x 0.50 + 0.0012 (shadow) + 0 (failed) = 1.6412 -> $1.64; February not counted.
    assert spend.spend_usd == Decimal("1.64")
    assert (spend.limit_usd, spend.percent_used, spend.over) == (Decimal("2.00"), 82, False)


def test_figures_are_the_same_from_rollups_and_after_the_raw_logs_are_purged(team, march):
    before = (savings_for_month(team=team, now=NOW), month_spend(team=team, now=NOW))
    hours = request_rollups_catch_up(now=NOW)
    assert hours == [
        datetime(2025, 2, 28, 23, tzinfo=UTC),
        datetime(2025, 3, 10, 1, tzinfo=UTC),
        datetime(2025, 3, 10, 2, tzinfo=UTC),
        datetime(2025, 3, 10, 23, tzinfo=UTC),
    ]
    # The current hour (00:xx on the 11th) is left to the raw logs.
    assert RequestLog.objects.filter(created_at__gte=datetime(2025, 3, 11, tzinfo=UTC)).count() == 1
    after = (savings_for_month(team=team, now=NOW), month_spend(team=team, now=NOW))
    assert after[0].all_proprietary_usd == before[0].all_proprietary_usd == Decimal("105.14")
    assert after[0].api_spend_usd == before[0].api_spend_usd
    assert after[1].spend_usd == before[1].spend_usd == Decimal("1.64")
    deleted = request_logs_purge(now=NOW + timedelta(days=40))
    assert deleted == 7 and RequestLog.objects.count() == 1  # the un-rolled current hour stays
    assert month_spend(team=team, now=NOW).spend_usd == Decimal("1.64")


def test_rolling_up_an_hour_twice_gives_the_same_rows(team, march):
    hour = datetime(2025, 3, 10, 2, tzinfo=UTC)

    def rows():
        return sorted(
            RequestRollup.objects.filter(hour=hour).values_list(
                "route_name",
                "backend_name",
                "task_type",
                "is_shadow",
                "requests",
                "input_tokens",
                "output_tokens",
                "cost_usd",
                "latency_ms_sum",
                "errors",
            )
        )

    assert request_rollup_hour(hour=hour) == 3
    first = rows()
    assert request_rollup_hour(hour=hour + timedelta(minutes=30)) == 3
    assert rows() == first
    assert first == [
        ("complex-tasks", "Llama on A100", "summary", True, 1, 1_000, 2_000, Decimal("0.0012"), 100, 0),
        ("complex-tasks", "OpenAI", "analysis", False, 1, 1_000, 2_000, Decimal("0.07"), 800, 0),
        ("default", "Llama on A100", "summary", False, 1, 500_000, 1_000_000, Decimal("0.5"), 200, 0),
    ]
    request_rollups_catch_up(now=NOW)
    request_rollups_catch_up(now=NOW)
    assert RequestRollup.objects.count() == 7


def test_a_late_log_is_counted_when_its_hour_is_rolled_up_again(team, march, routes, open_source):
    request_rollups_catch_up(now=NOW)
    log(
        team,
        at=datetime(2025, 3, 10, 23, 59, tzinfo=UTC),
        route=routes[1],
        backend=open_source,
        cost_usd=Decimal("0.25"),
    )
    request_rollups_catch_up(now=NOW + timedelta(hours=1))
    row = RequestRollup.objects.get(hour=datetime(2025, 3, 10, 23, tzinfo=UTC), is_shadow=False)
    assert (row.requests, row.cost_usd) == (2, Decimal("0.75"))


def test_retention_setting_and_unrolled_logs_are_kept(team, routes, proprietary, settings):
    settings.ROUTING_LOG_RETENTION_DAYS = 7
    old = datetime(2025, 3, 1, 10, tzinfo=UTC)
    log(team, at=old, route=routes[0], backend=proprietary)
    assert request_logs_purge(now=NOW) == 0  # nothing rolled up yet: nothing may go
    request_rollups_catch_up(now=NOW)
    log(team, at=datetime(2025, 3, 9, tzinfo=UTC), route=routes[0], backend=proprietary)
    assert request_logs_purge(now=NOW) == 1
    assert list(RequestLog.objects.values_list("created_at", flat=True)) == [datetime(2025, 3, 9, tzinfo=UTC)]


def test_chart_series_per_backend_and_task_type(team, march):
    request_rollups_catch_up(now=NOW)
    chart = chart_series(team=team, now=NOW, range_key="24h")
    assert chart["step"] == "hour" and len(chart["labels"]) == 24
    spend = {s["label"]: s["data"] for s in chart["spend_by_backend"]}
    assert spend["OpenAI"][chart["labels"].index("03-10 01:00")] == "0.07"
    latency = {s["label"]: s["data"] for s in chart["latency_by_backend"]}
    assert latency["Llama on A100"][chart["labels"].index("03-10 02:00")] == 200  # shadow left out
    daily = chart_series(team=team, now=NOW, range_key="7d")
    by_task = {s["label"]: s["data"] for s in daily["spend_by_task_type"]}
    assert by_task["summary"][daily["labels"].index("03-10")] == "1.50"
