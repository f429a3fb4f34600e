from __future__ import annotations

import random
import time
from dataclasses import replace
from decimal import Decimal

import pytest

from evaluations.costing import (
    ApiPricing,
    Capacity,
    HostingProfile,
    SelfHostedSteps,
    Usage,
    api_monthly_cost,
    api_monthly_cost_exact,
    break_even_daily_requests,
    break_even_months,
    cumulative_costs,
    instances_needed,
    monthly_cost_by_volume,
    self_hosted_cost,
)

ARTICLE_USAGE = Usage(
    daily_requests=10_000, avg_input_tokens=500, avg_output_tokens=1_000, peak_concurrent=10
)
GPT4_TURBO_PRICING = ApiPricing(input_per_mtok=Decimal("10"), output_per_mtok=Decimal("30"))
LLAMA_2_70B_ON_4X_A100 = HostingProfile(
    instance_hourly_cost=Decimal("27.20"),
    setup_hours=Decimal("40"),
    monthly_ops_hours=Decimal("20"),
    engineering_hourly_rate=Decimal("150"),
)
STEPPED_HOSTING = HostingProfile(
    instance_hourly_cost=Decimal("10"),
    setup_hours=Decimal("0"),
    monthly_ops_hours=Decimal("20"),
    engineering_hourly_rate=Decimal("150"),
    throughput_tokens_per_s=100,
    concurrent_requests=8,
)


def test_article_api_case_costs_10500_dollars_per_month() -> None:
    assert api_monthly_cost(ARTICLE_USAGE, GPT4_TURBO_PRICING) == Decimal("10500.00")
    assert str(api_monthly_cost(ARTICLE_USAGE, GPT4_TURBO_PRICING)) == "10500.00"


def test_api_cost_uses_the_days_in_the_month() -> None:
    usage = replace(ARTICLE_USAGE, days_per_month=31)

    assert api_monthly_cost(usage, GPT4_TURBO_PRICING) == Decimal("10850.00")


def test_self_hosted_compute_uses_the_days_in_the_month() -> None:
    usage = replace(ARTICLE_USAGE, days_per_month=31)

    cost = self_hosted_cost(usage, LLAMA_2_70B_ON_4X_A100)

    assert cost.monthly_compute == Decimal("20236.80")
    assert cost.monthly_total == Decimal("23236.80")


def test_api_cost_rounds_half_a_cent_up() -> None:
    usage = Usage(
        daily_requests=1, avg_input_tokens=5_000, avg_output_tokens=0, peak_concurrent=1, days_per_month=1
    )

    assert api_monthly_cost(usage, ApiPricing(Decimal("1"), Decimal("0"))) == Decimal("0.01")


def test_llama_2_70b_self_hosting_costs_22584_dollars_per_month() -> None:
    cost = self_hosted_cost(ARTICLE_USAGE, LLAMA_2_70B_ON_4X_A100)

    assert cost.monthly_compute == Decimal("19584.00")
    assert cost.monthly_ops == Decimal("3000.00")
    assert cost.monthly_total == Decimal("22584.00")


def test_llama_2_70b_first_year_costs_277008_dollars_including_6000_setup() -> None:
    cost = self_hosted_cost(ARTICLE_USAGE, LLAMA_2_70B_ON_4X_A100)

    assert cost.setup == Decimal("6000.00")
    assert cost.first_year_total == Decimal("277008.00")


def test_llama_2_70b_capacity_is_one_unchecked_instance() -> None:
    cost = self_hosted_cost(ARTICLE_USAGE, LLAMA_2_70B_ON_4X_A100)

    assert cost.capacity == Capacity(instances=1, capacity_checked=False, by_concurrency=None, by_volume=None)


def test_compute_cost_scales_with_the_instances_needed() -> None:
    usage = replace(ARTICLE_USAGE, peak_concurrent=20)

    cost = self_hosted_cost(usage, STEPPED_HOSTING)

    assert cost.capacity.instances == 3
    assert cost.monthly_compute == Decimal("21600.00")
    assert cost.monthly_total == Decimal("24600.00")


def test_instances_needed_takes_the_larger_of_concurrency_and_volume() -> None:
    by_concurrency = instances_needed(replace(ARTICLE_USAGE, peak_concurrent=20), STEPPED_HOSTING)
    by_volume = instances_needed(replace(ARTICLE_USAGE, daily_requests=30_000), STEPPED_HOSTING)

    assert by_concurrency == Capacity(instances=3, capacity_checked=True, by_concurrency=3, by_volume=2)
    assert by_volume == Capacity(instances=4, capacity_checked=True, by_concurrency=2, by_volume=4)


def test_volume_check_rounds_up_only_past_a_full_instance() -> None:
    # 500 input tokens at 1,000/s (10 x the output speed) + 1,000 output tokens at 100/s = 10.5 s a request.
    one_instance_per_day = 86_400 * 10 // 105
    assert one_instance_per_day == 8_228

    exact = instances_needed(replace(ARTICLE_USAGE, daily_requests=one_instance_per_day), STEPPED_HOSTING)
    over = instances_needed(replace(ARTICLE_USAGE, daily_requests=one_instance_per_day + 1), STEPPED_HOSTING)

    assert exact.by_volume == 1
    assert over.by_volume == 2


def test_missing_throughput_skips_the_volume_check() -> None:
    hosting = replace(STEPPED_HOSTING, throughput_tokens_per_s=None)
    heavy = replace(ARTICLE_USAGE, daily_requests=10_000_000, peak_concurrent=20)

    capacity = instances_needed(heavy, hosting)

    assert capacity == Capacity(instances=3, capacity_checked=False, by_concurrency=3, by_volume=None)


def test_idle_service_still_needs_one_instance() -> None:
    usage = Usage(daily_requests=0, avg_input_tokens=500, avg_output_tokens=1_000, peak_concurrent=0)

    assert instances_needed(usage, STEPPED_HOSTING).instances == 1


def test_article_case_never_breaks_even_instead_of_a_negative_half_month() -> None:
    result = break_even_months(Decimal("6000.00"), Decimal("10500.00"), Decimal("22584.00"))

    assert result.months is None
    assert result.reason == (
        "Self-hosting costs $12,084.00 more per month than the API at this volume, so it never breaks even."
    )


def test_equal_monthly_costs_never_break_even() -> None:
    result = break_even_months(Decimal("6000.00"), Decimal("9000.00"), Decimal("9000.00"))

    assert result.months is None
    assert "never breaks even" in result.reason


def test_cheaper_self_hosting_recovers_setup_in_setup_over_monthly_saving() -> None:
    result = break_even_months(Decimal("6000.00"), Decimal("10500.00"), Decimal("7500.00"))

    assert result.months == Decimal("2.00")
    assert result.reason == (
        "Self-hosting saves $3,000.00 per month, recovering the $6,000.00 setup cost in 2.00 months."
    )


def test_break_even_months_round_to_two_places() -> None:
    result = break_even_months(Decimal("1000.00"), Decimal("4000.00"), Decimal("1000.00"))

    assert result.months == Decimal("0.33")


def test_zero_setup_breaks_even_immediately_when_cheaper() -> None:
    result = break_even_months(Decimal("0"), Decimal("10500.00"), Decimal("7500.00"))

    assert result.months == Decimal("0.00")


def test_negative_setup_is_rejected() -> None:
    with pytest.raises(ValueError, match="setup must be zero or more"):
        break_even_months(Decimal("-1"), Decimal("10500.00"), Decimal("7500.00"))


def test_article_case_breaks_even_at_21509_requests_per_day() -> None:
    assert break_even_daily_requests(ARTICLE_USAGE, GPT4_TURBO_PRICING, LLAMA_2_70B_ON_4X_A100) == 21_509

    at = api_monthly_cost(replace(ARTICLE_USAGE, daily_requests=21_509), GPT4_TURBO_PRICING)
    below = api_monthly_cost(replace(ARTICLE_USAGE, daily_requests=21_508), GPT4_TURBO_PRICING)
    assert at == Decimal("22584.45")
    assert below == Decimal("22583.40")


def test_break_even_volume_steps_up_when_that_volume_needs_a_second_instance() -> None:
    usage = replace(ARTICLE_USAGE, peak_concurrent=4)
    one_instance_guess = 9_715

    assert instances_needed(replace(usage, daily_requests=one_instance_guess), STEPPED_HOSTING).instances == 2
    # Two instances (serving 16,457 a day) cost $17,400.00, which 16,572 requests would pay for: too
    # many for two. Three cost $24,600.00, paid for from 23,429 requests a day.
    assert break_even_daily_requests(usage, GPT4_TURBO_PRICING, STEPPED_HOSTING) == 23_429
    assert api_monthly_cost(replace(usage, daily_requests=23_429), GPT4_TURBO_PRICING) == Decimal("24600.45")
    assert api_monthly_cost(replace(usage, daily_requests=23_428), GPT4_TURBO_PRICING) == Decimal("24599.40")
    assert self_hosted_cost(replace(usage, daily_requests=23_429), STEPPED_HOSTING).monthly_total == Decimal(
        "24600.00"
    )


def test_shared_self_hosted_steps_give_each_api_price_its_own_break_even_volume() -> None:
    usage = replace(ARTICLE_USAGE, peak_concurrent=4)
    steps = SelfHostedSteps(usage, STEPPED_HOSTING)
    dearer = ApiPricing(input_per_mtok=Decimal("20"), output_per_mtok=Decimal("60"))

    # At twice the price a request a day costs 30 x (500 x 20 + 1,000 x 60) / 1M = $2.10 a month; one
    # instance ($7,200 compute + $3,000 ops) is recovered from ceil(10,200 / 2.10) = 4,858 requests a
    # day, which one instance serves (10.5 s a request: 500 input tokens at 1,000/s and 1,000 output
    # tokens at 100/s, so 8,228 a day), so the search stops at n = 1.
    assert break_even_daily_requests(usage, GPT4_TURBO_PRICING, STEPPED_HOSTING, steps=steps) == 23_429
    assert break_even_daily_requests(usage, dearer, STEPPED_HOSTING, steps=steps) == 4_858
    assert break_even_daily_requests(usage, dearer, STEPPED_HOSTING) == 4_858
    assert break_even_daily_requests(usage, GPT4_TURBO_PRICING, STEPPED_HOSTING, steps=steps) == 23_429
    assert api_monthly_cost(replace(usage, daily_requests=4_858), dearer) == Decimal("10201.80")
    assert api_monthly_cost(replace(usage, daily_requests=4_857), dearer) == Decimal("10199.70")
    assert self_hosted_cost(replace(usage, daily_requests=4_858), STEPPED_HOSTING).monthly_total == Decimal(
        "10200.00"
    )


def test_break_even_volume_starts_from_the_instances_peak_concurrency_needs() -> None:
    usage = replace(ARTICLE_USAGE, peak_concurrent=20)
    hosting = replace(STEPPED_HOSTING, throughput_tokens_per_s=None)

    assert break_even_daily_requests(usage, GPT4_TURBO_PRICING, hosting) == 23_429


def test_free_api_never_breaks_even() -> None:
    free = ApiPricing(Decimal("0"), Decimal("0"))

    assert break_even_daily_requests(ARTICLE_USAGE, free, LLAMA_2_70B_ON_4X_A100) is None


def test_instances_that_cost_more_than_the_api_traffic_they_serve_never_break_even() -> None:
    slow = replace(STEPPED_HOSTING, throughput_tokens_per_s=50)

    assert break_even_daily_requests(ARTICLE_USAGE, GPT4_TURBO_PRICING, slow) is None


def test_article_cumulative_costs_reach_378000_vs_819024_at_month_36() -> None:
    hosted = self_hosted_cost(ARTICLE_USAGE, LLAMA_2_70B_ON_4X_A100)

    rows = cumulative_costs(Decimal("10500.00"), hosted)

    assert len(rows) == 37
    assert rows[0] == (0, Decimal("0.00"), Decimal("6000.00"))
    assert rows[1] == (1, Decimal("10500.00"), Decimal("28584.00"))
    assert rows[36] == (36, Decimal("378000.00"), Decimal("819024.00"))


def test_cumulative_costs_honour_the_month_count() -> None:
    hosted = self_hosted_cost(ARTICLE_USAGE, LLAMA_2_70B_ON_4X_A100)

    only_month_zero = cumulative_costs(Decimal("10500.00"), hosted, months=0)

    assert only_month_zero == [(0, Decimal("0.00"), Decimal("6000.00"))]
    with pytest.raises(ValueError, match="months must be zero or more"):
        cumulative_costs(Decimal("10500.00"), hosted, months=-1)


def test_monthly_cost_by_volume_keeps_the_token_mix() -> None:
    rows = monthly_cost_by_volume(ARTICLE_USAGE, GPT4_TURBO_PRICING, LLAMA_2_70B_ON_4X_A100, [1_000, 21_509])

    assert rows == [
        (1_000, Decimal("1050.00"), Decimal("22584.00")),
        (21_509, Decimal("22584.45"), Decimal("22584.00")),
    ]


def test_monthly_cost_by_volume_adds_instances_as_volume_grows() -> None:
    usage = replace(ARTICLE_USAGE, peak_concurrent=4)

    rows = monthly_cost_by_volume(usage, GPT4_TURBO_PRICING, STEPPED_HOSTING, [8_228, 8_229])

    assert rows == [
        (8_228, Decimal("8639.40"), Decimal("10200.00")),
        (8_229, Decimal("8640.45"), Decimal("17400.00")),
    ]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"daily_requests": -1}, "daily_requests must be zero or more"),
        ({"avg_output_tokens": 1.5}, "avg_output_tokens must be a whole number"),
        ({"days_per_month": 0}, "days_per_month must be greater than zero"),
        ({"peak_concurrent": None}, "peak_concurrent must be a whole number"),
    ],
)
def test_invalid_usage_is_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(ARTICLE_USAGE, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"input_per_mtok": Decimal("-0.01")}, "input_per_mtok must be zero or more"),
        ({"output_per_mtok": 30.0}, "output_per_mtok must be a finite Decimal"),
        ({"output_per_mtok": Decimal("NaN")}, "output_per_mtok must be a finite Decimal"),
    ],
)
def test_invalid_pricing_is_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(GPT4_TURBO_PRICING, **changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"instance_hourly_cost": Decimal("-27.20")}, "instance_hourly_cost must be zero or more"),
        ({"setup_hours": 40}, "setup_hours must be a finite Decimal"),
        ({"throughput_tokens_per_s": 0}, "throughput_tokens_per_s must be greater than zero"),
        ({"concurrent_requests": 0}, "concurrent_requests must be greater than zero"),
    ],
)
def test_invalid_hosting_profile_is_rejected(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(LLAMA_2_70B_ON_4X_A100, **changes)


# --- Edges an independent oracle found -----------------------------------------------------------


def _first_volume_by_brute_force(
    usage: Usage, pricing: ApiPricing, hosting: HostingProfile, limit: int
) -> int | None:
    """The oracle: walk every daily volume and price both sides with the published functions."""
    for daily in range(limit):
        at = replace(usage, daily_requests=daily)
        if api_monthly_cost_exact(at, pricing) >= self_hosted_cost(at, hosting).monthly_total:
            return daily
    return None


def test_break_even_volume_search_agrees_with_walking_every_volume() -> None:
    rng = random.Random(20_240_601)
    for _ in range(150):
        usage = Usage(
            daily_requests=rng.randint(0, 1_000),
            avg_input_tokens=rng.randint(0, 3_000),
            avg_output_tokens=rng.randint(0, 3_000),
            peak_concurrent=rng.randint(1, 50),
            days_per_month=rng.randint(1, 31),
            shut_down_idle_days=rng.random() < 0.5,
        )
        pricing = ApiPricing(Decimal(rng.randint(0, 3_000)) / 100, Decimal(rng.randint(0, 9_000)) / 100)
        hosting = HostingProfile(
            instance_hourly_cost=Decimal(rng.randint(1, 3_000)) / 1_000,
            setup_hours=Decimal(rng.randint(0, 50)),
            monthly_ops_hours=Decimal(rng.randint(0, 3)),
            engineering_hourly_rate=Decimal(rng.randint(0, 50)),
            throughput_tokens_per_s=rng.choice([None, rng.randint(1, 3_000)]),
            concurrent_requests=rng.choice([None, rng.randint(1, 20)]),
            prefill_tokens_per_s=rng.choice([None, rng.randint(1, 30_000)]),
        )
        found = break_even_daily_requests(usage, pricing, hosting)
        walked = _first_volume_by_brute_force(usage, pricing, hosting, 5_000)
        if walked is None:
            assert found is None or found >= 5_000
        else:
            assert found == walked


def test_break_even_volume_needs_no_instance_cap() -> None:
    # Each instance serves 86,400 requests a day worth $907.20 a month of API traffic and costs $720:
    # the $3,214,500 of monthly operations is recovered past 17,000 instances, beyond any fixed cap.
    usage = Usage(daily_requests=1_000, avg_input_tokens=0, avg_output_tokens=1, peak_concurrent=1)
    pricing = ApiPricing(Decimal("0"), Decimal("350"))
    hosting = HostingProfile(
        instance_hourly_cost=Decimal("1"),
        setup_hours=Decimal("0"),
        monthly_ops_hours=Decimal("21430"),
        engineering_hourly_rate=Decimal("150"),
        throughput_tokens_per_s=1,
    )

    started = time.perf_counter()
    volume = break_even_daily_requests(usage, pricing, hosting)
    elapsed = time.perf_counter() - started

    assert volume is not None and volume > 10_000 * 86_400
    at = replace(usage, daily_requests=volume)
    below = replace(usage, daily_requests=volume - 1)
    assert api_monthly_cost_exact(at, pricing) >= self_hosted_cost(at, hosting).monthly_total
    assert api_monthly_cost_exact(below, pricing) < self_hosted_cost(below, hosting).monthly_total
    assert elapsed < 0.5


def test_input_tokens_need_capacity_too() -> None:
    long_prompts = Usage(
        daily_requests=10_000, avg_input_tokens=100_000, avg_output_tokens=10, peak_concurrent=1
    )
    with_prefill = replace(STEPPED_HOSTING, prefill_tokens_per_s=5_000)

    # 100,000 / 1,000 tokens/s (assumed 10 x output) + 10 / 100 = 100.1 s a request.
    assert instances_needed(long_prompts, STEPPED_HOSTING).by_volume == 12
    # 100,000 / 5,000 + 10 / 100 = 20.1 s a request.
    assert instances_needed(long_prompts, with_prefill).by_volume == 3


def test_idle_days_cut_gpu_hours_only_when_instances_are_shut_down() -> None:
    weekdays = replace(ARTICLE_USAGE, days_per_month=22)
    always_on = replace(weekdays, shut_down_idle_days=False)

    shut_down = self_hosted_cost(weekdays, LLAMA_2_70B_ON_4X_A100)
    running = self_hosted_cost(always_on, LLAMA_2_70B_ON_4X_A100)

    assert shut_down.monthly_compute == Decimal("14361.60")  # 27.20 x 24 x 22
    assert running.monthly_compute == Decimal("19584.00")  # 27.20 x 24 x 30
    assert shut_down.monthly_ops == running.monthly_ops == Decimal("3000.00")
