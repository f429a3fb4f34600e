"""Monthly cost comparison between a hosted API and self-hosting a model.

Follows the article's cost model: API spend is priced per million tokens,
self-hosting is GPU instance hours plus engineering time for setup and
operations. Money is ``Decimal`` USD rounded half-up to the cent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from math import gcd, lcm

CENT = Decimal("0.01")
TOKENS_PER_PRICE_UNIT = 1_000_000
SECONDS_PER_DAY = 86_400
HOURS_PER_DAY = 24
# The article's month: instances that run through idle days are billed for at least 30 days.
CALENDAR_DAYS = 30
# Prefill (reading the prompt) runs this many times faster than generation when the catalog gives no
# prefill figure. vLLM's published benchmarks on A100/H100 show prompt throughput one to two orders
# of magnitude above generation throughput; 10 is the conservative end, so capacity is not overstated.
PREFILL_TO_OUTPUT_SPEED = 10

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
    # True: self-hosted instances are shut down on the days without traffic, so GPU hours follow
    # ``days_per_month``. False: they run the whole month (at least ``CALENDAR_DAYS`` days).
    # Operations labour is a monthly figure either way.
    shut_down_idle_days: bool = True

    def __post_init__(self) -> None:
        for name in REQUIRED_USAGE_FIELDS:
            _check_int(self, name)
        _check_int(self, "days_per_month", positive=True)
        if not isinstance(self.shut_down_idle_days, bool):
            raise ValueError(f"shut_down_idle_days must be true or false, got {self.shut_down_idle_days!r}.")

    @property
    def billed_days(self) -> int:
        """Days of GPU time billed a month: the traffic days, or the whole month when instances stay on."""
        if self.shut_down_idle_days:
            return self.days_per_month
        return max(self.days_per_month, CALENDAR_DAYS)

    @property
    def idle_days(self) -> int:
        return max(CALENDAR_DAYS - self.days_per_month, 0)


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
    instance generates; ``prefill_tokens_per_s`` the input tokens per second it
    reads (when unknown, ``PREFILL_TO_OUTPUT_SPEED`` times the output figure);
    ``concurrent_requests`` is how many requests one instance serves at once.
    Each may be unknown (``None``).
    """

    instance_hourly_cost: Decimal
    setup_hours: Decimal
    monthly_ops_hours: Decimal
    engineering_hourly_rate: Decimal
    throughput_tokens_per_s: int | None = None
    concurrent_requests: int | None = None
    prefill_tokens_per_s: int | None = None

    def __post_init__(self) -> None:
        for name in ("instance_hourly_cost", "setup_hours", "monthly_ops_hours", "engineering_hourly_rate"):
            _check_money(self, name)
        _check_int(self, "throughput_tokens_per_s", positive=True, optional=True)
        _check_int(self, "concurrent_requests", positive=True, optional=True)
        _check_int(self, "prefill_tokens_per_s", positive=True, optional=True)

    @property
    def prefill_assumed(self) -> bool:
        return self.prefill_tokens_per_s is None

    def volume_terms(self, usage: Usage) -> tuple[int, int] | None:
        """(work per request, work one instance does a day) as integers, or None without a throughput.

        A request takes input/prefill + output/throughput seconds of one instance; both sides are
        multiplied by prefill x throughput so the comparison stays in whole numbers.
        """
        output_speed = self.throughput_tokens_per_s
        if output_speed is None:
            return None
        prefill = self.prefill_tokens_per_s or PREFILL_TO_OUTPUT_SPEED * output_speed
        work = usage.avg_input_tokens * output_speed + usage.avg_output_tokens * prefill
        return work, prefill * output_speed * SECONDS_PER_DAY


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
    return to_cents(api_monthly_cost_exact(usage, pricing))


def api_monthly_cost_exact(usage: Usage, pricing: ApiPricing) -> Decimal:
    """The monthly API bill before rounding to the cent (to tell a bill under a cent from none)."""
    return usage.daily_requests * _api_cost_per_daily_request(usage, pricing)


def _instances_for(
    daily_requests: int, usage: Usage, hosting: HostingProfile
) -> tuple[int | None, int | None]:
    """(by_concurrency, by_volume) on plain integers; None where the per-instance figure is unknown."""
    by_concurrency = by_volume = None
    if hosting.concurrent_requests is not None:
        by_concurrency = _ceil_div(usage.peak_concurrent, hosting.concurrent_requests)
    terms = hosting.volume_terms(usage)
    if terms is not None:
        work, daily_capacity = terms
        by_volume = _ceil_div(daily_requests * work, daily_capacity)
    return by_concurrency, by_volume


def instances_needed(usage: Usage, hosting: HostingProfile) -> Capacity:
    """Instances needed to serve the peak load and the daily token volume.

    Formulas: by_concurrency = ceil(peak_concurrent / concurrent_requests);
    by_volume = ceil(daily_requests x (input_tokens / prefill_tokens_per_s +
    output_tokens / output_tokens_per_s) / 86,400), i.e. the day's prompts
    and answers spread evenly over the day; without a prefill figure, prefill
    is taken as 10 x the output speed. The result is the larger known figure,
    at least 1. A check whose per-instance figure is unknown is skipped and
    ``capacity_checked`` is false; with both unknown a single instance is
    assumed.
    """
    by_concurrency, by_volume = _instances_for(usage.daily_requests, usage, hosting)
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
    run around the clock on the days billed: the usage's days per month
    when instances are shut down on idle days, else the whole month (at
    least 30 days). Operations labour is the same either way.
    """
    capacity = instances_needed(usage, hosting)
    compute, ops = _monthly_compute_and_ops(hosting, capacity.instances, usage.billed_days)
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
    """Self-hosted monthly cost by instance count, for one usage and hosting profile, in integers.

    A cost report searches for break-even volumes against many API prices with the same profile, so
    these integers are worked out once and shared.
    """

    def __init__(self, usage: Usage, hosting: HostingProfile) -> None:
        self.usage = usage
        self.hosting = hosting
        terms = hosting.volume_terms(usage)
        # Without a throughput figure (or with no tokens to process) the count never grows with volume.
        self.work, self.daily_capacity = terms if terms is not None and terms[0] > 0 else (0, 1)
        self.volume_sized = self.work > 0
        by_concurrency, _ = _instances_for(0, usage, hosting)
        self.floor_instances = max(1, by_concurrency or 0)
        # compute_cents(n) = floor((n x 200 x h + d) / 2d) for instance-hours cost h/d a month: half-up.
        per_instance = hosting.instance_hourly_cost * HOURS_PER_DAY * usage.billed_days
        self._hour_num, self._hour_den = per_instance.as_integer_ratio()
        ops = to_cents(hosting.monthly_ops_hours * hosting.engineering_hourly_rate)
        self.ops_cents = int(ops * 100)

    def instances_at(self, daily_requests: int) -> int:
        if not self.volume_sized:
            return self.floor_instances
        return max(self.floor_instances, _ceil_div(daily_requests * self.work, self.daily_capacity))

    def monthly_cents(self, instances: int) -> int:
        """Self-hosted monthly total in cents with this many instances (compute to the cent, plus ops)."""
        compute = (instances * 200 * self._hour_num + self._hour_den) // (2 * self._hour_den)
        return compute + self.ops_cents

    def requests_served(self, instances: int) -> int:
        """The most requests a day this many instances serve (volume-sized profiles only)."""
        return instances * self.daily_capacity // self.work


def break_even_daily_requests(
    usage: Usage, pricing: ApiPricing, hosting: HostingProfile, *, steps: SelfHostedSteps | None = None
) -> int | None:
    """Smallest daily request count at which the API costs at least as much.

    Finds the least d with d x c >= self_hosted_monthly(instances(d)), where
    c is the monthly API cost of one request per day at this token mix (see
    ``_api_cost_per_daily_request``). Self-hosted cost steps with the
    instance count: n instances serve up to D(n) requests a day, so the
    first n from the concurrency floor (or 1) with self_hosted_monthly(n) <=
    D(n) x c gives d = ceil(self_hosted_monthly(n) / c). The search is exact
    and has no instance cap: it jumps over counts that cannot qualify. Peak
    concurrency is held as given. Returns ``None`` when the API is free or
    when every added instance costs more than the API traffic it serves.
    """
    # Exact integers throughout: Decimal.as_integer_ratio is exact and far cheaper than Fractions.
    per_num, per_den = _api_cost_per_daily_request(usage, pricing).as_integer_ratio()
    if per_num == 0:
        return None
    steps = steps if steps is not None else SelfHostedSteps(usage, hosting)

    def answer(n: int) -> int:
        return _ceil_div(steps.monthly_cents(n) * per_den, 100 * per_num)

    n = steps.floor_instances
    if not steps.volume_sized:
        return answer(n)
    # f(n) = 100 p D(n) - q S(n) (S in cents, c = p/q dollars): n qualifies when f(n) >= 0. Going from
    # n to n + k, f changes by k x slope give or take `noise` (the floors in D and in cent rounding).
    p, q, work, capacity = per_num, per_den, steps.work, steps.daily_capacity
    hour_num, hour_den = steps._hour_num, steps._hour_den
    # slope = 100 p capacity / work - 100 q hour_num / hour_den, kept as a fraction over work x hour_den.
    slope_num = 100 * p * capacity * hour_den - 100 * q * hour_num * work
    slope_den = work * hour_den
    noise = 100 * p + q

    def f(m: int) -> int:
        return 100 * p * steps.requests_served(m) - q * steps.monthly_cents(m)

    # Past one full period of both floors f repeats shifted by period x slope: with a slope <= 0,
    # a count that qualifies appears within the first period or never.
    period = lcm(work // gcd(capacity, work), (2 * hour_den) // gcd(200 * hour_num, 2 * hour_den))
    start = n
    while True:
        value = f(n)
        if value >= 0:
            return answer(n)
        if slope_num <= 0:
            # f can only rise by `noise` from here on: far enough below zero, nothing ever qualifies.
            if -value > noise or n - start >= period:
                return None
            n += 1
            continue
        # f(n + k) <= f(n) + k x slope + noise, so no count qualifies before that reaches zero.
        k = _ceil_div((-value - noise) * slope_den, slope_num)
        n += max(1, k)


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
