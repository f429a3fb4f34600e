from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest

from catalog.vocabulary import DEFAULT_SCORE, PRIORITIES, PRIORITY_LABELS
from evaluations.scoring import (
    Candidate,
    RankedModel,
    cost_scores,
    max_score,
    priority_weights,
    rank_models,
    round_half_up,
)

STARTUP = ["time_to_market", "performance", "cost"]
PRIVACY_FIRST = ["data_privacy", "customization", "performance"]


def _scores(*values: int) -> dict[str, int | None]:
    return dict(zip(PRIORITIES, values, strict=True))


ARTICLE_MODELS = [
    Candidate(1, "GPT-4 Turbo", "proprietary", _scores(4, 9, 3, 5, 10, 10)),
    Candidate(2, "Claude 3 Opus", "proprietary", _scores(3, 9, 3, 6, 10, 10)),
    Candidate(3, "Llama 2 70B", "open_source", _scores(8, 7, 9, 10, 5, 4)),
    Candidate(4, "Mistral 7B", "open_source", _scores(10, 6, 9, 10, 6, 5)),
    Candidate(5, "Mixtral 8x7B", "open_source", {}),
]


def _by_name(ranking: list[RankedModel]) -> dict[str, RankedModel]:
    return {row.candidate.name: row for row in ranking}


def test_startup_priorities_rank_gpt4_turbo_first_at_15_83() -> None:
    ranking = rank_models(STARTUP, ARTICLE_MODELS)

    assert ranking[0].candidate.name == "GPT-4 Turbo"
    assert ranking[0].rank == 1
    assert ranking[0].score == Decimal("15.83")
    assert ranking[0].exact_score == Fraction(95, 6)


def test_startup_priorities_rank_claude_3_opus_second_at_15_50() -> None:
    second = rank_models(STARTUP, ARTICLE_MODELS)[1]

    assert second.candidate.name == "Claude 3 Opus"
    assert second.rank == 2
    assert second.score == Decimal("15.50")
    assert str(second.score) == "15.50"


def test_startup_priorities_order_every_article_model() -> None:
    ranking = rank_models(STARTUP, ARTICLE_MODELS)

    assert [(r.candidate.name, r.score) for r in ranking] == [
        ("GPT-4 Turbo", Decimal("15.83")),
        ("Claude 3 Opus", Decimal("15.50")),
        ("Mistral 7B", Decimal("12.33")),
        ("Llama 2 70B", Decimal("11.17")),
        ("Mixtral 8x7B", Decimal("9.17")),
    ]
    assert [r.rank for r in ranking] == [1, 2, 3, 4, 5]


def test_privacy_priorities_rank_llama_2_70b_first_at_16_83() -> None:
    ranking = rank_models(PRIVACY_FIRST, ARTICLE_MODELS)

    assert ranking[0].candidate.name == "Llama 2 70B"
    assert ranking[0].score == Decimal("16.83")
    assert ranking[0].exact_score == Fraction(101, 6)


def test_privacy_priorities_rank_mistral_7b_second_at_16_50() -> None:
    ranking = rank_models(PRIVACY_FIRST, ARTICLE_MODELS)

    assert ranking[1].candidate.name == "Mistral 7B"
    assert ranking[1].score == Decimal("16.50")
    assert [r.candidate.name for r in ranking[2:]] == ["Claude 3 Opus", "GPT-4 Turbo", "Mixtral 8x7B"]
    assert [r.score for r in ranking[2:]] == [Decimal("10.50"), Decimal("9.50"), Decimal("9.17")]


def test_unscored_mixtral_counts_five_on_every_listed_priority_for_9_17() -> None:
    mixtral = _by_name(rank_models(STARTUP, ARTICLE_MODELS))["Mixtral 8x7B"]

    assert mixtral.exact_score == DEFAULT_SCORE * (1 + Fraction(1, 2) + Fraction(1, 3))
    assert mixtral.score == Decimal("9.17")
    assert mixtral.defaulted == ("time_to_market", "performance", "cost")
    assert mixtral.contributions == {
        "time_to_market": Decimal("5.00"),
        "performance": Decimal("2.50"),
        "cost": Decimal("1.67"),
    }


def test_fully_scored_model_has_no_defaulted_priorities() -> None:
    gpt = _by_name(rank_models(STARTUP, ARTICLE_MODELS))["GPT-4 Turbo"]

    assert gpt.defaulted == ()


def test_none_and_missing_scores_default_but_given_scores_do_not() -> None:
    partial = Candidate(9, "Partial", "open_source", {"cost": 8, "performance": None})

    (row,) = rank_models(["cost", "performance", "maintenance"], [partial])

    assert row.defaulted == ("performance", "maintenance")
    assert row.exact_score == 8 + Fraction(5, 2) + Fraction(5, 3)


def test_contributions_are_weight_times_score_in_priority_order() -> None:
    gpt = _by_name(rank_models(STARTUP, ARTICLE_MODELS))["GPT-4 Turbo"]

    assert list(gpt.contributions.items()) == [
        ("time_to_market", Decimal("10.00")),
        ("performance", Decimal("4.50")),
        ("cost", Decimal("1.33")),
    ]
    assert [str(value) for value in gpt.contributions.values()] == ["10.00", "4.50", "1.33"]


def test_score_is_the_exact_total_rounded_to_two_places() -> None:
    candidate = Candidate(1, "Ones", "open_source", {"cost": 1, "performance": 1, "customization": 1})

    (row,) = rank_models(["cost", "performance", "customization", "data_privacy"], [candidate])

    assert row.contributions["data_privacy"] == Decimal("1.25")
    assert row.exact_score == Fraction(1) + Fraction(1, 2) + Fraction(1, 3) + Fraction(5, 4)
    assert row.score == Decimal("3.08")


def test_round_half_up_rounds_exact_halves_away_from_zero() -> None:
    assert round_half_up(Fraction(1, 8)) == Decimal("0.13")
    assert round_half_up(Fraction(1, 200)) == Decimal("0.01")
    assert round_half_up(Fraction(-1, 200)) == Decimal("-0.01")
    assert round_half_up(Fraction(1999, 200)) == Decimal("10.00")
    assert str(round_half_up(Fraction(3))) == "3.00"


def test_unlisted_priorities_do_not_change_the_score() -> None:
    low = Candidate(1, "Low maintenance", "proprietary", _scores(4, 9, 3, 5, 10, 0))
    high = Candidate(2, "High maintenance", "proprietary", _scores(4, 9, 3, 5, 10, 10))

    ranking = rank_models(STARTUP, [low, high])

    assert ranking[0].exact_score == ranking[1].exact_score == Fraction(95, 6)
    assert list(ranking[0].contributions) == STARTUP


def test_ties_share_a_rank_and_are_listed_by_case_insensitive_name() -> None:
    same = _scores(5, 5, 5, 5, 5, 5)
    candidates = [
        Candidate(1, "zeta", "open_source", _scores(6, 5, 5, 5, 5, 5)),
        Candidate(2, "Beta", "open_source", same),
        Candidate(3, "alpha", "open_source", same),
        Candidate(4, "last", "open_source", _scores(1, 1, 1, 1, 1, 1)),
    ]

    ranking = rank_models(["cost", "performance"], candidates)

    assert [(r.rank, r.position, r.candidate.name, r.tied) for r in ranking] == [
        (1, 1, "zeta", False),
        (2, 2, "alpha", True),
        (2, 3, "Beta", True),
        (4, 4, "last", False),
    ]


def test_a_tie_at_the_top_has_no_single_winner() -> None:
    same = _scores(5, 5, 5, 5, 5, 5)
    ranking = rank_models(["cost"], [Candidate(1, "B", "x", same), Candidate(2, "A", "x", same)])

    assert [r.rank for r in ranking] == [1, 1]
    assert all(r.reason.startswith("Top score, tied with 1 other") for r in ranking)


def test_each_result_says_in_one_line_why_it_ranks_there() -> None:
    ranking = _by_name(rank_models(STARTUP, ARTICLE_MODELS))

    assert ranking["GPT-4 Turbo"].reason == "Top score: strongest on time to market 10, weakest on cost 4."
    assert ranking["Mixtral 8x7B"].reason == (
        "6.66 below the top score: scores 5 on every priority; no score for time to market, "
        "performance, cost (counted as 5)."
    )
    assert "\n" not in ranking["Llama 2 70B"].reason


def test_score_notes_appear_in_the_reason() -> None:
    candidate = Candidate(
        1, "Cheap", "open_source", {"cost": 10, "performance": 2}, {"cost": "$12.00 a month"}
    )

    (row,) = rank_models(["cost", "performance"], [candidate])

    assert row.reason == "Top score: strongest on cost 10 ($12.00 a month), weakest on performance 2."


def test_contributions_add_up_to_the_shown_score_in_six_priority_cases() -> None:
    rng = random.Random(6)
    mismatches_before = 0
    for _ in range(2_000):
        order = rng.sample(PRIORITIES, 6)
        scores = {p: rng.randint(1, 10) for p in order}
        (row,) = rank_models(order, [Candidate(1, "M", "x", scores)])

        assert sum(row.contributions.values()) == row.score
        weights = priority_weights(order)
        half_up = [round_half_up(weights[p] * scores[p]) for p in order]
        mismatches_before += sum(half_up) != row.score
        # Apportioning moves a contribution by at most a cent from its half-up value.
        assert all(
            abs(a - b) <= Decimal("0.01") for a, b in zip(row.contributions.values(), half_up, strict=True)
        )
    assert mismatches_before > 300  # rounding each contribution on its own would not add up


def test_max_score_is_ten_on_every_listed_priority() -> None:
    assert max_score(STARTUP) == Decimal("18.33")
    assert max_score(["cost"]) == Decimal("10.00")
    assert max_score(list(PRIORITIES)) == Decimal("24.50")


def test_cost_scores_give_the_cheapest_ten_and_fall_with_cost() -> None:
    scores = cost_scores(
        {1: Decimal("10500.00"), 2: Decimal("22584.00"), 3: Decimal("24750.00"), 4: Decimal("210000.00")}
    )

    assert scores == {1: 10, 2: 5, 3: 4, 4: 1}


def test_cost_scores_are_monotone_in_cost() -> None:
    costs = {i: Decimal(i * i) / 7 for i in range(1, 60)}

    scores = cost_scores(costs)

    ordered = [scores[i] for i in sorted(costs, key=lambda i: costs[i])]
    assert ordered == sorted(ordered, reverse=True)
    assert ordered[0] == 10 and all(1 <= s <= 10 for s in ordered)


def test_a_free_model_scores_ten_and_makes_priced_ones_score_one() -> None:
    assert cost_scores({1: Decimal("0"), 2: Decimal("0.01")}) == {1: 10, 2: 1}


def test_names_equal_ignoring_case_are_ordered_by_exact_name() -> None:
    same = _scores(5, 5, 5, 5, 5, 5)
    candidates = [Candidate(1, "mistral", "open_source", same), Candidate(2, "Mistral", "open_source", same)]

    ranking = rank_models(["cost"], candidates)

    assert [r.candidate.name for r in ranking] == ["Mistral", "mistral"]
    assert all(r.tied for r in ranking)


def test_priority_weights_are_reciprocal_ranks() -> None:
    weights = priority_weights(["maintenance", "cost", "performance", "data_privacy"])

    assert list(weights.items()) == [
        ("maintenance", Fraction(1)),
        ("cost", Fraction(1, 2)),
        ("performance", Fraction(1, 3)),
        ("data_privacy", Fraction(1, 4)),
    ]


def test_empty_priorities_are_rejected() -> None:
    with pytest.raises(ValueError, match="At least one priority"):
        priority_weights([])


def test_unknown_priority_is_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="Unknown priorities: 'speed'"):
        rank_models(["cost", "speed"], ARTICLE_MODELS)


def test_repeated_priority_is_rejected() -> None:
    with pytest.raises(ValueError, match="must not repeat: cost"):
        priority_weights(["cost", "performance", "cost"])


def test_every_priority_has_a_label() -> None:
    assert tuple(PRIORITY_LABELS) == PRIORITIES
    assert PRIORITY_LABELS["data_privacy"] == "Data privacy"
    assert PRIORITY_LABELS["time_to_market"] == "Time to market"
