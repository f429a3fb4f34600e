"""Per-request cost from catalog prices; self-hosted requests priced by the GPU time they used."""

from __future__ import annotations

from decimal import Decimal

from routing.pricing import PriceCard, estimate_tokens, request_cost

API = PriceCard(self_hosted=False, input_per_mtok=Decimal("10"), output_per_mtok=Decimal("30"))
# The article's Llama 2 70B: $4.50/h instance, 1,000 output tokens/s sustained.
GPU = PriceCard(self_hosted=True, instance_hourly_cost=Decimal("4.50"), throughput_tokens_per_s=1000)


def test_api_request():
    cost = request_cost(card=API, input_tokens=1000, output_tokens=500, latency_ms=900)
    assert cost.cost_usd == Decimal("0.02500000")  # (1000 x 10 + 500 x 30) / 1M
    assert cost.gpu_seconds is None


def test_self_hosted_request_is_priced_by_gpu_time():
    cost = request_cost(card=GPU, input_tokens=1000, output_tokens=500, latency_ms=900)
    assert cost.gpu_seconds == Decimal("0.5000")  # 500 tokens / 1000 tokens/s
    assert cost.cost_usd == Decimal("0.00062500")  # 0.5 s x $4.50 / 3600


def test_self_hosted_is_never_zero():
    cost = request_cost(card=GPU, input_tokens=3, output_tokens=0, latency_ms=1)
    assert cost.cost_usd > 0 and cost.gpu_seconds and cost.gpu_seconds > 0


def test_self_hosted_without_throughput_uses_wall_clock():
    card = PriceCard(self_hosted=True, instance_hourly_cost=Decimal("3.60"))
    cost = request_cost(card=card, input_tokens=10, output_tokens=10, latency_ms=2000)
    assert (cost.gpu_seconds, cost.cost_usd) == (Decimal("2.0000"), Decimal("0.00200000"))


def test_unpriced_backend_costs_nothing():
    assert request_cost(card=None, input_tokens=10, output_tokens=10, latency_ms=5).cost_usd == 0
    assert (
        request_cost(
            card=PriceCard(self_hosted=False), input_tokens=10, output_tokens=10, latency_ms=5
        ).cost_usd
        == 0
    )


def test_estimate_tokens():
    assert [estimate_tokens(n) for n in (0, 1, 4, 5, 400)] == [1, 1, 1, 2, 100]
