"""Monthly cost comparison between a hosted API and self-hosting a model.

Follows the article's cost model: API spend is priced per million tokens,
self-hosting is GPU instance hours plus engineering time for setup and
operations. Money is ``Decimal`` USD rounded half-up to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TOKENS_PER_PRICE_UNIT = 1_000_000
SECONDS_PER_DAY = 86_400
HOURS_PER_DAY = 24
MAX_INSTANCES = 10_000

CostRow = tuple[int, Decimal, Decimal]

DEFAULT_DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class UsageLimit:
    """The bounds of one traffic figure and what to say when a value is outside them."""

    minimum: int
    maximum: int
    too_low: str
    too_high: str

    def range_text(self) -> str:
        """'0 to 100,000,000', as help texts say it."""
        return f"{self.minimum:,} to {self.maximum:,}"


MAX_DAILY_REQUESTS = 100_000_000
MAX_TOKENS_PER_REQUEST = 2_000_000
MAX_PEAK_CONCURRENT = 1_000_000
_DAYS = "Days per month must be between 1 and 31."

# Every traffic figure of a usage pattern, in order, with its bounds: the model's validators and
# database constraints, the page forms, the API and its documentation all read them from here.
USAGE_LIMITS: dict[str, UsageLimit] = {
    "daily_requests": UsageLimit(
        0,
        MAX_DAILY_REQUESTS,
        "Daily requests cannot be negative.",
        f"Daily requests cannot exceed {MAX_DAILY_REQUESTS:,}.",
    ),
    "avg_input_tokens": UsageLimit(
        0,
        MAX_TOKENS_PER_REQUEST,
        "Input tokens cannot be negative.",
        f"Input tokens per request cannot exceed {MAX_TOKENS_PER_REQUEST:,}.",
    ),
    "avg_output_tokens": UsageLimit(
        0,
        MAX_TOKENS_PER_REQUEST,
        "Output tokens cannot be negative.",
        f"Output tokens per request cannot exceed {MAX_TOKENS_PER_REQUEST:,}.",
    ),
    "peak_concurrent": UsageLimit(
        1,
        MAX_PEAK_CONCURRENT,
        "Peak concurrent requests must be at least 1.",
        f"Peak concurrent requests cannot exceed {MAX_PEAK_CONCURRENT:,}.",
    ),
    "days_per_month": UsageLimit(1, 31, _DAYS, _DAYS),
}
USAGE_FIELDS: tuple[str, ...] = tuple(USAGE_LIMITS)
# The figures a usage must state; days per month defaults to DEFAULT_DAYS_PER_MONTH.
REQUIRED_USAGE_FIELDS: tuple[str, ...] = tuple(f for f in USAGE_FIELDS if f != "days_per_month")


def to_cents(amount: Decimal) -> Decimal:
    """Round an amount half-up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _ceil_div(numerator: int, denominator: int) -> int:
    """Integer ceiling of numerator / denominator for a positive denominator."""
    return -(-numerator // denominator)


def _check_int(owner: object, name: str, *, positive: bool = False, optional: bool = False) -> None:
    """Reject a field that is not a whole number, is negative, or is zero when it must be positive."""
    value = getattr(owner, name)
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    if value < 0 or (positive and value == 0):
        kind = "greater than zero" if positive else "zero or more"
        raise ValueError(f"{name} must be {kind}, got {value}.")


def _check_money(owner: object, name: str) -> None:
    """Reject a money or hours field that is not a finite, non-negative Decimal."""
    value = getattr(owner, name)
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"{name} must be a finite Decimal, got {value!r}.")
    if value < 0:
        raise ValueError(f"{name} must be zero or more, got {value}.")


@dataclass(frozen=True)
class Usage:
    """Expected traffic: requests per day, average tokens per request, peak load."""

    daily_requests: int
    avg_input_tokens: int
    avg_output_tokens: int
    peak_concurrent: int
    days_per_month: int = DEFAULT_DAYS_PER_MONTH

    def __post_init__(self) -> None:
        for name in REQUIRED_USAGE_FIELDS:
            _check_int(self, name)
        _check_int(self, "days_per_month", positive=True)


@dataclass(frozen=True)
class ApiPricing:
    """API list prices in USD per one million input and output tokens."""

    input_per_mtok: Decimal
    output_per_mtok: Decimal

    def __post_init__(self) -> None:
        _check_money(self, "input_per_mtok")
        _check_money(self, "output_per_mtok")


@dataclass(frozen=True)
class HostingProfile:
    """Self-hosting costs and the capacity of ONE instance.

    ``throughput_tokens_per_s`` is the sustained output tokens per second one
    instance generates; ``concurrent_requests`` is how many requests one
    instance serves at once. Either may be unknown (``None``).
    """

    instance_hourly_cost: Decimal
    setup_hours: Decimal
    monthly_ops_hours: Decimal
    engineering_hourly_rate: Decimal
    throughput_tokens_per_s: int | None = None
    concurrent_requests: int | None = None

    def __post_init__(self) -> None:
        for name in ("instance_hourly_cost", "setup_hours", "monthly_ops_hours", "engineering_hourly_rate"):
            _check_money(self, name)
        _check_int(self, "throughput_tokens_per_s", positive=True, optional=True)
        _check_int(self, "concurrent_requests", positive=True, optional=True)


@dataclass(frozen=True)
class Capacity:
    """Instances required, and whether both capacity checks could be made."""

    instances: int
    capacity_checked: bool
    by_concurrency: int | None
    by_volume: int | None


@dataclass(frozen=True)
class SelfHostedCost:
    """Self-hosting cost breakdown; setup is paid once, in the first year."""

    capacity: Capacity
    monthly_compute: Decimal
    monthly_ops: Decimal
    setup: Decimal

    @property
    def monthly_total(self) -> Decimal:
        """Formula: monthly_compute + monthly_ops."""
        return self.monthly_compute + self.monthly_ops

    @property
    def first_year_total(self) -> Decimal:
        """Formula: setup + 12 x monthly_total."""
        return self.setup + 12 * self.monthly_total


@dataclass(frozen=True)
class BreakEven:
    """Months to recover the setup cost, or ``None`` with the reason why not."""

    months: Decimal | None
    reason: str


def _api_cost_per_daily_request(usage: Usage, pricing: ApiPricing) -> Decimal:
    """Monthly API cost of one request per day, unrounded.

    Formula: days x (input_tokens x input_price + output_tokens x output_price)
    / 1,000,000, prices being USD per million tokens.
    """
    input_cost = usage.avg_input_tokens * pricing.input_per_mtok
    output_cost = usage.avg_output_tokens * pricing.output_per_mtok
    return usage.days_per_month * (input_cost + output_cost) / TOKENS_PER_PRICE_UNIT


def api_monthly_cost(usage: Usage, pricing: ApiPricing) -> Decimal:
    """Monthly API bill, to the cent.

    Formula (article): daily_requests x days x (input_tokens x input_price
    + output_tokens x output_price) / 1,000,000. Assumes every request has the
    average token counts and prices are flat per token.
    """
    return to_cents(usage.daily_requests * _api_cost_per_daily_request(usage, pricing))


def _instances_for(
    daily_requests: int, avg_output_tokens: int, peak_concurrent: int, hosting: HostingProfile
) -> tuple[int | None, int | None]:
    """(by_concurrency, by_volume) on plain integers; None where the per-instance figure is unknown."""
    by_concurrency = by_volume = None
    if hosting.concurrent_requests is not None:
        by_concurrency = _ceil_div(peak_concurrent, hosting.concurrent_requests)
    if hosting.throughput_tokens_per_s is not None:
        daily_capacity = hosting.throughput_tokens_per_s * SECONDS_PER_DAY
        by_volume = _ceil_div(daily_requests * avg_output_tokens, daily_capacity)
    return by_concurrency, by_volume


def instances_needed(usage: Usage, hosting: HostingProfile) -> Capacity:
    """Instances needed to serve the peak load and the daily token volume.

    Formulas: by_concurrency = ceil(peak_concurrent / concurrent_requests);
    by_volume = ceil(daily_requests x avg_output_tokens / (throughput x
    86,400)), i.e. output generation spread evenly over the day. The result is
    the larger known figure, at least 1. A check whose per-instance figure is
    unknown is skipped and ``capacity_checked`` is false; with both unknown a
    single instance is assumed.
    """
    by_concurrency, by_volume = _instances_for(
        usage.daily_requests, usage.avg_output_tokens, usage.peak_concurrent, hosting
    )
    known = [n for n in (by_concurrency, by_volume) if n is not None]
    return Capacity(max([1, *known]), len(known) == 2, by_concurrency, by_volume)


def _monthly_compute_and_ops(hosting: HostingProfile, instances: int, days: int) -> tuple[Decimal, Decimal]:
    """Formulas: compute = instances x hourly_cost x 24 x days; ops = ops_hours x rate; each to the cent."""
    compute = to_cents(instances * hosting.instance_hourly_cost * HOURS_PER_DAY * days)
    return compute, to_cents(hosting.monthly_ops_hours * hosting.engineering_hourly_rate)


def self_hosted_cost(usage: Usage, hosting: HostingProfile) -> SelfHostedCost:
    """Self-hosting cost at this usage.

    Formulas (article): compute = instances x hourly_cost x 24 x days;
    ops = monthly_ops_hours x engineering_rate; setup = setup_hours x
    engineering_rate, paid once. Instances come from ``instances_needed`` and
    run around the clock.
    """
    capacity = instances_needed(usage, hosting)
    compute, ops = _monthly_compute_and_ops(hosting, capacity.instances, usage.days_per_month)
    setup = to_cents(hosting.setup_hours * hosting.engineering_hourly_rate)
    return SelfHostedCost(capacity, compute, ops, setup)


def break_even_months(setup: Decimal, api_monthly: Decimal, self_hosted_monthly: Decimal) -> BreakEven:
    """Months of savings needed to recover the setup cost.

    Formula: months = setup / (api_monthly - self_hosted_monthly), to two
    places, defined only when self-hosting is cheaper per month. Otherwise
    the setup is never recovered and ``months`` is ``None``; the article's
    formula yields a meaningless negative figure in that case.
    """
    if setup < 0:
        raise ValueError(f"setup must be zero or more, got {setup}.")
    saving = api_monthly - self_hosted_monthly
    if saving <= 0:
        gap = f"costs ${-saving:,.2f} more per month than" if saving else "costs the same as"
        return BreakEven(None, f"Self-hosting {gap} the API at this volume, so it never breaks even.")
    months = to_cents(setup / saving)
    return BreakEven(
        months,
        f"Self-hosting saves ${saving:,.2f} per month, recovering the "
        f"${setup:,.2f} setup cost in {months} months.",
    )


class SelfHostedSteps:
    """Self-hosted monthly totals by instance count, for one usage and hosting profile.

    The break-even volume search walks these steps; a cost report searches against many API prices
    with the same profile, so the floor and each step's total are worked out once and shared.
    """

    def __init__(self, usage: Usage, hosting: HostingProfile) -> None:
        self.usage = usage
        self.hosting = hosting
        # Without a throughput figure the instance count never grows with volume.
        self.volume_sized = hosting.throughput_tokens_per_s is not None
        self.floor_instances = self.instances_at(0)
        self._totals: dict[int, tuple[int, int]] = {}

    def instances_at(self, daily_requests: int) -> int:
        known = _instances_for(
            daily_requests, self.usage.avg_output_tokens, self.usage.peak_concurrent, self.hosting
        )
        return max([1, *(n for n in known if n is not None)])

    def monthly_total_ratio(self, instances: int) -> tuple[int, int]:
        """Monthly total with this many instances, as an exact integer ratio (numerator, denominator)."""
        if instances not in self._totals:
            total = sum(_monthly_compute_and_ops(self.hosting, instances, self.usage.days_per_month))
            self._totals[instances] = total.as_integer_ratio()
        return self._totals[instances]


def break_even_daily_requests(
    usage: Usage, pricing: ApiPricing, hosting: HostingProfile, *, steps: SelfHostedSteps | None = None
) -> int | None:
    """Smallest daily request count at which the API costs at least as much.

    Finds the least d with d x c >= self_hosted_monthly(instances(d)), where
    c is the monthly API cost of one request per day at this token mix (see
    ``_api_cost_per_daily_request``). Self-hosted cost steps with the
    instance count, so for n instances from the concurrency floor (or 1)
    upward, d = ceil(self_hosted_monthly(n) / c) is accepted when serving d
    needs at most n instances. Peak concurrency is held as given. Returns
    ``None`` when the API is free or no count works within 10,000 instances.
    ``steps`` may carry the self-hosted side already worked out for this usage and profile.
    """
    # Exact integer ratios: Decimal.as_integer_ratio is exact and far cheaper than Fraction arithmetic.
    per_request_num, per_request_den = _api_cost_per_daily_request(usage, pricing).as_integer_ratio()
    if per_request_num == 0:
        return None
    steps = steps if steps is not None else SelfHostedSteps(usage, hosting)
    for n in range(steps.floor_instances, MAX_INSTANCES + 1):
        total_num, total_den = steps.monthly_total_ratio(n)
        candidate = _ceil_div(total_num * per_request_den, total_den * per_request_num)
        if not steps.volume_sized or steps.instances_at(candidate) <= n:
            return candidate
    return None


def cumulative_costs(api_monthly: Decimal, hosted: SelfHostedCost, months: int = 36) -> list[CostRow]:
    """Running totals for months 0..months.

    Formulas: api(m) = api_monthly x m; self_hosted(m) = setup +
    monthly_total x m. Assumes constant monthly costs and setup paid up front.
    """
    if months < 0:
        raise ValueError(f"months must be zero or more, got {months}.")
    return [
        (m, to_cents(api_monthly * m), to_cents(hosted.setup + hosted.monthly_total * m))
        for m in range(months + 1)
    ]


def monthly_cost_by_volume(
    usage: Usage, pricing: ApiPricing, hosting: HostingProfile, daily_request_points: Sequence[int]
) -> list[CostRow]:
    """API monthly cost and self-hosted monthly total at each daily volume.

    Each point reuses this usage's token mix, peak concurrency and days, with
    ``api_monthly_cost`` and ``self_hosted_cost(...).monthly_total``.
    """
    at_volumes = [replace(usage, daily_requests=volume) for volume in daily_request_points]
    return [
        (u.daily_requests, api_monthly_cost(u, pricing), self_hosted_cost(u, hosting).monthly_total)
        for u in at_volumes
    ]
