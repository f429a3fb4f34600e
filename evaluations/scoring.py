"""Weighted priority scoring for choosing between language models.

The framework follows the article's decision guide: a team lists the
priorities that matter to it in order of importance, every model carries a
score per priority (``catalog.vocabulary``), and the model with the highest weighted total wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor, lcm

from catalog.vocabulary import DEFAULT_SCORE, PRIORITIES, PRIORITY_LABELS, SCORE_MAX, SCORE_MIN


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
    # A short note shown beside a score in the reason line, e.g. {"cost": "$10,500.00 a month"}.
    score_notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RankedModel:
    """One candidate's place in a ranking.

    ``rank`` is shared by equal totals (1, 1, 3: "=1"), ``position`` is the
    row's place in the list (ties ordered by name). ``score`` is
    ``exact_score`` rounded half-up to two places; ``contributions`` holds
    weight x score per listed priority to two places, in priority order,
    apportioned so they add up to ``score`` exactly; ``defaulted`` lists the
    priorities scored with ``DEFAULT_SCORE``; ``tied`` is true when another
    candidate has exactly the same ``exact_score``; ``reason`` says in one
    line why the model ranks where it does.
    """

    rank: int
    candidate: Candidate
    score: Decimal
    exact_score: Fraction
    contributions: dict[str, Decimal]
    defaulted: tuple[str, ...]
    tied: bool
    position: int = 0
    reason: str = ""


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


def apportion(parts: Sequence[Fraction], places: int = 2) -> list[Decimal]:
    """Round each part to ``places`` so the rounded parts add up to the rounded total.

    Largest remainder: each part is rounded down, then the units the total still lacks (the total
    rounded half-up, as ``round_half_up``) go to the parts with the largest remainders, earlier parts
    first on equal remainders. A part that half-up rounding would show unchanged stays unchanged
    unless the sum needs it.
    """
    scale = 10**places
    floors = [floor(part * scale) for part in parts]
    total = floor(sum(parts, Fraction(0)) * scale + Fraction(1, 2))
    missing = total - sum(floors)
    order = sorted(range(len(parts)), key=lambda i: (-(parts[i] * scale - floors[i]), i))
    for i in order[: max(missing, 0)]:
        floors[i] += 1
    return [Decimal(value).scaleb(-places) for value in floors]


def max_score(priorities: Sequence[str]) -> Decimal:
    """The best total a model can reach: ``SCORE_MAX`` on each priority, i.e. 10 x sum of weights."""
    return round_half_up(SCORE_MAX * sum(priority_weights(priorities).values(), Fraction(0)))


def cost_scores(monthly_costs: Mapping[int, Decimal]) -> dict[int, int]:
    """Cost scores from monthly costs at a usage: the cheapest scores 10, dearer ones less.

    Formula: score = max(1, round_half_up(10 x cheapest / cost)), so a model costing twice the
    cheapest scores 5 and ten times or more scores 1; a cost of $0 scores 10. Monotone: a lower cost
    never scores lower. Keys are model ids.
    """
    if not monthly_costs:
        return {}
    cheapest = Fraction(min(monthly_costs.values()))
    scores = {}
    for model_id, cost in monthly_costs.items():
        if cost <= 0:
            scores[model_id] = SCORE_MAX
        else:
            scores[model_id] = max(SCORE_MIN, int(round_half_up(SCORE_MAX * cheapest / Fraction(cost), 0)))
    return scores


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
        # The values a client sends, quoted as written; the message's own words stay words.
        raise ValueError(f"Unknown priorities: {_quoted(unknown)}. Choose from: {_quoted(PRIORITIES)}.")
    counts = Counter(priorities)
    repeated = [p for p in PRIORITIES if counts[p] > 1]
    if repeated:
        raise ValueError(
            f"Priorities must not repeat: {', '.join(PRIORITY_LABELS[p].lower() for p in repeated)}."
        )
    return {priority: Fraction(1, rank) for rank, priority in enumerate(priorities, 1)}


def _quoted(values: Iterable[object]) -> str:
    """Values as a client writes them, quoted: "'cost', 'time_to_market'"."""
    return ", ".join(repr(str(value)) for value in values)


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

    apportioned: dict[tuple[int, ...], list[Decimal]] = {}  # few distinct score vectors too

    scored: list[tuple[Candidate, int, dict[str, Decimal], tuple[str, ...], dict[str, int]]] = []
    for candidate in candidates:
        total = 0
        parts: list[int] = []
        values: dict[str, int] = {}
        unscored: list[str] = []
        for priority, multiplier in multipliers:
            value, is_default = _score_for(candidate, priority)
            total += multiplier * value
            parts.append(multiplier * value)
            values[priority] = value
            if is_default:
                unscored.append(priority)
        key = tuple(parts)
        if key not in apportioned:
            apportioned[key] = apportion([Fraction(part, denominator) for part in parts])
        contributions = dict(zip(values, apportioned[key], strict=True))
        scored.append((candidate, total, contributions, tuple(unscored), values))

    scored.sort(key=lambda row: (-row[1], row[0].name.casefold(), row[0].name, row[0].id))
    totals = Counter(row[1] for row in scored)
    ranked: list[RankedModel] = []
    rank = 0
    previous: int | None = None
    for position, (candidate, total, contributions, defaulted, values) in enumerate(scored, 1):
        if total != previous:
            rank, previous = position, total
        ranked.append(
            RankedModel(
                rank=rank,
                candidate=candidate,
                score=display(total),
                exact_score=Fraction(total, denominator),
                contributions=contributions,
                defaulted=defaulted,
                tied=totals[total] > 1,
                position=position,
                reason=_reason(
                    candidate,
                    values,
                    defaulted,
                    tied_with=totals[total] - 1,
                    behind=display(scored[0][1]) - display(total),
                    rank=rank,
                ),
            )
        )
    return ranked


def _score_phrase(candidate: Candidate, priority: str, value: int) -> str:
    note = candidate.score_notes.get(priority)
    return f"{PRIORITY_LABELS[priority].lower()} {value}" + (f" ({note})" if note else "")


def _reason(
    candidate: Candidate,
    values: dict[str, int],
    defaulted: Sequence[str],
    *,
    tied_with: int,
    behind: Decimal,
    rank: int,
) -> str:
    """One line: where the model stands against the top score, then what lifts and what holds it back."""
    if rank == 1:
        lead = "Top score" if not tied_with else f"Top score, tied with {_others(tied_with)}"
    else:
        lead = f"{behind} below the top score" + (f", tied with {_others(tied_with)}" if tied_with else "")
    listed = list(values)
    best = max(listed, key=lambda p: (values[p], -listed.index(p)))
    worst = min(listed, key=lambda p: (values[p], listed.index(p)))
    if len(listed) == 1 or values[best] == values[worst]:
        detail = (
            f"scores {values[best]} on every priority"
            if len(listed) > 1
            else _score_phrase(candidate, best, values[best])
        )
    else:
        detail = (
            f"strongest on {_score_phrase(candidate, best, values[best])}, "
            f"weakest on {_score_phrase(candidate, worst, values[worst])}"
        )
    unscored_names = ", ".join(PRIORITY_LABELS[p].lower() for p in defaulted)
    unscored = f"; no score for {unscored_names} (counted as {DEFAULT_SCORE})"
    return f"{lead}: {detail}{unscored if defaulted else ''}."


def _others(count: int) -> str:
    return "1 other" if count == 1 else f"{count} others"
