"""Recommendations: the active catalog filtered by hard requirements, then ranked by a team's
priorities with ``evaluations.scoring.rank_models``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.core.exceptions import ValidationError

from catalog.selectors import decision_catalog
from catalog.vocabulary import fields_in_words
from evaluations.costing import Usage
from evaluations.models import validate_priorities
from evaluations.requirements import Capabilities, Requirements, capability_shortfalls
from evaluations.scoring import Candidate, RankedModel, cost_scores, rank_models
from evaluations.services.cost_report import (
    BASIS_LABELS,
    CatalogModel,
    ModelCost,
    ModelRef,
    cheaper_option,
    model_costs,
    model_ref,
)


class RankableModel(CatalogModel, Capabilities, Protocol):
    """What a recommendation reads of a catalog model: its capabilities, prices and scores."""

    @property
    def scores(self) -> dict[str, int | None]: ...


@dataclass(frozen=True)
class Exclusion:
    model: ModelRef
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Recommendation:
    """Active models meeting the requirements, ranked best first, and the others with reasons."""

    priorities: tuple[str, ...]
    requirements: Requirements
    ranking: list[RankedModel]
    excluded: list[Exclusion]
    # With a usage: each ranked model's cost at it (priced or not), and cost scores derived from it.
    # A model priced both ways is priced by its cheaper option; ``other_options`` holds the other.
    costs: dict[int, ModelCost] = field(default_factory=dict)
    other_options: dict[int, list[ModelCost]] = field(default_factory=dict)

    @property
    def cost_from_usage(self) -> bool:
        return bool(self.costs)


def recommend_models(
    *,
    priorities: Sequence[str],
    requirements: Requirements | None = None,
    usage: Usage | None = None,
    options: Sequence[RankableModel] | None = None,
) -> Recommendation:
    """Filter the active catalog by hard requirements, then rank the rest by weighted priorities.

    Ranking is ``evaluations.scoring.rank_models`` (weight 1/rank, missing score ``DEFAULT_SCORE``,
    ties share a rank). With a ``usage`` every model is priced (``model_costs``; an open-source model
    with a hosted API price by the cheaper of its two options, ``cheaper_option``) and the cost
    priority scores what it would cost (``scoring.cost_scores``: the cheapest model meeting the
    requirements scores ``SCORE_MAX``); a model that cannot be priced keeps its catalog cost score
    and is flagged. A monthly cost limit excludes models above it, and models that cannot be priced.
    ``options`` defaults to every active model, fetched in one query: the cost of a recommendation
    does not grow in queries with the catalog.
    """
    priorities = list(priorities)
    try:
        validate_priorities(priorities)
    except ValidationError as exc:
        raise ValidationError({"priorities": exc.messages}) from exc
    requirements = requirements or Requirements()
    if requirements.max_monthly_cost is not None and usage is None:
        raise ValidationError(
            {"usage_pattern": ["A maximum monthly cost needs a usage pattern to price the models."]}
        )
    kept: list[RankableModel] = []
    costs: dict[int, ModelCost] = {}
    other_options: dict[int, list[ModelCost]] = {}
    excluded: list[Exclusion] = []
    for option in decision_catalog() if options is None else options:
        reasons = capability_shortfalls(option, requirements)
        cost, others = None, []
        if usage is not None:
            ways = model_costs(option=option, usage=usage)
            cost = cheaper_option(ways)
            others = [way for way in ways if way is not cost]
        if requirements.max_monthly_cost is not None and cost is not None:
            reasons += _cost_shortfalls(cost, requirements.max_monthly_cost)
        if reasons:
            excluded.append(Exclusion(model_ref(option), tuple(reasons)))
        else:
            kept.append(option)
            if cost is not None:
                costs[option.pk] = cost
                if others:
                    other_options[option.pk] = others
    candidates = _candidates(kept, costs, other_options)
    excluded.sort(key=lambda e: (e.model.name.casefold(), e.model.name, e.model.id))
    return Recommendation(
        tuple(priorities),
        requirements,
        rank_models(priorities, candidates),
        excluded,
        costs,
        other_options,
    )


def _candidates(
    options: Sequence[RankableModel],
    costs: dict[int, ModelCost],
    other_options: dict[int, list[ModelCost]],
) -> list[Candidate]:
    """Candidates to rank; with costs at a usage, the cost score is derived from them."""
    if not costs:
        return [Candidate(o.pk, o.name, o.kind, o.scores) for o in options]
    priced = {pk: c.monthly_total for pk, c in costs.items() if c.monthly_total is not None}
    derived = cost_scores(priced)
    candidates = []
    for option in options:
        scores = dict(option.scores)
        if option.pk in derived:
            scores["cost"] = derived[option.pk]
            note = cost_note(costs[option.pk], other_options.get(option.pk, []))
        else:
            note = "cost unknown at this usage: catalog score"
        candidates.append(Candidate(option.pk, option.name, option.kind, scores, {"cost": note}))
    return candidates


def _amount(cost: ModelCost) -> str:
    return "< $0.01" if cost.under_a_cent else f"${cost.monthly_total:,.2f}"


def cost_note(cost: ModelCost, others: Sequence[ModelCost]) -> str:
    """What the cost score was derived from, e.g. "$112.50 a month through its API; self-hosted not
    priced". A model priced one way only reads "$10,500.00 a month"."""
    if not cost.both_ways:
        return f"{_amount(cost)} a month"
    way = "through its API" if cost.basis == "api" else "self-hosted"
    alternatives = [
        f"{BASIS_LABELS[other.basis]} {_amount(other) if other.priced else 'not priced'}" for other in others
    ]
    return f"{_amount(cost)} a month {way}" + "".join(f"; {text}" for text in alternatives)


def _cost_shortfalls(cost: ModelCost, limit: Decimal) -> list[str]:
    if not cost.priced:
        return [f"Monthly cost unknown: missing {fields_in_words(cost.missing)}."]
    assert cost.monthly_total is not None
    if cost.monthly_total > limit:
        return [f"Monthly cost ${cost.monthly_total:,.2f} exceeds the ${limit:,.2f} limit."]
    return []
