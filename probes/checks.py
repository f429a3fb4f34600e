"""Probe checks: typed, weighted tests of one answer, as pure functions (no Django).

A probe carries a list of checks, each a JSON object ``{"type": ..., "weight": ..., ...}``:

- ``equals``: ``value``; the answer, stripped of surrounding whitespace, equals it exactly.
- ``contains``: ``value`` and ``case_insensitive`` (default false); the answer contains it.
- ``regex``: ``pattern`` and ``ignore_case`` (default false); ``re.search`` finds it in the answer.
- ``json``: the answer is valid JSON, and matches ``schema`` (a JSON Schema) when one is given.
- ``number``: ``value`` and ``tolerance`` (default 0); the first number in the answer is within
  ``tolerance`` of ``value``.
- ``agreement``: ``mode`` ``"exact"`` (normalised equality) or ``"overlap"`` (token F1 at or above
  ``threshold``, default 0.8) against the proprietary backend's answer to the same probe. It does not
  apply to the proprietary backend itself, nor when there is no reference answer (it is skipped).

A probe's score is the weighted fraction of its applicable checks that pass (``probe_score``).
"""

from __future__ import annotations

import json
import math
import re
import string
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import jsonschema

CHECK_TYPES = ("equals", "contains", "regex", "json", "number", "agreement")
AGREEMENT_MODES = ("exact", "overlap")
DEFAULT_OVERLAP_THRESHOLD = 0.8
MAX_WEIGHT = 100.0
_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d+)*(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_PUNCT = str.maketrans("", "", string.punctuation)


class CheckSpecError(ValueError):
    """A check definition is invalid; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class CheckOutcome:
    """One check's verdict on one answer. ``applicable`` is false when the check was skipped."""

    type: str
    weight: float
    passed: bool
    applicable: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _weight(spec: dict[str, Any], errors: dict[str, list[str]]) -> float:
    weight = spec.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
        errors.setdefault("weight", []).append("The weight must be a number.")
        return 1.0
    if not 0 < weight <= MAX_WEIGHT:
        errors.setdefault("weight", []).append(f"The weight must be above 0 and at most {MAX_WEIGHT:g}.")
    return float(weight)


def _require_str(
    spec: dict[str, Any], key: str, errors: dict[str, list[str]], *, allow_empty: bool = False
) -> None:
    value = spec.get(key)
    if not isinstance(value, str) or (not allow_empty and value == ""):
        errors.setdefault(key, []).append(f"'{key}' must be a non-empty string.")


def _require_bool(spec: dict[str, Any], key: str, errors: dict[str, list[str]]) -> None:
    if key in spec and not isinstance(spec[key], bool):
        errors.setdefault(key, []).append(f"'{key}' must be true or false.")


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def check_validate(spec: Any) -> dict[str, Any]:
    """Return a normalised copy of one check definition, or raise ``CheckSpecError``."""
    if not isinstance(spec, dict):
        raise CheckSpecError({"check": ["A check must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    kind = spec.get("type")
    if kind not in CHECK_TYPES:
        raise CheckSpecError({"type": [f"Unknown check type {kind!r}; use one of {', '.join(CHECK_TYPES)}."]})
    clean: dict[str, Any] = {"type": kind, "weight": _weight(spec, errors)}
    if kind in ("equals", "contains"):
        _require_str(spec, "value", errors)
        clean["value"] = spec.get("value")
        if kind == "contains":
            _require_bool(spec, "case_insensitive", errors)
            clean["case_insensitive"] = bool(spec.get("case_insensitive", False))
    elif kind == "regex":
        _require_str(spec, "pattern", errors)
        _require_bool(spec, "ignore_case", errors)
        if isinstance(spec.get("pattern"), str):
            try:
                re.compile(spec["pattern"])
            except re.error as exc:
                errors.setdefault("pattern", []).append(f"Not a valid regular expression: {exc}.")
        clean["pattern"] = spec.get("pattern")
        clean["ignore_case"] = bool(spec.get("ignore_case", False))
    elif kind == "json":
        schema = spec.get("schema")
        if schema is not None:
            if not isinstance(schema, dict | bool):
                errors.setdefault("schema", []).append("The schema must be a JSON Schema object.")
            else:
                try:
                    jsonschema.validators.validator_for(schema).check_schema(schema)
                except jsonschema.SchemaError as exc:
                    errors.setdefault("schema", []).append(f"Not a valid JSON Schema: {exc.message}.")
            clean["schema"] = schema
    elif kind == "number":
        if not _is_number(spec.get("value")):
            errors.setdefault("value", []).append("'value' must be a number.")
        tolerance = spec.get("tolerance", 0)
        if not _is_number(tolerance) or tolerance < 0:
            errors.setdefault("tolerance", []).append("'tolerance' must be a number of at least 0.")
        clean["value"] = spec.get("value")
        clean["tolerance"] = tolerance
    else:  # agreement
        mode = spec.get("mode", "overlap")
        if mode not in AGREEMENT_MODES:
            errors.setdefault("mode", []).append("'mode' must be 'exact' or 'overlap'.")
        threshold = spec.get("threshold", DEFAULT_OVERLAP_THRESHOLD)
        if not _is_number(threshold) or not 0 < threshold <= 1:
            errors.setdefault("threshold", []).append("'threshold' must be above 0 and at most 1.")
        clean["mode"] = mode
        clean["threshold"] = threshold
    if errors:
        raise CheckSpecError(errors)
    return clean


def checks_validate(specs: Any) -> list[dict[str, Any]]:
    """Validate a probe's list of checks; errors are keyed ``checks[i].field``."""
    if not isinstance(specs, list) or not specs:
        raise CheckSpecError({"checks": ["Give at least one check, as a JSON list."]})
    clean: list[dict[str, Any]] = []
    errors: dict[str, list[str]] = {}
    for index, spec in enumerate(specs):
        try:
            clean.append(check_validate(spec))
        except CheckSpecError as exc:
            for field, messages in exc.errors.items():
                errors[f"checks[{index}].{field}"] = messages
    if errors:
        raise CheckSpecError(errors)
    return clean


def normalise_text(text: str) -> str:
    """Case-folded, punctuation removed, whitespace collapsed: what 'the same answer' compares."""
    return " ".join(text.casefold().translate(_PUNCT).split())


def token_overlap(answer: str, reference: str) -> float:
    """Token F1 between two answers (SQuAD's answer overlap): 2PR / (P + R) over word multisets,
    with P = common / answer tokens and R = common / reference tokens; 1.0 when both are empty."""
    a = Counter(_TOKEN.findall(answer.casefold()))
    b = Counter(_TOKEN.findall(reference.casefold()))
    if not a and not b:
        return 1.0
    common = sum((a & b).values())
    if common == 0:
        return 0.0
    precision = common / sum(a.values())
    recall = common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def first_number(text: str) -> float | None:
    match = _NUMBER.search(text)
    if match is None:
        return None
    try:
        return float(match.group(0).replace(",", ""))
    except ValueError:
        return None


def check_run(
    spec: dict[str, Any], output: str | None, *, reference: str | None = None, is_reference: bool = False
) -> CheckOutcome:
    """Run one (validated) check on an answer. ``output`` None means the call failed: every
    applicable check fails. ``reference`` is the proprietary answer; ``is_reference`` marks the
    proprietary backend's own result, for which agreement does not apply."""
    kind = spec["type"]
    weight = float(spec.get("weight", 1))

    def outcome(passed: bool, detail: str, applicable: bool = True) -> CheckOutcome:
        return CheckOutcome(
            type=kind, weight=weight, passed=passed and applicable, applicable=applicable, detail=detail
        )

    if kind == "agreement":
        if is_reference:
            return outcome(False, "not applicable to the proprietary backend", applicable=False)
        if reference is None:
            return outcome(False, "no proprietary answer to compare with", applicable=False)
    if output is None:
        return outcome(False, "no answer")
    text = output.strip()
    if kind == "equals":
        return outcome(text == spec["value"], f"expected exactly {spec['value']!r}")
    if kind == "contains":
        needle = spec["value"]
        folded = bool(spec.get("case_insensitive"))
        found = needle.casefold() in output.casefold() if folded else needle in output
        return outcome(found, f"{'found' if found else 'missing'} {needle!r}")
    if kind == "regex":
        flags = re.IGNORECASE if spec.get("ignore_case") else 0
        found = re.search(spec["pattern"], output, flags) is not None
        return outcome(found, f"/{spec['pattern']}/ {'matched' if found else 'not matched'}")
    if kind == "json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            return outcome(False, f"not JSON: {exc}")
        if spec.get("schema") is not None:
            validator_cls = jsonschema.validators.validator_for(spec["schema"])
            error = jsonschema.exceptions.best_match(validator_cls(spec["schema"]).iter_errors(data))
            if error is not None:
                return outcome(False, f"schema: {error.message}")
            return outcome(True, "valid JSON matching the schema")
        return outcome(True, "valid JSON")
    if kind == "number":
        number = first_number(output)
        if number is None:
            return outcome(False, "no number in the answer")
        diff = abs(number - float(spec["value"]))
        ok = diff <= float(spec.get("tolerance", 0)) + 1e-12
        return outcome(ok, f"{number:g} vs {spec['value']:g} (tolerance {spec.get('tolerance', 0):g})")
    # agreement
    assert reference is not None
    if spec.get("mode", "overlap") == "exact":
        ok = normalise_text(output) == normalise_text(reference)
        return outcome(ok, "same answer" if ok else "different answer")
    overlap = token_overlap(output, reference)
    threshold = float(spec.get("threshold", DEFAULT_OVERLAP_THRESHOLD))
    return outcome(overlap >= threshold, f"token overlap {overlap:.2f} (needs {threshold:.2f})")


def checks_run(
    specs: list[dict[str, Any]],
    output: str | None,
    *,
    reference: str | None = None,
    is_reference: bool = False,
) -> list[CheckOutcome]:
    return [check_run(spec, output, reference=reference, is_reference=is_reference) for spec in specs]


def probe_score(outcomes: list[CheckOutcome]) -> float | None:
    """Weighted pass fraction over the applicable checks: sum(weight of passed) / sum(weight).
    None when no check applies (e.g. only an agreement check and no reference answer)."""
    total = sum(o.weight for o in outcomes if o.applicable)
    if total <= 0:
        return None
    return sum(o.weight for o in outcomes if o.applicable and o.passed) / total
