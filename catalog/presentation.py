"""How catalog values read on a page: unknowns say so, contexts read as '128K'."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.models import CAPABILITY_FIELDS, CAPABILITY_LABELS, ModelOption

UNKNOWN = "unknown"


def context_display(tokens: int | None) -> str:
    if tokens is None:
        return UNKNOWN
    if tokens % 1000 == 0:
        return f"{tokens // 1000}K"
    return f"{tokens:,}"


def capability_display(option: ModelOption, field: str) -> str:
    value = getattr(option, field)
    if field == "max_context_tokens":
        return context_display(value)
    if value is None or value == "":
        return UNKNOWN
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(getattr(option, f"get_{field}_display")())


@dataclass(frozen=True)
class MatrixRow:
    label: str
    cells: list[str]


def capability_matrix(options: list[ModelOption]) -> list[MatrixRow]:
    """Nine capability rows, one cell per model (models are the columns)."""
    return [
        MatrixRow(CAPABILITY_LABELS[field], [capability_display(o, field) for o in options])
        for field in CAPABILITY_FIELDS
    ]


@dataclass(frozen=True)
class Figure:
    """One figure of a model as the detail page shows it: value, where it comes from and since when,
    or why it is unknown."""

    label: str
    value: str
    source: str
    effective: str
    unknown_reason: str = ""


@dataclass(frozen=True)
class FigureGroup:
    title: str
    figures: list[Figure]


def _money(value: object, unit: str = "") -> str:
    return UNKNOWN if value is None else f"${value:,.2f}{unit}"


def _plain(value: object, unit: str = "") -> str:
    if value is None or value == "":
        return UNKNOWN
    return f"{value:,}{unit}" if isinstance(value, int) and not isinstance(value, bool) else f"{value}{unit}"


def model_figures(option: ModelOption) -> list[FigureGroup]:
    """Every figure of a model, grouped, each with its source and effective date or, when unknown,
    the reason."""
    price_date = option.price_effective_date.isoformat() if option.price_effective_date else "not recorded"
    hosting_date = (
        option.hosting_effective_date.isoformat() if option.hosting_effective_date else "not recorded"
    )
    no_price = (
        f"genai-prices has no price for '{option.pricing_ref}'"
        if option.pricing_ref
        else "no hosted API price is known for this model"
    )
    price = [
        Figure(
            label, _money(getattr(option, name), " per 1M tokens"), option.price_source, price_date, no_price
        )
        for label, name in (
            ("Input price", "input_price_per_mtok"),
            ("Output price", "output_price_per_mtok"),
        )
    ]
    no_hosting = (
        "not self-hostable" if option.self_hosting is False else "no self-hosting figures have been published"
    )
    hosting = [
        Figure("GPU instance", _plain(option.gpu_instance), option.hosting_source, hosting_date, no_hosting),
        Figure(
            "GPUs per instance",
            _plain(option.gpus_per_instance),
            option.hosting_source,
            hosting_date,
            no_hosting,
        ),
        Figure(
            "Hourly instance cost",
            _money(option.instance_hourly_cost, " an hour"),
            option.hosting_source,
            hosting_date,
            no_hosting,
        ),
        Figure(
            "Setup", _plain(option.setup_hours, " hours"), option.hosting_source, hosting_date, no_hosting
        ),
        Figure(
            "Operations",
            _plain(option.monthly_ops_hours, " hours a month"),
            option.hosting_source,
            hosting_date,
            no_hosting,
        ),
        Figure(
            "Engineering rate",
            _money(option.engineering_hourly_rate, " an hour"),
            option.hosting_source,
            hosting_date,
            no_hosting,
        ),
    ]
    no_capacity = (
        "no published benchmark for this model on this instance is recorded, so capacity is not checked "
        "and one instance is assumed"
    )
    capacity = [
        Figure(label, _plain(getattr(option, name), unit), option.capacity_source, "", no_capacity)
        for label, name, unit in (
            ("Output speed", "throughput_tokens_per_s", " tokens/s"),
            ("Prefill speed", "prefill_tokens_per_s", " tokens/s"),
            ("Concurrent requests", "concurrent_requests_per_instance", " per instance"),
        )
    ]
    capabilities = [
        Figure(
            CAPABILITY_LABELS[field],
            capability_display(option, field),
            option.capability_source,
            "",
            "not stated by a cited source",
        )
        for field in CAPABILITY_FIELDS
    ]
    return [
        FigureGroup("API price", price),
        FigureGroup("Self-hosting costs", hosting),
        FigureGroup("Self-hosting capacity", capacity),
        FigureGroup("Capabilities", capabilities),
    ]
