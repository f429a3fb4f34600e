"""Probe checks: each type passes and fails where it should; the score is the weighted pass fraction."""

from __future__ import annotations

import pytest

from probes.checks import (
    CheckSpecError,
    check_run,
    checks_run,
    checks_validate,
    normalise_text,
    probe_score,
    token_overlap,
)


def run(spec, output, **kw):
    return check_run(checks_validate([spec])[0], output, **kw)


def test_equals_ignores_surrounding_whitespace_only():
    assert run({"type": "equals", "value": "Paris"}, "  Paris\n").passed
    assert not run({"type": "equals", "value": "Paris"}, "paris").passed


def test_contains_is_case_sensitive_unless_asked():
    assert not run({"type": "contains", "value": "PARIS"}, "It is Paris.").passed
    assert run({"type": "contains", "value": "PARIS", "case_insensitive": True}, "It is Paris.").passed


def test_regex_search_with_and_without_ignore_case():
    assert run({"type": "regex", "pattern": r"\b\d{4}-\d{2}-\d{2}\b"}, "on 2024-01-31.").passed
    assert not run({"type": "regex", "pattern": "^yes$"}, "YES").passed
    assert run({"type": "regex", "pattern": "^yes$", "ignore_case": True}, "YES").passed


def test_json_valid_and_against_a_schema():
    schema = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
    assert run({"type": "json"}, "[1, 2]").passed
    assert not run({"type": "json"}, "{not json").passed
    assert run({"type": "json", "schema": schema}, '{"name": "x"}').passed
    outcome = run({"type": "json", "schema": schema}, '{"name": 3}')
    assert not outcome.passed and "schema" in outcome.detail


def test_number_within_tolerance():
    spec = {"type": "number", "value": 42, "tolerance": 0.5}
    assert run(spec, "The answer is 42.4").passed
    assert not run(spec, "The answer is 43").passed
    assert not run(spec, "no idea").passed
    assert run({"type": "number", "value": 1234}, "1,234").passed


def test_agreement_exact_normalises_case_punctuation_and_spaces():
    spec = {"type": "agreement", "mode": "exact"}
    assert run(spec, "the  Answer is 4!", reference="The answer is 4.").passed
    assert not run(spec, "The answer is 5.", reference="The answer is 4.").passed


def test_agreement_overlap_above_threshold():
    spec = {"type": "agreement", "mode": "overlap", "threshold": 0.8}
    assert run(spec, "Paris is the capital of France", reference="The capital of France is Paris").passed
    assert not run(spec, "I am not sure.", reference="The capital of France is Paris").passed


def test_agreement_does_not_apply_to_the_reference_or_without_one():
    spec = {"type": "agreement"}
    assert not run(spec, "x", is_reference=True).applicable
    assert not run(spec, "x", reference=None).applicable


def test_a_failed_call_fails_every_applicable_check():
    outcomes = checks_run(checks_validate([{"type": "contains", "value": "a"}, {"type": "json"}]), None)
    assert [o.passed for o in outcomes] == [False, False]
    assert probe_score(outcomes) == 0


def test_score_is_the_weighted_pass_fraction_over_applicable_checks():
    specs = checks_validate(
        [
            {"type": "contains", "value": "4", "weight": 3},
            {"type": "equals", "value": "4", "weight": 1},
            {"type": "agreement", "weight": 5},
        ]
    )
    outcomes = checks_run(specs, "It is 4", is_reference=True)
    assert probe_score(outcomes) == pytest.approx(0.75)
    assert probe_score(checks_run(specs[2:], "x", reference=None)) is None


def test_token_overlap_and_normalisation():
    assert token_overlap("a b c", "a b c") == 1.0
    assert token_overlap("a b", "c d") == 0.0
    assert token_overlap("a b c d", "a b") == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert normalise_text("  Hello,   WORLD! ") == "hello world"


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"type": "nope"}, "type"),
        ({"type": "equals"}, "value"),
        ({"type": "regex", "pattern": "("}, "pattern"),
        ({"type": "json", "schema": {"type": "no-such-type"}}, "schema"),
        ({"type": "number", "value": "4"}, "value"),
        ({"type": "number", "value": 4, "tolerance": -1}, "tolerance"),
        ({"type": "agreement", "mode": "fuzzy"}, "mode"),
        ({"type": "agreement", "threshold": 1.5}, "threshold"),
        ({"type": "contains", "value": "a", "weight": 0}, "weight"),
        ({"type": "contains", "value": "a", "case_insensitive": "yes"}, "case_insensitive"),
    ],
)
def test_invalid_checks_name_the_field(spec, field):
    with pytest.raises(CheckSpecError) as error:
        checks_validate([{"type": "equals", "value": "ok"}, spec])
    assert f"checks[1].{field}" in error.value.errors


def test_a_probe_needs_a_list_of_checks():
    with pytest.raises(CheckSpecError):
        checks_validate([])
    with pytest.raises(CheckSpecError):
        checks_validate({"type": "json"})
