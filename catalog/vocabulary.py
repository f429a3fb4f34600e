"""The catalog's words, defined once: the priorities a model is scored on, the score range and its
default, and the kinds of model.

Pure (no Django): the catalog's models and serializers, the decision arithmetic, the templates (via
``catalog.context_processors``) and the coming gateway all read these names from here.
"""

from __future__ import annotations

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
