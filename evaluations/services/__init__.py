"""Decisions: ranking models for a team's priorities (``recommendation``), pricing them for its
traffic (``cost_report``), and the writes for profiles, usage patterns and saved evaluations
(``writes``). Callers import from here."""

from __future__ import annotations

from evaluations.services.cost_report import (
    ASSUMPTIONS,
    CatalogModel,
    CostChart,
    CostComparison,
    CostReport,
    ModelCost,
    ModelRef,
    cost_report_build,
    model_cost,
)
from evaluations.services.recommendation import Exclusion, Recommendation, recommend_models
from evaluations.services.writes import (
    evaluation_create,
    evaluation_delete,
    evaluation_rename,
    profile_create,
    profile_delete,
    profile_move,
    profile_update,
    usage_from_fields,
    usage_pattern_create,
    usage_pattern_delete,
    usage_pattern_update,
)

__all__ = [
    "ASSUMPTIONS",
    "CatalogModel",
    "CostChart",
    "CostComparison",
    "CostReport",
    "Exclusion",
    "ModelCost",
    "ModelRef",
    "Recommendation",
    "cost_report_build",
    "evaluation_create",
    "evaluation_delete",
    "evaluation_rename",
    "model_cost",
    "profile_create",
    "profile_delete",
    "profile_move",
    "profile_update",
    "recommend_models",
    "usage_from_fields",
    "usage_pattern_create",
    "usage_pattern_delete",
    "usage_pattern_update",
]
