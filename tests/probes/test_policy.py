"""The migration policy as a specification: the article's rule, the statistical gate at its edges,
hold, step back, repeated failures, pause and shadow."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.policy import (
    Action,
    Evidence,
    MigrationState,
    PolicyMode,
    PolicySettings,
    migration_decide,
    wilson_interval,
)

ARTICLE = PolicySettings(mode=PolicyMode.ARTICLE)
STAT = PolicySettings()


def evidence(passed: int, failed: int = 0, errors: int = 0, shadow: tuple[float, ...] = ()) -> Evidence:
    scores = (1.0,) * passed + (0.0,) * (failed + errors)
    return Evidence(scores=scores, errors=errors, calls=len(scores), shadow_scores=shadow)


def test_wilson_matches_published_values():
    # 95 % Wilson interval for 81/100 (Newcombe 1998 style check): [0.7222, 0.8749]
    interval = wilson_interval(0.81, 100)
    assert interval.low == pytest.approx(0.7222, abs=1e-4)
    assert interval.high == pytest.approx(0.8749, abs=1e-4)
    assert wilson_interval(1.0, 20).low == pytest.approx(0.8389, abs=1e-4)
    assert wilson_interval(0.5, 0).low == 0 and wilson_interval(0.5, 0).high == 1


def test_the_article_rule_0_85_adds_ten_points_capped_at_100():
    """The article's MigrationManager.update_split, step by step from 0 %."""
    state = MigrationState(share=0, last_good_share=0)
    shares = []
    for _ in range(12):
        decision = migration_decide(ARTICLE, state, Evidence(scores=(0.85,), errors=0, calls=1))
        state = decision.state
        shares.append(state.share)
    assert shares == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100, 100]


def test_the_article_rule_holds_below_0_85_with_no_minimum():
    state = MigrationState(share=30, last_good_share=20)
    decision = migration_decide(ARTICLE, state, Evidence(scores=(0.8499,), errors=0, calls=1))
    assert decision.action == Action.HOLD and decision.share == 30
    one = migration_decide(ARTICLE, state, Evidence(scores=(0.9,), errors=0, calls=1))
    assert one.action == Action.ADVANCE and one.share == 40


def test_statistical_gate_needs_the_minimum_number_of_results():
    state = MigrationState(share=0, last_good_share=0)
    assert migration_decide(STAT, state, evidence(19)).action == Action.HOLD
    # 20 of 20: Wilson lower bound 0.839 < 0.85: still a hold, however perfect
    assert migration_decide(STAT, state, evidence(20)).action == Action.HOLD
    # 22 of 22: lower bound 0.851 >= 0.85
    assert wilson_interval(1.0, 22).low >= 0.85 > wilson_interval(1.0, 21).low
    assert migration_decide(STAT, state, evidence(22)).share == 10


def test_statistical_gate_at_the_threshold_edge():
    state = MigrationState(share=40, last_good_share=30)
    # 95 of 100 -> lower bound 0.888: advance; 90 of 100 -> lower bound 0.826: hold
    assert migration_decide(STAT, state, evidence(95, 5)).share == 50
    decision = migration_decide(STAT, state, evidence(90, 10))
    assert decision.action == Action.HOLD and "lower bound" in decision.reason
    assert decision.state == state


def test_a_clear_regression_steps_back_to_the_last_good_share_then_to_zero():
    settings = PolicySettings(max_failures=3)
    state = MigrationState(share=50, last_good_share=40)
    first = migration_decide(settings, state, evidence(10, 90))
    assert first.action == Action.STEP_BACK and first.share == 40 and first.state.consecutive_failures == 1
    second = migration_decide(settings, first.state, evidence(10, 90))
    assert second.share == 40 and second.state.consecutive_failures == 2
    third = migration_decide(settings, second.state, evidence(10, 90))
    assert third.share == 0 and "0 %" in third.reason


def test_an_error_rate_over_the_limit_is_a_regression_even_with_good_scores():
    settings = PolicySettings(error_limit=0.2)
    state = MigrationState(share=30, last_good_share=20)
    decision = migration_decide(settings, state, evidence(70, errors=30))
    assert decision.action == Action.STEP_BACK and decision.share == 20
    assert "error rate" in decision.reason
    # 20 % is not over a 20 % limit
    assert migration_decide(settings, state, evidence(80, errors=20)).action != Action.STEP_BACK


def test_a_pass_resets_the_failure_count_and_records_the_last_good_share():
    state = MigrationState(share=40, last_good_share=40, consecutive_failures=2)
    decision = migration_decide(STAT, state, evidence(100))
    assert decision.state == MigrationState(share=50, last_good_share=40, consecutive_failures=0)


def test_the_share_stops_at_the_target():
    settings = PolicySettings(target=30)
    decision = migration_decide(settings, MigrationState(share=25, last_good_share=20), evidence(100))
    assert decision.share == 30
    at_target = migration_decide(settings, decision.state, evidence(100))
    assert at_target.action == Action.HOLD and at_target.share == 30 and "target" in at_target.reason


def test_a_paused_migration_never_moves():
    state = MigrationState(share=40, last_good_share=30, paused=True)
    assert migration_decide(STAT, state, evidence(100)).action == Action.PAUSED
    assert migration_decide(STAT, state, evidence(0, 100)).state == state


def test_required_shadow_comparisons_must_hold_too():
    settings = PolicySettings(require_shadow=True)
    state = MigrationState(share=10, last_good_share=0)
    waiting = migration_decide(settings, state, evidence(100))
    assert waiting.action == Action.HOLD and "shadow" in waiting.reason
    good = migration_decide(settings, state, evidence(100, shadow=(1.0,) * 40))
    assert good.share == 20
    bad = migration_decide(settings, state, evidence(100, shadow=(0.0,) * 40))
    assert bad.action == Action.STEP_BACK and "shadow" in bad.reason


@pytest.mark.parametrize("module", ["probes.checks", "probes.policy"])
def test_the_pure_modules_import_no_django(module):
    import ast
    import importlib

    source = Path(importlib.import_module(module).__file__).read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"django", "rest_framework", "portal", "routing", "catalog", "probes"}
