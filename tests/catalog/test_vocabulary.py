"""One word, one place: the catalog's vocabulary is what every layer says."""

from __future__ import annotations

from catalog.models import ModelKind, ModelOption
from catalog.serializers import ScoresSerializer
from catalog.templatetags.catalog_tags import score
from catalog.vocabulary import DEFAULT_SCORE, KIND_LABELS, PRIORITIES, SCORE_FIELDS, SCORE_MAX, SCORE_MIN
from evaluations.requirements import Requirements, capability_shortfalls


def test_the_vocabulary_is_the_articles():
    assert (SCORE_MIN, SCORE_MAX, DEFAULT_SCORE) == (1, 10, 5)
    assert KIND_LABELS == {"open_source": "Open source", "proprietary": "Proprietary"}


def test_the_model_and_the_api_use_the_vocabulary():
    assert dict(ModelKind.choices) == KIND_LABELS
    assert tuple(ScoresSerializer().fields) == PRIORITIES
    assert all(ModelOption._meta.get_field(name) for name in SCORE_FIELDS)
    field = ScoresSerializer().fields["cost"]
    assert (field.min_value, field.max_value) == (SCORE_MIN, SCORE_MAX)
    assert score(None) == "5 (default)" and score(7) == "7"


def test_a_kind_requirement_names_the_kind_it_asked_for():
    open_model = ModelOption(kind="open_source")

    assert capability_shortfalls(open_model, Requirements(kind="proprietary")) == [
        "Open source, not proprietary."
    ]
