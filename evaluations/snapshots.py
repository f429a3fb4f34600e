"""The JSON form of a recommendation and a cost report.

One shape for three readers: the API returns it, a saved evaluation stores it, and the pages render
it, so a saved evaluation reads exactly like the live result it was. Money is a decimal string to the
cent; a figure that does not apply or is not known is null, never zero.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from evaluations.costing import USAGE_FIELDS

if TYPE_CHECKING:
    from evaluations.services import (
        CostChart,
        CostComparison,
        CostReport,
        ModelCost,
        ModelRef,
        Recommendation,
    )


# The shape of a saved evaluation's snapshot. 1: the first, unversioned shape. 2: carries
# ``schema_version`` and always has every top-level key. Bump it with an upgrade step below whenever
# the shape changes, so evaluations saved earlier still read.
SNAPSHOT_VERSION = 2


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 stored no version, and could leave out the names and the cost report."""
    data.setdefault("profile_name", None)
    data.setdefault("usage_pattern_name", None)
    data.setdefault("cost_report", None)
    data["schema_version"] = 2
    return data


_UPGRADES = {1: _v1_to_v2}


def snapshot_upgrade(stored: dict[str, Any]) -> dict[str, Any]:
    """A stored snapshot in the current shape, upgraded step by step from the version it was saved in
    (a copy: the stored value is not changed). A snapshot from a newer version is refused."""
    data = dict(stored)
    version = data.get("schema_version", 1)
    if not isinstance(version, int) or version > SNAPSHOT_VERSION:
        raise ValueError(f"Unknown snapshot version {version!r}; this portal reads up to {SNAPSHOT_VERSION}.")
    while version < SNAPSHOT_VERSION:
        data = _UPGRADES[version](data)
        version = data["schema_version"]
    return data


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def model_ref_data(ref: ModelRef) -> dict[str, Any]:
    return {"id": ref.id, "name": ref.name, "kind": ref.kind}


def recommendation_data(
    recommendation: Recommendation, *, profile_id: int | None = None, usage_pattern_id: int | None = None
) -> dict[str, Any]:
    return {
        "priorities": list(recommendation.priorities),
        "profile": profile_id,
        "usage_pattern": usage_pattern_id,
        "requirements": recommendation.requirements.as_data(),
        "results": [
            {
                "rank": r.rank,
                "model": {"id": r.candidate.id, "name": r.candidate.name, "kind": r.candidate.kind},
                "score": money(r.score),
                "contributions": {p: money(v) for p, v in r.contributions.items()},
                "defaulted": list(r.defaulted),
                "tied": r.tied,
            }
            for r in recommendation.ranking
        ],
        "excluded": [
            {"model": model_ref_data(e.model), "reasons": list(e.reasons)} for e in recommendation.excluded
        ],
    }


def model_cost_data(cost: ModelCost) -> dict[str, Any]:
    return {
        **model_ref_data(cost.model),
        "basis": cost.basis,
        "priced": cost.priced,
        "missing": list(cost.missing),
        "instances": cost.instances,
        "capacity_checked": cost.capacity_checked,
        "capacity_note": cost.capacity_note,
        "monthly_api": money(cost.monthly_api),
        "monthly_compute": money(cost.monthly_compute),
        "monthly_ops": money(cost.monthly_ops),
        "setup": money(cost.setup),
        "monthly_total": money(cost.monthly_total),
        "first_year_total": money(cost.first_year_total),
    }


def _side(cost: ModelCost) -> dict[str, Any]:
    return {**model_ref_data(cost.model), "monthly_total": money(cost.monthly_total)}


def comparison_data(
    comparison: CostComparison, sides: dict[int, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One pair; ``sides`` caches each model's side by id, since every model appears in many pairs."""
    sides = {} if sides is None else sides
    for cost in (comparison.open_source, comparison.proprietary):
        if cost.model.id not in sides:
            sides[cost.model.id] = _side(cost)
    return {
        "open_source": sides[comparison.open_source.model.id],
        "proprietary": sides[comparison.proprietary.model.id],
        "break_even_months": money(comparison.break_even.months),
        "break_even_reason": comparison.break_even.reason,
        "break_even_daily_requests": comparison.break_even_daily_requests,
        "break_even_volume_reason": comparison.break_even_volume_reason,
    }


def chart_data(chart: CostChart) -> dict[str, Any]:
    return {
        **comparison_data(chart.comparison),
        "cumulative": [
            {"month": month, "api": money(api), "self_hosted": money(hosted)}
            for month, api, hosted in chart.cumulative
        ],
        "by_volume": [
            {"daily_requests": volume, "api": money(api), "self_hosted": money(hosted)}
            for volume, api, hosted in chart.by_volume
        ],
    }


def cost_report_data(report: CostReport, *, usage_pattern_id: int | None = None) -> dict[str, Any]:
    usage = report.usage
    sides: dict[int, dict[str, Any]] = {}
    return {
        "usage_pattern": usage_pattern_id,
        "usage": {name: getattr(usage, name) for name in USAGE_FIELDS},
        "models": [model_cost_data(c) for c in report.models],
        "comparisons": [comparison_data(c, sides) for c in report.comparisons],
        "chart": chart_data(report.chart) if report.chart is not None else None,
        "notes": report.notes,
        "assumptions": [{"title": a.title, "text": a.text} for a in report.assumptions],
    }
