"""The cost of one gateway request, from the catalog's figures. Pure (no Django); Decimal USD.

* An API-priced request: ``(input_tokens x input_price + output_tokens x output_price) / 1,000,000``,
  prices in USD per million tokens (the catalog's list prices).
* A self-hosted request is priced by the GPU time it used, never $0:
  ``gpu_seconds = output_tokens / sustained output tokens per second of one instance`` (the catalog's
  throughput, the instance's whole capacity, so this is the request's share of the instance), and
  ``cost = gpu_seconds x instance hourly cost / 3,600``. At least one output token is counted, so a
  request that produced nothing still pays for its slot. Without a throughput figure the wall-clock
  time the request held the backend is used instead (an upper bound: the instance served others
  meanwhile).

Costs keep 8 decimal places (the log's precision); round to the cent only for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TOKENS_PER_PRICE_UNIT = Decimal(1_000_000)
SECONDS_PER_HOUR = Decimal(3600)
COST_QUANTUM = Decimal("0.00000001")
GPU_SECONDS_QUANTUM = Decimal("0.0001")
ZERO = Decimal(0)


@dataclass(frozen=True)
class PriceCard:
    """What prices a backend's requests: the catalog model's figures (None = unknown)."""

    self_hosted: bool
    input_per_mtok: Decimal | None = None
    output_per_mtok: Decimal | None = None
    instance_hourly_cost: Decimal | None = None
    throughput_tokens_per_s: int | None = None

    @property
    def priced(self) -> bool:
        if self.self_hosted and self.instance_hourly_cost is not None:
            return True
        return self.input_per_mtok is not None or self.output_per_mtok is not None


@dataclass(frozen=True)
class RequestCost:
    cost_usd: Decimal
    gpu_seconds: Decimal | None


UNPRICED = RequestCost(ZERO, None)


def api_request_cost(*, input_tokens: int, output_tokens: int, card: PriceCard) -> Decimal:
    """Formula: (input_tokens x input_price + output_tokens x output_price) / 1,000,000."""
    total = input_tokens * (card.input_per_mtok or ZERO) + output_tokens * (card.output_per_mtok or ZERO)
    return (total / TOKENS_PER_PRICE_UNIT).quantize(COST_QUANTUM, rounding=ROUND_HALF_UP)


def self_hosted_gpu_seconds(*, output_tokens: int, latency_ms: int, card: PriceCard) -> Decimal:
    """Formula: max(output_tokens, 1) / throughput; without a throughput, the request's wall-clock time."""
    if card.throughput_tokens_per_s:
        seconds = Decimal(max(output_tokens, 1)) / Decimal(card.throughput_tokens_per_s)
    else:
        seconds = Decimal(max(latency_ms, 1)) / Decimal(1000)
    return seconds.quantize(GPU_SECONDS_QUANTUM, rounding=ROUND_HALF_UP) or GPU_SECONDS_QUANTUM


def request_cost(
    *, card: PriceCard | None, input_tokens: int, output_tokens: int, latency_ms: int
) -> RequestCost:
    """The cost of one request; an unpriced backend (no catalog figures) costs 0 and says so by ``card``."""
    if card is None or not card.priced:
        return UNPRICED
    if card.self_hosted and card.instance_hourly_cost is not None:
        gpu_seconds = self_hosted_gpu_seconds(output_tokens=output_tokens, latency_ms=latency_ms, card=card)
        # Computed from the unrounded GPU time, so the figure is exact to the log's 8 places.
        if card.throughput_tokens_per_s:
            exact = Decimal(max(output_tokens, 1)) / Decimal(card.throughput_tokens_per_s)
        else:
            exact = Decimal(max(latency_ms, 1)) / Decimal(1000)
        cost = (exact * card.instance_hourly_cost / SECONDS_PER_HOUR).quantize(
            COST_QUANTUM, rounding=ROUND_HALF_UP
        )
        return RequestCost(max(cost, COST_QUANTUM), gpu_seconds)
    return RequestCost(
        api_request_cost(input_tokens=input_tokens, output_tokens=output_tokens, card=card), None
    )


def estimate_tokens(text_chars: int) -> int:
    """A rough token count for text whose upstream gave no usage: one token per 4 characters, at least 1."""
    return max(1, (text_chars + 3) // 4)
