"""Weighted priority scoring for choosing between language models.

The framework follows the article's decision guide: a team lists the
priorities that matter to it in order of importance, every model carries a
score per priority (``catalog.vocabulary``), and the model with the highest weighted total wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor, lcm

from catalog.vocabulary import DEFAULT_SCORE, PRIORITIES


@dataclass(frozen=True)
class Candidate:
    """A model under consideration.

    ``scores`` maps a priority to a score; a missing key or ``None`` means the
    model has not been scored on that priority and ``DEFAULT_SCORE`` is used.
    """

    id: int
    name: str
    kind: str
    scores: Mapping[str, int | None]


@dataclass(frozen=True)
class RankedModel:
    """One candidate's place in a ranking.

    ``score`` is ``exact_score`` rounded half-up to two places,
    ``contributions`` holds weight x score per listed priority (two places,
    in priority order), ``defaulted`` lists the priorities scored with
    ``DEFAULT_SCORE`` and ``tied`` is true when another candidate has exactly
    the same ``exact_score``.
    """

    rank: int
    candidate: Candidate
    score: Decimal
    exact_score: Fraction
    contributions: dict[str, Decimal]
    defaulted: tuple[str, ...]
    tied: bool


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """Round an exact fraction to ``places`` decimals, halves away from zero.

    Formula: sign(v) x floor(|v| x 10^places + 1/2) / 10^places, computed on
    integers so no binary or decimal precision is lost before rounding. This
    matches ``Decimal.quantize`` with ``ROUND_HALF_UP``.
    """
    scale = 10**places
    magnitude = floor(abs(value) * scale + Fraction(1, 2))
    signed = -magnitude if value < 0 else magnitude
    return Decimal(signed).scaleb(-places)


def priority_weights(priorities: Sequence[str]) -> dict[str, Fraction]:
    """Weight each listed priority by the reciprocal of its rank.

    Formula: weight(i) = 1 / i for the priority at position i, counting from
    1, so the first priority weighs 1, the second 1/2, the third 1/3 and so
    on. Assumes the list is ordered from most to least important; unlisted
    priorities weigh nothing.

    Raises ``ValueError`` if the list is empty, names an unknown priority or
    repeats one.
    """
    if isinstance(priorities, str):
        raise ValueError("Priorities must be a sequence of names, not a single string.")
    if not priorities:
        raise ValueError("At least one priority is required.")
    unknown = [p for p in priorities if p not in PRIORITIES]
    if unknown:
        raise ValueError(
            f"Unknown priorities: {', '.join(map(repr, unknown))}. Choose from: {', '.join(PRIORITIES)}."
        )
    repeated = sorted({p for p, count in Counter(priorities).items() if count > 1})
    if repeated:
        raise ValueError(f"Priorities must not repeat: {', '.join(repeated)}.")
    return {priority: Fraction(1, rank) for rank, priority in enumerate(priorities, 1)}


def _score_for(candidate: Candidate, priority: str) -> tuple[int, bool]:
    """Return the candidate's score on a priority and whether it was defaulted."""
    value = candidate.scores.get(priority)
    if value is None:
        return DEFAULT_SCORE, True
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"Score for {priority!r} on {candidate.name!r} must be an int or None, "
            f"got {type(value).__name__}."
        )
    return value, False


def rank_models(priorities: Sequence[str], candidates: Iterable[Candidate]) -> list[RankedModel]:
    """Rank candidates by their weighted priority score, best first.

    Formula: total = sum over listed priorities p of weight(p) x score(p),
    with weight(p) from ``priority_weights`` and a missing score counted as
    ``DEFAULT_SCORE``. Totals are exact: each is kept as an integer numerator
    over the common denominator lcm(1..k) of the k weights, so comparisons and
    ties are exact and cheap; rounding happens only for display. Equal totals
    are ordered by name (case-insensitive, then exact, then id) and flagged as
    tied; ranks are consecutive positions from 1.
    """
    weights = priority_weights(priorities)
    denominator = lcm(*range(1, len(weights) + 1))
    multipliers = [(priority, int(weight * denominator)) for priority, weight in weights.items()]
    rounded: dict[int, Decimal] = {}  # numerator -> its value to two places; few distinct values

    def display(numerator: int) -> Decimal:
        if numerator not in rounded:
            rounded[numerator] = round_half_up(Fraction(numerator, denominator))
        return rounded[numerator]

    scored: list[tuple[Candidate, int, dict[str, Decimal], tuple[str, ...]]] = []
    for candidate in candidates:
        total = 0
        contributions: dict[str, Decimal] = {}
        defaulted: list[str] = []
        for priority, multiplier in multipliers:
            value, is_default = _score_for(candidate, priority)
            total += multiplier * value
            contributions[priority] = display(multiplier * value)
            if is_default:
                defaulted.append(priority)
        scored.append((candidate, total, contributions, tuple(defaulted)))

    scored.sort(key=lambda row: (-row[1], row[0].name.casefold(), row[0].name, row[0].id))
    totals = Counter(row[1] for row in scored)
    return [
        RankedModel(
            rank=position,
            candidate=candidate,
            score=display(total),
            exact_score=Fraction(total, denominator),
            contributions=contributions,
            defaulted=defaulted,
            tied=totals[total] > 1,
        )
        for position, (candidate, total, contributions, defaulted) in enumerate(scored, 1)
    ]
