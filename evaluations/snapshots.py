"""The JSON form of a recommendation and a cost report.

One shape for three readers: the API returns it, a saved evaluation stores it, and the pages render
it, so a saved evaluation reads exactly like the live result it was. Money is a decimal string to the
cent; a figure that does not apply or is not known is null, never zero.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from catalog.vocabulary import FIELD_WORDS
from evaluations.costing import DEFAULT_DAYS_PER_MONTH, USAGE_FIELDS
from evaluations.scoring import max_score

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
# ``schema_version`` and always has every top-level key. 3: results share ranks on ties and carry a
# reason line and their monthly cost at the usage; the recommendation its best possible score; the
# usage whether instances are shut down on idle days; an open-source model with a hosted API price
# is priced both ways (``label``, ``both_ways``) and a self-hosted side says whether its capacity
# was checked. 4: a result priced at the usage says which option priced it (``cost_basis``,
# ``cost_label``): an open-source model with a hosted API price is ranked by the cheaper of the two;
# messages name missing figures in words.
# Bump it with an upgrade step below whenever the shape changes, so evaluations saved earlier still
# read.
SNAPSHOT_VERSION = 4


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 stored no version, and could leave out the names and the cost report."""
    data.setdefault("profile_name", None)
    data.setdefault("usage_pattern_name", None)
    data.setdefault("cost_report", None)
    data["schema_version"] = 2
    return data


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 ranked by the catalog's cost score only, gave no reasons and always billed GPU hours
    for the traffic days."""
    recommendation = dict(data["recommendation"])
    recommendation.setdefault("max_score", money(max_score(recommendation["priorities"])))
    recommendation.setdefault("cost_from_usage", False)
    recommendation["results"] = [
        {"reason": "", "monthly_cost": None, "cost_score_from": "catalog", **result}
        for result in recommendation["results"]
    ]
    data["recommendation"] = recommendation
    report = data.get("cost_report")
    if report is not None:
        report = dict(report)
        usage = report["usage"]
        report["usage"] = {
            "shut_down_idle_days": True,
            "billed_days": usage.get("days_per_month", DEFAULT_DAYS_PER_MONTH),
            **usage,
        }
        report["models"] = [
            {"under_a_cent": False, "label": m["name"], "both_ways": False, **m} for m in report["models"]
        ]
        report["comparisons"] = [_labelled_sides(c) for c in report["comparisons"]]
        if report.get("chart"):
            report["chart"] = _labelled_sides(report["chart"])
        data["cost_report"] = report
    data["schema_version"] = 3
    return data


def _labelled_sides(pair: dict[str, Any]) -> dict[str, Any]:
    return {
        **pair,
        **{side: {"label": pair[side]["name"], **pair[side]} for side in ("open_source", "proprietary")},
    }


def _in_words(text: str) -> str:
    """An old message with the catalog's code names (``instance_hourly_cost``) in words."""
    return _CODE_NAME.sub(lambda match: FIELD_WORDS[match.group(0)], text)


_CODE_NAME = re.compile(r"\b(" + "|".join(map(re.escape, FIELD_WORDS)) + r")\b")


def _v3_to_v4(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 priced every model its usual way (proprietary through its API, open source
    self-hosted) and named missing figures by their code names."""
    recommendation = dict(data["recommendation"])
    recommendation["excluded"] = [
        {**item, "reasons": [_in_words(reason) for reason in item["reasons"]]}
        for item in recommendation.get("excluded", [])
    ]
    report = data.get("cost_report")
    if report is not None:
        data["cost_report"] = {**report, "notes": [_in_words(note) for note in report.get("notes", [])]}
    recommendation["results"] = [
        {
            "cost_basis": (
                None
                if result.get("cost_score_from") != "usage"
                else "self_hosted"
                if result["model"]["kind"] == "open_source"
                else "api"
            ),
            "cost_label": result["model"]["name"],
            **result,
        }
        for result in recommendation["results"]
    ]
    data["recommendation"] = recommendation
    data["schema_version"] = 4
    return data


_UPGRADES = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


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


def report_costs_by_model(snapshot: dict[str, Any]) -> dict[int, dict[str, dict[str, Any]]]:
    """A snapshot's cost report options by model id, then by basis ("api", "self_hosted")."""
    index: dict[int, dict[str, dict[str, Any]]] = {}
    for option in (snapshot.get("cost_report") or {}).get("models", []):
        index.setdefault(option["id"], {})[option["basis"]] = option
    return index


def result_cost(index: dict[int, dict[str, dict[str, Any]]], result: dict[str, Any]) -> dict[str, Any]:
    """The cost report option a ranked result was priced by: the one its ``cost_basis`` names (the
    cheaper of two), else the model's usual way of running (self-hosted for open source); {} when
    the report has none."""
    options = index.get(result["model"]["id"], {})
    usual = "self_hosted" if result["model"]["kind"] == "open_source" else "api"
    return options.get(result.get("cost_basis") or usual) or options.get(usual) or {}


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def model_ref_data(ref: ModelRef) -> dict[str, Any]:
    return {"id": ref.id, "name": ref.name, "kind": ref.kind}


def _cost_fields(recommendation: Recommendation, model_id: int, name: str) -> dict[str, Any]:
    """The monthly cost a result's cost score came from, and which option priced it (the cost
    report's label, e.g. "Mistral 7B (API)"); nulls without a usage or a price."""
    cost = recommendation.costs.get(model_id)
    if cost is None:
        return {"monthly_cost": None, "cost_score_from": "catalog", "cost_basis": None, "cost_label": name}
    return {
        "monthly_cost": money(cost.monthly_total),
        "cost_score_from": "usage" if cost.priced else "catalog",
        "cost_under_a_cent": cost.under_a_cent,
        "cost_basis": cost.basis if cost.priced else None,
        "cost_label": cost.label if cost.priced else name,
    }


def recommendation_data(
    recommendation: Recommendation, *, profile_id: int | None = None, usage_pattern_id: int | None = None
) -> dict[str, Any]:
    return {
        "priorities": list(recommendation.priorities),
        "profile": profile_id,
        "usage_pattern": usage_pattern_id,
        "requirements": recommendation.requirements.as_data(),
        "max_score": money(max_score(recommendation.priorities)),
        "cost_from_usage": recommendation.cost_from_usage,
        "results": [
            {
                "rank": r.rank,
                "position": r.position,
                "model": {"id": r.candidate.id, "name": r.candidate.name, "kind": r.candidate.kind},
                "score": money(r.score),
                "contributions": {p: money(v) for p, v in r.contributions.items()},
                "defaulted": list(r.defaulted),
                "tied": r.tied,
                "reason": r.reason,
                **_cost_fields(recommendation, r.candidate.id, r.candidate.name),
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
        "label": cost.label,
        "basis": cost.basis,
        "both_ways": cost.both_ways,
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
        "under_a_cent": cost.under_a_cent,
    }


def _side(cost: ModelCost) -> dict[str, Any]:
    side = {**model_ref_data(cost.model), "label": cost.label, "monthly_total": money(cost.monthly_total)}
    if cost.basis == "self_hosted":
        side |= {"capacity_checked": cost.capacity_checked, "capacity_note": cost.capacity_note}
    return side


def comparison_data(
    comparison: CostComparison, sides: dict[tuple[int, str], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """One pair; ``sides`` caches each option's side by model id and basis, since every option
    appears in many pairs."""
    sides = {} if sides is None else sides
    for cost in (comparison.open_source, comparison.proprietary):
        if (cost.model.id, cost.basis) not in sides:
            sides[cost.model.id, cost.basis] = _side(cost)
    return {
        "open_source": sides[comparison.open_source.model.id, "self_hosted"],
        "proprietary": sides[comparison.proprietary.model.id, "api"],
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
    sides: dict[tuple[int, str], dict[str, Any]] = {}
    return {
        "usage_pattern": usage_pattern_id,
        "usage": {
            **{name: getattr(usage, name) for name in USAGE_FIELDS},
            "shut_down_idle_days": usage.shut_down_idle_days,
            "billed_days": usage.billed_days,
        },
        "models": [model_cost_data(c) for c in report.models],
        "comparisons": [comparison_data(c, sides) for c in report.comparisons],
        "chart": chart_data(report.chart) if report.chart is not None else None,
        "notes": report.notes,
        "assumptions": [{"title": a.title, "text": a.text} for a in report.assumptions],
    }
