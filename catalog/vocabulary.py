"""The catalog's words, defined once: the priorities a model is scored on, the score range and its
default, and the kinds of model.

Pure (no Django): the catalog's models and serializers, the decision arithmetic, the templates (via
``catalog.context_processors``) and the coming gateway all read these names from here.
"""

from __future__ import annotations

from collections.abc import Iterable

PRIORITIES: tuple[str, ...] = (
    "cost",
    "performance",
    "customization",
    "data_privacy",
    "time_to_market",
    "maintenance",
)

PRIORITY_LABELS: dict[str, str] = {
    "cost": "Cost",
    "performance": "Performance",
    "customization": "Customization",
    "data_privacy": "Data privacy",
    "time_to_market": "Time to market",
    "maintenance": "Maintenance",
}

SCORE_MIN = 1
SCORE_MAX = 10
# A model with no score on a priority counts as this, and is shown as "default".
DEFAULT_SCORE = 5

OPEN_SOURCE = "open_source"
PROPRIETARY = "proprietary"
KIND_LABELS: dict[str, str] = {OPEN_SOURCE: "Open source", PROPRIETARY: "Proprietary"}


# The catalog's cost and capacity figures in the words messages use (a missing figure, a capacity
# that was not checked): "hourly instance cost", never ``instance_hourly_cost``.
FIELD_WORDS: dict[str, str] = {
    "input_price_per_mtok": "input price per million tokens",
    "output_price_per_mtok": "output price per million tokens",
    "instance_hourly_cost": "hourly instance cost",
    "setup_hours": "setup hours",
    "monthly_ops_hours": "monthly operations hours",
    "engineering_hourly_rate": "engineering hourly rate",
    "throughput_tokens_per_s": "output tokens/s per instance",
    "prefill_tokens_per_s": "prompt tokens/s per instance",
    "concurrent_requests_per_instance": "concurrent requests per instance",
    "max_context_tokens": "maximum context",
}


def field_words(name: str) -> str:
    """A field's name as messages say it: ``FIELD_WORDS``, a priority's label in lower case, or the
    name with spaces for underscores."""
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    if name in PRIORITY_LABELS:
        return PRIORITY_LABELS[name].lower()
    return name.replace("_", " ")


def fields_in_words(names: Iterable[str]) -> str:
    """'hourly instance cost, setup hours', for a message listing fields."""
    return ", ".join(field_words(name) for name in names)


def score_field(priority: str) -> str:
    """The catalog column holding a priority's score, e.g. ``score_cost``."""
    return f"score_{priority}"


SCORE_FIELDS: tuple[str, ...] = tuple(score_field(p) for p in PRIORITIES)


def score_range_text() -> str:
    """'1-10', as help texts and headings say it."""
    return f"{SCORE_MIN}-{SCORE_MAX}"


def kind_label(kind: str) -> str:
    """'Open source' or 'Proprietary'; an unknown value reads as itself."""
    return KIND_LABELS.get(kind, kind)
