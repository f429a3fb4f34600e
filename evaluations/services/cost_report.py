"""Cost reports: each catalog model priced at a team's traffic, and every priced open-source model
compared with every priced proprietary one.

The arithmetic is ``evaluations.costing`` (pure functions); this module feeds it catalog figures and
says which figures are missing, so a model is never priced at $0 for want of data.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from django.conf import settings

from catalog.vocabulary import OPEN_SOURCE, PROPRIETARY, fields_in_words
from evaluations.costing import (
    PREFILL_TO_OUTPUT_SPEED,
    ApiPricing,
    BreakEven,
    CostRow,
    HostingProfile,
    SelfHostedCost,
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


class CatalogModel(Protocol):
    """The catalog fields a cost report reads: ``catalog.models.ModelOption`` and the lighter
    ``catalog.selectors.CatalogEntry`` rows both have them. Read-only, so frozen rows fit."""

    @property
    def pk(self) -> Any: ...
    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def input_price_per_mtok(self) -> Decimal | None: ...
    @property
    def output_price_per_mtok(self) -> Decimal | None: ...
    @property
    def instance_hourly_cost(self) -> Decimal | None: ...
    @property
    def throughput_tokens_per_s(self) -> int | None: ...
    @property
    def prefill_tokens_per_s(self) -> int | None: ...
    @property
    def concurrent_requests_per_instance(self) -> int | None: ...
    @property
    def setup_hours(self) -> Decimal | None: ...
    @property
    def monthly_ops_hours(self) -> Decimal | None: ...
    @property
    def engineering_hourly_rate(self) -> Decimal | None: ...


API_PRICE_FIELDS: tuple[str, ...] = ("input_price_per_mtok", "output_price_per_mtok")
HOSTING_COST_FIELDS: tuple[str, ...] = (
    "instance_hourly_cost",
    "setup_hours",
    "monthly_ops_hours",
    "engineering_hourly_rate",
)
CHART_MONTHS = 36
VOLUME_STEPS = 24


@dataclass(frozen=True)
class ModelRef:
    id: int
    name: str
    kind: str


def model_ref(option: CatalogModel) -> ModelRef:
    return ModelRef(option.pk, option.name, option.kind)


Basis = Literal["api", "self_hosted"]
BASIS_LABELS: dict[str, str] = {"api": "API", "self_hosted": "self-hosted"}


@dataclass(frozen=True)
class ModelCost:
    """One way of running a model, priced at a usage: through an API price, or self-hosted.

    A proprietary model is priced by its API price, an open-source model by self-hosting, and an
    open-source model that also has a hosted API price both ways (``both_ways``: two labelled
    options). ``missing`` names the catalog fields a price needs but lacks; such an option is not
    priced and all its figures are None (never zero).
    """

    model: ModelRef
    missing: tuple[str, ...]
    monthly_api: Decimal | None = None
    hosted: SelfHostedCost | None = None
    pricing: ApiPricing | None = None
    hosting: HostingProfile | None = None
    monthly_api_exact: Decimal | None = None
    priced_by: Basis | None = None
    both_ways: bool = False

    @property
    def label(self) -> str:
        """The model's name, with the way it is run when it is priced both ways."""
        if not self.both_ways:
            return self.model.name
        return f"{self.model.name} ({BASIS_LABELS[self.basis]})"

    @property
    def under_a_cent(self) -> bool:
        """True when an API bill rounds to $0.00 but is not nothing: shown as "< $0.01"."""
        return self.monthly_api_exact is not None and 0 < self.monthly_api_exact < Decimal("0.005")

    @property
    def priced(self) -> bool:
        return not self.missing

    @property
    def basis(self) -> Basis:
        if self.priced_by is not None:
            return self.priced_by
        return "self_hosted" if self.model.kind == OPEN_SOURCE else "api"

    @property
    def instances(self) -> int | None:
        return self.hosted.capacity.instances if self.hosted else None

    @property
    def capacity_checked(self) -> bool | None:
        return self.hosted.capacity.capacity_checked if self.hosted else None

    @property
    def capacity_note(self) -> str:
        """Which capacity checks could not be made, or "" when both were (or it does not apply)."""
        if self.hosted is None or self.hosting is None or self.hosted.capacity.capacity_checked:
            return ""
        unknown = [
            label
            for label, value in (
                ("output tokens/s per instance", self.hosting.throughput_tokens_per_s),
                ("concurrent requests per instance", self.hosting.concurrent_requests),
            )
            if value is None
        ]
        n = self.hosted.capacity.instances
        return (
            f"Capacity not checked: {' and '.join(unknown)} unknown, so {n} instance"
            f"{'s are' if n != 1 else ' is'} assumed whatever the traffic; the self-hosted cost may be "
            "far too low."
        )

    @property
    def monthly_compute(self) -> Decimal | None:
        return self.hosted.monthly_compute if self.hosted else None

    @property
    def monthly_ops(self) -> Decimal | None:
        return self.hosted.monthly_ops if self.hosted else None

    @property
    def setup(self) -> Decimal | None:
        return self.hosted.setup if self.hosted else None

    @property
    def monthly_total(self) -> Decimal | None:
        if self.hosted is not None:
            return self.hosted.monthly_total
        return self.monthly_api

    @property
    def first_year_total(self) -> Decimal | None:
        """Self-hosted: setup + 12 x monthly total. API: 12 x monthly bill."""
        if self.hosted is not None:
            return self.hosted.first_year_total
        return None if self.monthly_api is None else 12 * self.monthly_api


def _missing(option: CatalogModel, names: Sequence[str]) -> tuple[str, ...]:
    return tuple(name for name in names if getattr(option, name) is None)


def has_api_price(option: CatalogModel) -> bool:
    return not _missing(option, API_PRICE_FIELDS)


def model_costs(*, option: CatalogModel, usage: Usage) -> list[ModelCost]:
    """Every way of running one catalog model, priced at this usage (or with what is missing).

    Proprietary: through its API. Open source: self-hosted, and also through an API when the catalog
    has a hosted API price for it (two labelled options).
    """
    if option.kind != OPEN_SOURCE:
        return [_api_cost(option, usage)]
    if not has_api_price(option):
        return [_self_hosted_cost(option, usage)]
    return [_api_cost(option, usage, both_ways=True), _self_hosted_cost(option, usage, both_ways=True)]


def cheaper_option(costs: Sequence[ModelCost]) -> ModelCost:
    """The option a recommendation prices a model by: the cheaper priced one of ``model_costs``.

    A proprietary model has one option (its API), an open-source model self-hosting, and one with a
    hosted API price both (the cost report's two labelled options): the cheaper priced one counts,
    the API on an exact tie (nothing to set up or run). When no option is priced, the usual way of
    running the model (self-hosted for open source) is returned with what it lacks.
    """
    priced = [cost for cost in costs if cost.monthly_total is not None]
    if not priced:
        return costs[-1]
    return min(priced, key=lambda cost: (cost.monthly_total, cost.basis != "api"))


def model_cost(*, option: CatalogModel, usage: Usage) -> ModelCost:
    """One model's cost at this usage as a recommendation prices it (``cheaper_option``)."""
    return cheaper_option(model_costs(option=option, usage=usage))


def _self_hosted_cost(option: CatalogModel, usage: Usage, *, both_ways: bool = False) -> ModelCost:
    ref = model_ref(option)
    missing = _missing(option, HOSTING_COST_FIELDS)
    if missing:
        return ModelCost(ref, missing, priced_by="self_hosted", both_ways=both_ways)
    instance_hourly_cost, setup_hours = option.instance_hourly_cost, option.setup_hours
    monthly_ops_hours, engineering_hourly_rate = option.monthly_ops_hours, option.engineering_hourly_rate
    # _missing found none of HOSTING_COST_FIELDS empty.
    assert instance_hourly_cost is not None and setup_hours is not None
    assert monthly_ops_hours is not None and engineering_hourly_rate is not None
    hosting = HostingProfile(
        instance_hourly_cost=instance_hourly_cost,
        setup_hours=setup_hours,
        monthly_ops_hours=monthly_ops_hours,
        engineering_hourly_rate=engineering_hourly_rate,
        throughput_tokens_per_s=option.throughput_tokens_per_s,
        concurrent_requests=option.concurrent_requests_per_instance,
        prefill_tokens_per_s=option.prefill_tokens_per_s,
    )
    return ModelCost(
        ref,
        (),
        hosted=self_hosted_cost(usage, hosting),
        hosting=hosting,
        priced_by="self_hosted",
        both_ways=both_ways,
    )


def _api_cost(option: CatalogModel, usage: Usage, *, both_ways: bool = False) -> ModelCost:
    ref = model_ref(option)
    missing = _missing(option, API_PRICE_FIELDS)
    if missing:
        return ModelCost(ref, missing, priced_by="api", both_ways=both_ways)
    input_price, output_price = option.input_price_per_mtok, option.output_price_per_mtok
    assert input_price is not None and output_price is not None  # _missing found neither empty
    pricing = ApiPricing(input_price, output_price)
    return ModelCost(
        ref,
        (),
        monthly_api=api_monthly_cost(usage, pricing),
        pricing=pricing,
        monthly_api_exact=api_monthly_cost_exact(usage, pricing),
        priced_by="api",
        both_ways=both_ways,
    )


@dataclass(frozen=True)
class CostComparison:
    """A priced open-source model against a priced proprietary one."""

    open_source: ModelCost
    proprietary: ModelCost
    break_even: BreakEven
    break_even_daily_requests: int | None
    break_even_volume_reason: str


@dataclass(frozen=True)
class CostChart:
    """Series for one comparison: cumulative cost by month, and monthly cost by daily volume."""

    comparison: CostComparison
    cumulative: list[CostRow]
    by_volume: list[CostRow]


@dataclass(frozen=True)
class Assumption:
    title: str
    text: str


def _doc(function: Callable[..., Any]) -> str:
    return inspect.cleandoc(function.__doc__ or "")


# The formulas as the cost model documents them, shown next to every report.
ASSUMPTIONS: tuple[Assumption, ...] = (
    Assumption("API monthly cost", _doc(api_monthly_cost)),
    Assumption("Self-hosted monthly cost", _doc(self_hosted_cost)),
    Assumption("Instances needed", _doc(instances_needed)),
    Assumption("Break-even months", _doc(break_even_months)),
    Assumption("Break-even daily volume", _doc(break_even_daily_requests)),
    Assumption("Cumulative cost", _doc(cumulative_costs)),
)


def idle_days_note(usage: Usage) -> str:
    """What the days without traffic do to the self-hosted bill."""
    days = usage.idle_days
    plural = "s" if days != 1 else ""
    if usage.shut_down_idle_days:
        return (
            f"Self-hosted instances are shut down on the {days} idle day{plural} a month: GPU hours are "
            f"billed for {usage.billed_days} days. Operations labour is the same every month."
        )
    return (
        f"Self-hosted instances keep running on the {days} idle day{plural} a month: GPU hours are "
        f"billed for {usage.billed_days} days."
    )


@dataclass(frozen=True)
class CostReport:
    usage: Usage
    models: list[ModelCost]
    comparisons: list[CostComparison]
    chart: CostChart | None
    assumptions: tuple[Assumption, ...] = ASSUMPTIONS
    pairs_available: int | None = None  # every priced self-hosted x API pair, when above the limit

    @property
    def comparisons_limited(self) -> bool:
        return self.pairs_available is not None and self.pairs_available > len(self.comparisons)

    @property
    def notes(self) -> list[str]:
        notes = [idle_days_note(self.usage)] if self.usage.idle_days else []
        if self.comparisons_limited:
            assert self.pairs_available is not None
            notes.append(
                f"Only {len(self.comparisons):,} of {self.pairs_available:,} self-hosted/API pairs are "
                f"compared (at most {max_comparisons():,} per report): the cheapest options of each side "
                "first. Choose fewer models to compare the others."
            )
        notes += [f"{m.label}: {m.capacity_note}" for m in self.models if m.capacity_note]
        notes += [
            f"{m.label}: no prefill figure, so prompts are read at {PREFILL_TO_OUTPUT_SPEED} x "
            "its output speed."
            for m in self.models
            if m.hosting is not None and m.hosting.throughput_tokens_per_s and m.hosting.prefill_assumed
        ]
        notes += [
            f"{m.label}: not priced, missing {fields_in_words(m.missing)}."
            for m in self.models
            if not m.priced
        ]
        return notes


def _compare(
    usage: Usage, open_source: ModelCost, proprietary: ModelCost, steps: SelfHostedSteps | None = None
) -> CostComparison:
    hosted, hosting, pricing = open_source.hosted, open_source.hosting, proprietary.pricing
    assert hosted is not None and hosting is not None and pricing is not None
    assert proprietary.monthly_api is not None
    volume = break_even_daily_requests(usage, pricing, hosting, steps=steps)
    if volume is not None:
        volume_reason = f"From {volume:,} requests a day the API costs at least as much as self-hosting."
    elif usage.avg_input_tokens * pricing.input_per_mtok + usage.avg_output_tokens * pricing.output_per_mtok:
        volume_reason = (
            "No daily volume makes the API cost as much as self-hosting: each added instance costs "
            "more than the API traffic it can serve."
        )
    else:
        volume_reason = "The API costs nothing at this token mix, so self-hosting never costs less."
    return CostComparison(
        open_source=open_source,
        proprietary=proprietary,
        break_even=break_even_months(hosted.setup, proprietary.monthly_api, hosted.monthly_total),
        break_even_daily_requests=volume,
        break_even_volume_reason=volume_reason,
    )


def _volume_points(usage: Usage, break_even_volume: int | None) -> list[int]:
    """Daily volumes for the chart: 0 to twice the larger of today's and the break-even volume."""
    top = max(10, 2 * usage.daily_requests, 2 * (break_even_volume or 0))
    step = _nice_step(-(-top // VOLUME_STEPS))
    points = {step * i for i in range(VOLUME_STEPS + 1)} | {usage.daily_requests}
    if break_even_volume is not None:
        points.add(break_even_volume)
    return sorted(points)


def _nice_step(minimum: int) -> int:
    """The smallest 1, 2 or 5 x 10^k at or above ``minimum``, so the volume axis reads in round steps."""
    scale = 1
    while True:
        for factor in (1, 2, 5):
            if factor * scale >= minimum:
                return factor * scale
        scale *= 10


def _cheapest(costs: list[ModelCost]) -> ModelCost:
    return min(costs, key=lambda c: (c.monthly_total, c.model.name.casefold(), c.model.id))


def max_comparisons() -> int:
    """How many self-hosted x API pairs one report compares at most (``COST_REPORT_MAX_COMPARISONS``)."""
    return max(1, int(getattr(settings, "COST_REPORT_MAX_COMPARISONS", 500)))


def _bounded_pairs(open_count: int, api_count: int, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` (open-source rank, API rank) pairs, cheapest first: every pair whose rank sum is
    s comes before any pair whose rank sum is s + 1 (within a sum, by open-source rank). The work is
    proportional to the pairs returned, never to the full grid."""
    pairs: list[tuple[int, int]] = []
    for total in range(open_count + api_count - 1):
        for i in range(max(0, total - api_count + 1), min(open_count, total + 1)):
            if len(pairs) == limit:
                return pairs
            pairs.append((i, total - i))
    return pairs


def _by_cost(costs: list[ModelCost]) -> list[int]:
    """Indices of ``costs``, cheapest monthly total first (ties by name, then id)."""
    return sorted(
        range(len(costs)),
        key=lambda n: (costs[n].monthly_total, costs[n].model.name.casefold(), costs[n].model.id),
    )


def cost_report_build(
    *,
    usage: Usage,
    options: Sequence[CatalogModel],
    chart_pair: tuple[int | None, int | None] | None = None,
) -> CostReport:
    """Price every way of running every model (``model_costs``), compare every priced self-hosted
    option with every priced API option, and chart one pair.

    At most ``max_comparisons()`` pairs are compared: above it, the cheapest self-hosted and API
    options are paired first (``_bounded_pairs``), the report says how many pairs were left out, and
    the comparisons keep the report's name order.

    ``chart_pair`` is (self-hosted model id, API model id); a side that is None or not priced that
    way falls back to the cheapest priced option of that way (on the API side, the cheapest
    proprietary model when there is one). The chart covers 36 months of
    cumulative cost and monthly cost across daily volumes from zero to twice the larger of this
    usage and the break-even volume.
    """
    costs = [cost for option in options for cost in model_costs(option=option, usage=usage)]
    costs.sort(key=lambda c: (c.model.name.casefold(), c.model.name, c.model.id, c.basis))
    open_source = [c for c in costs if c.priced and c.basis == "self_hosted"]
    proprietary = [c for c in costs if c.priced and c.basis == "api"]
    available = len(open_source) * len(proprietary)
    limit = max_comparisons()
    if available <= limit:
        chosen = [(i, j) for i in range(len(open_source)) for j in range(len(proprietary))]
    else:
        os_rank, api_rank = _by_cost(open_source), _by_cost(proprietary)
        chosen = sorted(
            (os_rank[i], api_rank[j]) for i, j in _bounded_pairs(len(open_source), len(proprietary), limit)
        )
    comparisons = []
    steps: dict[int, SelfHostedSteps] = {}  # shared by one self-hosted option's comparisons
    for i, j in chosen:
        o = open_source[i]
        assert o.hosting is not None
        if i not in steps:
            steps[i] = SelfHostedSteps(usage, o.hosting)
        comparisons.append(_compare(usage, o, proprietary[j], steps[i]))
    chart = None
    if comparisons:
        wanted_os, wanted_api = chart_pair or (None, None)
        chosen_os = next((c for c in open_source if c.model.id == wanted_os), None) or _cheapest(open_source)
        # By default the article's question: self-hosting against the cheapest proprietary API.
        chosen_api = next((c for c in proprietary if c.model.id == wanted_api), None) or _cheapest(
            [c for c in proprietary if c.model.kind == PROPRIETARY] or proprietary
        )
        charted = next(
            (c for c in comparisons if c.open_source is chosen_os and c.proprietary is chosen_api), None
        ) or _compare(usage, chosen_os, chosen_api)  # a chosen pair the limit left out: one more
        chart = _chart(usage, charted)
    return CostReport(
        usage=usage,
        models=costs,
        comparisons=comparisons,
        chart=chart,
        pairs_available=available if available > limit else None,
    )


def _chart(usage: Usage, comparison: CostComparison) -> CostChart:
    hosted, hosting = comparison.open_source.hosted, comparison.open_source.hosting
    pricing, api = comparison.proprietary.pricing, comparison.proprietary.monthly_api
    assert hosted is not None and hosting is not None and pricing is not None and api is not None
    points = _volume_points(usage, comparison.break_even_daily_requests)
    return CostChart(
        comparison=comparison,
        cumulative=cumulative_costs(api, hosted, CHART_MONTHS),
        by_volume=monthly_cost_by_volume(usage, pricing, hosting, points),
    )
