"""The break-even volume search does bounded work whatever the catalog's figures, with the same answers
as trying every instance count."""

from __future__ import annotations

import random
import time
from decimal import Decimal

from evaluations.costing import (
    MAX_INSTANCES,
    ApiPricing,
    HostingProfile,
    SelfHostedSteps,
    Usage,
    _api_cost_per_daily_request,
    _ceil_div,
    break_even_daily_requests,
)


class CountingSteps(SelfHostedSteps):
    calls = 0

    def monthly_total_ratio(self, instances: int) -> tuple[int, int]:
        self.calls += 1
        return super().monthly_total_ratio(instances)


def every_count(usage: Usage, pricing: ApiPricing, hosting: HostingProfile) -> int | None:
    """The search as first written: every instance count in turn (the reference)."""
    num, den = _api_cost_per_daily_request(usage, pricing).as_integer_ratio()
    if num == 0:
        return None
    steps = SelfHostedSteps(usage, hosting)
    for n in range(steps.floor_instances, MAX_INSTANCES + 1):
        total_num, total_den = steps.monthly_total_ratio(n)
        candidate = _ceil_div(total_num * den, total_den * num)
        if not steps.volume_sized or steps.instances_at(candidate) <= n:
            return candidate
    return None


USAGE = Usage(daily_requests=10_000, avg_input_tokens=500, avg_output_tokens=1_000, peak_concurrent=10)
PRICING = ApiPricing(input_per_mtok=Decimal("10"), output_per_mtok=Decimal("30"))


def test_a_throughput_of_one_token_per_second_is_settled_in_a_few_steps():
    crawling = HostingProfile(
        instance_hourly_cost=Decimal("2"),
        setup_hours=Decimal("10"),
        monthly_ops_hours=Decimal("5"),
        engineering_hourly_rate=Decimal("100"),
        throughput_tokens_per_s=1,
    )
    steps = CountingSteps(USAGE, crawling)
    started = time.perf_counter()
    assert break_even_daily_requests(USAGE, PRICING, crawling, steps=steps) is None
    assert steps.calls <= 5, steps.calls
    assert time.perf_counter() - started < 0.05
    assert every_count(USAGE, PRICING, crawling) is None


def test_same_answers_as_trying_every_instance_count():
    rng = random.Random(20261130)
    for _ in range(300):
        usage = Usage(
            daily_requests=rng.randint(0, 10**6),
            avg_input_tokens=rng.randint(0, 4_000),
            avg_output_tokens=rng.randint(1, 4_000),
            peak_concurrent=rng.randint(1, 500),
        )
        pricing = ApiPricing(
            input_per_mtok=Decimal(rng.randint(0, 6_000)) / 100,
            output_per_mtok=Decimal(rng.randint(0, 12_000)) / 100,
        )
        hosting = HostingProfile(
            instance_hourly_cost=Decimal(rng.randint(10, 5_000)) / 100,
            setup_hours=Decimal(rng.randint(0, 80)),
            monthly_ops_hours=Decimal(rng.randint(0, 40)),
            engineering_hourly_rate=Decimal(rng.randint(50, 200)),
            throughput_tokens_per_s=rng.choice([None, 1, 10, 100, 1_000, 5_000]),
            concurrent_requests=rng.choice([None, 1, 8, 64]),
        )
        assert break_even_daily_requests(usage, pricing, hosting) == every_count(usage, pricing, hosting), (
            usage,
            pricing,
            hosting,
        )
