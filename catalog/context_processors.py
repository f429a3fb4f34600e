"""The catalog's vocabulary for every template, so a page never spells out a number or a label that
``catalog.vocabulary`` defines."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from catalog import vocabulary

_VOCABULARY: dict[str, Any] = {
    "default_score": vocabulary.DEFAULT_SCORE,
    "score_min": vocabulary.SCORE_MIN,
    "score_max": vocabulary.SCORE_MAX,
    "kind_labels": vocabulary.KIND_LABELS,
    "priority_labels": vocabulary.PRIORITY_LABELS,
}


def catalog_vocabulary(request: HttpRequest) -> dict[str, Any]:
    return {"vocabulary": _VOCABULARY}
