"""How decision data reads on a page: contribution bars, field labels, chart data.

Works on the JSON shape from ``evaluations.snapshots``, so a live result and a saved evaluation are
drawn by the same templates.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field

from catalog.models import ModelOption
from catalog.vocabulary import FIELD_WORDS, PRIORITY_LABELS, SCORE_MAX
from evaluations.scoring import max_score, priority_weights
from evaluations.snapshots import report_costs_by_model, result_cost


def field_label(name: str) -> str:
    """A catalog field as messages say it: its words (``catalog.vocabulary.FIELD_WORDS``, e.g.
    'hourly instance cost'), else the catalog's label, e.g. 'GPU instance'."""
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    try:
        field = ModelOption._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ")
    assert isinstance(field, Field)  # ModelOption has no relations, so every name is a concrete field
    return str(field.verbose_name)


def ranking_rows(recommendation: dict[str, Any]) -> list[dict[str, Any]]:
    """Each ranked result with its stacked-bar segments.

    A segment's width is its contribution as a share of the best possible total (every listed
    priority scored ``SCORE_MAX``), so bars compare across rows and a full bar means a perfect score.
    """
    priorities = recommendation["priorities"]
    best = SCORE_MAX * sum(priority_weights(priorities).values(), Fraction(0))
    rows = []
    for result in recommendation["results"]:
        segments = [
            {
                "priority": p,
                "label": PRIORITY_LABELS[p],
                "value": value,
                "percent": f"{float(Fraction(Decimal(value)) / best * 100):.2f}",
                "defaulted": p in result["defaulted"],
            }
            for p, value in result["contributions"].items()
        ]
        rank = result["rank"]
        rows.append(
            {**result, "segments": segments, "rank_label": f"={rank}" if result["tied"] else str(rank)}
        )
    return rows


def cost_chart_payload(report: dict[str, Any]) -> dict[str, Any] | None:
    """What the cost charts draw: the charted pair's series and where it breaks even."""
    chart = report.get("chart")
    if chart is None:
        return None
    return {
        "open_source": chart["open_source"]["name"],
        "proprietary": chart["proprietary"]["name"],
        # Self-hosting figures without capacity: the line is drawn dashed and says one instance is
        # assumed (older snapshots did not record it, and are drawn as before).
        "capacity_checked": chart["open_source"].get("capacity_checked", True) is not False,
        "capacity_note": chart["open_source"].get("capacity_note", ""),
        "break_even_months": chart["break_even_months"],
        "break_even_daily_requests": chart["break_even_daily_requests"],
        "current_daily_requests": report["usage"]["daily_requests"],
        "cumulative": chart["cumulative"],
        "by_volume": chart["by_volume"],
    }


def requirements_text(requirements: dict[str, Any]) -> list[str]:
    """Requirements as short phrases, e.g. ['Self-hostable', 'Minimum context 32,000 tokens']."""
    labels = {
        "self_hostable": "Self-hostable",
        "min_context": "Minimum context",
        "vision": "Vision",
        "function_calling": "Native function calling",
        "fine_tuning": "Fine-tuning at least",
        "kind": "Kind",
        "max_monthly_cost": "Maximum monthly cost",
    }
    out = []
    for key, value in requirements.items():
        if value is True:
            out.append(labels.get(key, key))
        elif key == "min_context":
            out.append(f"{labels[key]} {value:,} tokens")
        elif key == "max_monthly_cost":
            out.append(f"{labels[key]} ${Decimal(value):,.2f}")
        else:
            out.append(f"{labels.get(key, key)}: {str(value).replace('_', ' ')}")
    return out


def evaluations_side_by_side(first: Any, second: Any) -> dict[str, Any]:
    """Two saved evaluations aligned by model: rank, score and monthly cost in each."""

    def index(evaluation: Any) -> tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]]:
        """Ranked results by model id, and the cost report option each was priced by."""
        snapshot = evaluation.snapshot
        ranked = {r["model"]["id"]: r for r in snapshot["recommendation"]["results"]}
        options = report_costs_by_model(snapshot)
        costs = {model_id: result_cost(options, r) for model_id, r in ranked.items()}
        return ranked, costs

    (ranked_a, costs_a), (ranked_b, costs_b) = index(first), index(second)
    names: dict[int, str] = {}
    for evaluation in (first, second):
        recommendation = evaluation.snapshot["recommendation"]
        for item in [*recommendation["results"], *recommendation["excluded"]]:
            names.setdefault(item["model"]["id"], item["model"]["name"])

    def sort_key(model_id: int) -> tuple[int, str]:
        ranks = [r["rank"] for r in (ranked_a.get(model_id), ranked_b.get(model_id)) if r]
        return (min(ranks) if ranks else 10**9, names[model_id].casefold())

    rows = [
        {
            "name": names[model_id],
            "a": ranked_a.get(model_id),
            "b": ranked_b.get(model_id),
            "a_cost": (costs_a.get(model_id) or {}).get("monthly_total"),
            "b_cost": (costs_b.get(model_id) or {}).get("monthly_total"),
        }
        for model_id in sorted(names, key=sort_key)
    ]
    sides = [
        {
            "evaluation": evaluation,
            "priorities": evaluation.snapshot["recommendation"]["priorities"],
            "max_score": f"{max_score(evaluation.snapshot['recommendation']['priorities']):.2f}",
            "requirements": requirements_text(evaluation.snapshot["recommendation"]["requirements"]),
            "usage": (evaluation.snapshot.get("cost_report") or {}).get("usage"),
        }
        for evaluation in (first, second)
    ]
    return {"sides": sides, "rows": rows}
