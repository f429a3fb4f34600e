"""Reads of the catalog, shared by the pages, the API and the decision services."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from catalog.models import (
    DataPrivacy,
    FineTuning,
    FunctionCalling,
    LatencyControl,
    ModelKind,
    ModelOption,
)


def model_options_list(*, active_only: bool = False) -> QuerySet[ModelOption]:
    qs = ModelOption.objects.all().order_by("name")
    return qs.filter(is_active=True) if active_only else qs


class ModelOptionFilter(django_filters.FilterSet):
    """Filters by kind and by capability; used by the API and the pages alike."""

    kind = django_filters.ChoiceFilter(choices=ModelKind.choices)
    is_active = django_filters.BooleanFilter()
    min_context = django_filters.NumberFilter(
        field_name="max_context_tokens", lookup_expr="gte", min_value=0, label="Minimum context tokens"
    )
    fine_tuning = django_filters.ChoiceFilter(choices=FineTuning.choices)
    function_calling = django_filters.ChoiceFilter(choices=FunctionCalling.choices)
    data_privacy = django_filters.ChoiceFilter(choices=DataPrivacy.choices)
    latency_control = django_filters.ChoiceFilter(choices=LatencyControl.choices)
    vision = django_filters.BooleanFilter()
    streaming = django_filters.BooleanFilter()
    self_hosting = django_filters.BooleanFilter()
    custom_tokenizer = django_filters.BooleanFilter()
    search = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name contains")

    class Meta:
        model = ModelOption
        fields: list[str] = []
