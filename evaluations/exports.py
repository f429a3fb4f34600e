"""CSV export of a saved evaluation: one row per catalog model it considered."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify

from catalog.vocabulary import PRIORITY_LABELS, fields_in_words, kind_label
from evaluations.models import Evaluation
from evaluations.snapshots import report_costs_by_model, result_cost

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def evaluation_csv_rows(evaluation: Evaluation) -> list[list[Any]]:
    """Header, then ranked models in rank order, then excluded models, from the snapshot."""
    recommendation = evaluation.snapshot["recommendation"]
    costs = report_costs_by_model(evaluation.snapshot)
    priorities = recommendation["priorities"]
    header = [
        "status",
        "rank",
        "model",
        "kind",
        "score",
        *(f"{PRIORITY_LABELS[p]} contribution" for p in priorities),
        "defaulted scores",
        "tied",
        "monthly total (USD)",
        "first year total (USD)",
        "notes",
        "priced as",
    ]
    rows: list[list[Any]] = [header]
    for result in recommendation["results"]:
        model = result["model"]
        cost = result_cost(costs, result)
        notes = cost.get("capacity_note", "")
        if cost and not cost["priced"]:
            notes = f"Not priced: missing {fields_in_words(cost['missing'])}."
        rows.append(
            [
                "ranked",
                result["rank"],
                _text(model["name"]),
                kind_label(model["kind"]),
                result["score"],
                *(result["contributions"][p] for p in priorities),
                ", ".join(PRIORITY_LABELS[p] for p in result["defaulted"]),
                "yes" if result["tied"] else "no",
                cost.get("monthly_total") or "",
                cost.get("first_year_total") or "",
                _text(notes),
                _text(cost["label"]) if cost.get("priced") else "",
            ]
        )
    for excluded in recommendation["excluded"]:
        model = excluded["model"]
        rows.append(
            [
                "excluded",
                "",
                _text(model["name"]),
                kind_label(model["kind"]),
                "",
                *("" for _ in priorities),
                "",
                "",
                "",
                "",
                _text(" ".join(excluded["reasons"])),
                "",
            ]
        )
    return rows


def evaluation_csv_response(evaluation: Evaluation) -> HttpResponse:
    filename = f"evaluation-{evaluation.pk}-{slugify(evaluation.name) or 'export'}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows(evaluation_csv_rows(evaluation))
    return response
