"""What the routing page reports: spend against the monthly limit, savings, and charts over time.

Figures combine the hourly rollups (kept for good) with the raw logs of the hours not rolled up yet,
so the month's numbers are complete before the hourly task has run and after raw logs are purged.
Money stays an exact ``Decimal`` until it is shown; figures are rounded half-up to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Sum

from catalog.models import ModelKind
from portal.models import Team
from routing.models import Backend, RequestLog, RequestRollup, Route, TeamBudget

CENT = Decimal("0.01")
MTOK = Decimal(1_000_000)
SECONDS_PER_HOUR = Decimal(3600)
CHART_RANGES = {
    "24h": (timedelta(hours=24), "hour"),
    "7d": (timedelta(days=7), "day"),
    "30d": (timedelta(days=30), "day"),
}
DEFAULT_CHART_RANGE = "7d"


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def under_a_cent(exact: Decimal) -> bool:
    """Priced, yet rounding to the cent would show $0.00: the page says "< $0.01" instead."""
    return exact > 0 and to_cents(exact) == 0


def month_start(moment: datetime) -> datetime:
    """The first instant of the calendar month (UTC) that holds ``moment``: budgets count per month."""
    utc = moment.astimezone(UTC)
    return utc.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(start: datetime) -> datetime:
    return (start + timedelta(days=32)).replace(day=1)


def hour_floor(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class TrafficRow:
    """Totals of one (route, backend) pair over a period, shadow calls apart."""

    route_name: str
    backend_name: str
    backend_kind: str
    is_shadow: bool
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: Decimal = Decimal("0")


def rolled_up_until(*, team: Team) -> datetime | None:
    """The end of the team's last rolled-up hour: raw logs from then on are not in any rollup yet."""
    last = RequestRollup.objects.filter(team=team).aggregate(last=Max("hour"))["last"]
    return None if last is None else last + timedelta(hours=1)


def traffic_totals(*, team: Team, start: datetime, end: datetime) -> list[TrafficRow]:
    """Totals per route, backend and shadow flag in ``[start, end)``: rollups for the hours rolled
    up, raw logs for the rest (three queries)."""
    watermark = rolled_up_until(team=team)
    keys = ("route_name", "backend_name", "backend_kind", "is_shadow")
    rows: dict[tuple[Any, ...], TrafficRow] = {}

    def add(values: dict[str, Any]) -> None:
        key = tuple(values[k] for k in keys)
        row = rows.setdefault(key, TrafficRow(*key))
        row.requests += values["n"] or 0
        row.input_tokens += values["inp"] or 0
        row.output_tokens += values["out"] or 0
        row.cost_usd += values["cost"] or Decimal("0")

    if watermark is not None:
        for values in (
            RequestRollup.objects.filter(team=team, hour__gte=start, hour__lt=min(end, watermark))
            .values(*keys)
            .annotate(
                n=Sum("requests"), inp=Sum("input_tokens"), out=Sum("output_tokens"), cost=Sum("cost_usd")
            )
            .order_by()
        ):
            add(values)
    raw_from = start if watermark is None else max(start, watermark)
    if raw_from < end:
        for values in (
            RequestLog.objects.filter(team=team, created_at__gte=raw_from, created_at__lt=end)
            .values(*keys)
            .annotate(n=Count("id"), inp=Sum("input_tokens"), out=Sum("output_tokens"), cost=Sum("cost_usd"))
            .order_by()
        ):
            add(values)
    return sorted(rows.values(), key=lambda r: (r.route_name, r.backend_name, r.is_shadow))


# --- Spend against the limit ---------------------------------------------------------------------


@dataclass(frozen=True)
class MonthSpend:
    month: datetime
    spend_usd: Decimal
    limit_usd: Decimal | None
    spend_exact_usd: Decimal = Decimal("0")

    @property
    def spend_under_a_cent(self) -> bool:
        return under_a_cent(self.spend_exact_usd)

    @property
    def percent_used(self) -> int | None:
        if self.limit_usd is None:
            return None
        if self.limit_usd == 0:
            return 100 if self.spend_usd > 0 else 0
        return int(self.spend_usd * 100 / self.limit_usd)

    @property
    def over(self) -> bool:
        return self.limit_usd is not None and self.spend_usd >= self.limit_usd


def month_spend(*, team: Team, now: datetime, traffic: list[TrafficRow] | None = None) -> MonthSpend:
    """Everything the gateway spent this calendar month (UTC), shadow calls included."""
    start = month_start(now)
    traffic = traffic if traffic is not None else traffic_totals(team=team, start=start, end=now)
    budget = TeamBudget.objects.filter(team=team).first()
    exact = sum((r.cost_usd for r in traffic), Decimal("0"))
    return MonthSpend(
        month=start,
        spend_usd=to_cents(exact),
        limit_usd=budget.monthly_limit_usd if budget else None,
        spend_exact_usd=exact,
    )


# --- Savings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstanceCost:
    backend_names: tuple[str, ...]
    base_url: str
    model_name: str
    hourly_usd: Decimal
    hours: Decimal
    cost_usd: Decimal


@dataclass
class Savings:
    """The month so far: what it cost, and what the same traffic would have cost all-proprietary."""

    month: datetime
    period_end: datetime
    api_spend_usd: Decimal = Decimal("0")
    instances: list[InstanceCost] = field(default_factory=list)
    all_proprietary_usd: Decimal = Decimal("0")
    repriced_requests: int = 0
    unpriced_requests: int = 0
    unpriced_routes: list[str] = field(default_factory=list)
    unpriced_instances: list[str] = field(default_factory=list)
    api_spend_exact_usd: Decimal = Decimal("0")
    all_proprietary_exact_usd: Decimal = Decimal("0")

    @property
    def api_spend_under_a_cent(self) -> bool:
        return under_a_cent(self.api_spend_exact_usd)

    @property
    def all_proprietary_under_a_cent(self) -> bool:
        return under_a_cent(self.all_proprietary_exact_usd)

    @property
    def self_hosted_usd(self) -> Decimal:
        return to_cents(sum((i.cost_usd for i in self.instances), Decimal("0")))

    @property
    def actual_usd(self) -> Decimal:
        return to_cents(self.api_spend_usd + self.self_hosted_usd)

    @property
    def saved_usd(self) -> Decimal:
        """Positive when routing saved money; negative when self-hosting cost more than it saved."""
        return to_cents(self.all_proprietary_usd) - self.actual_usd

    @property
    def saved_abs_usd(self) -> Decimal:
        return abs(self.saved_usd)


def _proprietary_prices(routes: list[Route]) -> dict[str, tuple[Decimal, Decimal] | None]:
    """Each route's proprietary backend's catalog prices (USD per 1M input, output tokens)."""
    prices: dict[str, tuple[Decimal, Decimal] | None] = {}
    for route in routes:
        backend = route.proprietary_backend
        model = backend.catalog_model if backend is not None else None
        if model is None or model.input_price_per_mtok is None or model.output_price_per_mtok is None:
            prices[route.name] = None
        else:
            prices[route.name] = (model.input_price_per_mtok, model.output_price_per_mtok)
    return prices


def savings_for_month(*, team: Team, now: datetime, traffic: list[TrafficRow] | None = None) -> Savings:
    """Savings of the calendar month (UTC) up to ``now``.

    - What it cost = API spend (requests served by proprietary backends, at their logged cost) plus
      the self-hosted instances' cost for the elapsed hours of the month: each enabled open-source
      backend's catalog hourly instance cost, one instance per distinct base URL, whether or not
      it served anything (idle GPUs are paid for too).
    - All-proprietary = the proprietary-served requests at their cost, plus every open-source-served
      request repriced at its route's proprietary backend's catalog prices:
      ``input_tokens x input $/1M / 1e6 + output_tokens x output $/1M / 1e6``.
      Shadow calls are left out: without open source there would be none. A request whose route
      has no priced proprietary backend cannot be repriced; it is counted as unpriced.
    """
    start = month_start(now)
    end = min(now, next_month_start(start))
    traffic = traffic if traffic is not None else traffic_totals(team=team, start=start, end=end)
    routes = list(
        Route.objects.filter(team=team).select_related("proprietary_backend__catalog_model").order_by("name")
    )
    prices = _proprietary_prices(routes)
    result = Savings(month=start, period_end=end)
    all_proprietary = Decimal("0")
    unpriced_routes: set[str] = set()
    for row in traffic:
        if row.backend_kind == ModelKind.PROPRIETARY:
            result.api_spend_usd += row.cost_usd
            if not row.is_shadow:
                all_proprietary += row.cost_usd
            continue
        if row.is_shadow or row.backend_kind != ModelKind.OPEN_SOURCE:
            continue
        price = prices.get(row.route_name)
        if price is None:
            result.unpriced_requests += row.requests
            unpriced_routes.add(row.route_name or "(no route)")
            continue
        result.repriced_requests += row.requests
        all_proprietary += row.input_tokens * price[0] / MTOK + row.output_tokens * price[1] / MTOK
    result.api_spend_exact_usd = result.api_spend_usd
    result.all_proprietary_exact_usd = all_proprietary
    result.api_spend_usd = to_cents(result.api_spend_usd)
    result.all_proprietary_usd = to_cents(all_proprietary)
    result.unpriced_routes = sorted(unpriced_routes)
    hours = Decimal(int((end - start).total_seconds())) / SECONDS_PER_HOUR
    by_url: dict[str, list[Backend]] = defaultdict(list)
    for backend in (
        Backend.objects.filter(team=team, kind=ModelKind.OPEN_SOURCE, enabled=True)
        .select_related("catalog_model")
        .order_by("name", "id")
    ):
        by_url[backend.base_url.rstrip("/").lower()].append(backend)
    for url, backends in by_url.items():
        priced = next(
            (b for b in backends if b.catalog_model and b.catalog_model.instance_hourly_cost is not None),
            None,
        )
        if (
            priced is None
            or priced.catalog_model is None
            or priced.catalog_model.instance_hourly_cost is None
        ):
            result.unpriced_instances.extend(b.name for b in backends)
            continue
        hourly = priced.catalog_model.instance_hourly_cost
        result.instances.append(
            InstanceCost(
                backend_names=tuple(b.name for b in backends),
                base_url=url,
                model_name=priced.catalog_model.name,
                hourly_usd=hourly,
                hours=hours.quantize(Decimal("0.01")),
                cost_usd=to_cents(hourly * hours),
            )
        )
    return result


# --- Charts --------------------------------------------------------------------------------------


def chart_series(*, team: Team, now: datetime, range_key: str = DEFAULT_CHART_RANGE) -> dict[str, Any]:
    """Spend and mean latency per backend and per task type, hourly (24 h) or daily (7 or 30 days),
    from the rollups: one grouped query. Money is a decimal string to the cent."""
    span, step = CHART_RANGES.get(range_key, CHART_RANGES[DEFAULT_CHART_RANGE])
    end = hour_floor(now) + timedelta(hours=1)
    start = end - span
    if step == "day":
        start = start.replace(hour=0)

    def bucket(moment: datetime) -> datetime:
        moment = moment.astimezone(UTC)
        return moment.replace(hour=0) if step == "day" else moment

    labels: list[datetime] = []
    cursor = bucket(start)
    while cursor < end:
        labels.append(cursor)
        cursor += timedelta(days=1) if step == "day" else timedelta(hours=1)
    index = {label: i for i, label in enumerate(labels)}
    size = len(labels)
    spend_backend: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0")] * size)
    spend_task: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0")] * size)
    latency: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in range(size)])
    latency_task: dict[str, list[list[int]]] = defaultdict(lambda: [[0, 0] for _ in range(size)])
    rows = (
        RequestRollup.objects.filter(team=team, hour__gte=start, hour__lt=end)
        .values("hour", "backend_name", "task_type", "is_shadow")
        .annotate(
            cost=Sum("cost_usd"),
            latency_sum=Sum("latency_ms_sum"),
            n=Sum("requests"),
        )
        .order_by()
    )
    seen = False
    for row in rows:
        seen = True
        i = index.get(bucket(row["hour"]))
        if i is None:
            continue
        backend = row["backend_name"] or "(none)"
        task = row["task_type"] or "(none)"
        spend_backend[backend][i] += row["cost"] or Decimal("0")
        spend_task[task][i] += row["cost"] or Decimal("0")
        if not row["is_shadow"]:
            for target, key in ((latency, backend), (latency_task, task)):
                target[key][i][0] += row["latency_sum"] or 0
                target[key][i][1] += row["n"] or 0

    def money_series(series: dict[str, list[Decimal]]) -> list[dict[str, Any]]:
        return [{"label": k, "data": [str(to_cents(v)) for v in vs]} for k, vs in sorted(series.items())]

    def latency_series(series: dict[str, list[list[int]]]) -> list[dict[str, Any]]:
        return [
            {"label": k, "data": [round(s / n) if n else None for s, n in vs]}
            for k, vs in sorted(series.items())
        ]

    fmt = "%m-%d" if step == "day" else "%m-%d %H:00"
    return {
        "range": range_key if range_key in CHART_RANGES else DEFAULT_CHART_RANGE,
        "step": step,
        "labels": [label.strftime(fmt) for label in labels],
        "spend_by_backend": money_series(spend_backend),
        "spend_by_task_type": money_series(spend_task),
        "latency_by_backend": latency_series(latency),
        "latency_by_task_type": latency_series(latency_task),
        "empty": not seen,
    }
