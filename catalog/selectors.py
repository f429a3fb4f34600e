"""Reads of the catalog, shared by the pages, the API, the decision services and the gateway."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

import django_filters
from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from catalog.models import (
    DataPrivacy,
    FineTuning,
    FunctionCalling,
    LatencyControl,
    ModelKind,
    ModelOption,
    PriceHistory,
)
from catalog.vocabulary import PRIORITIES, score_field


def model_options_list(*, active_only: bool = False) -> QuerySet[ModelOption]:
    qs = ModelOption.objects.all().order_by("name")
    return qs.filter(is_active=True) if active_only else qs


# The catalog table's sortable columns: the query parameter's value -> the field it orders by.
CATALOG_SORTS: dict[str, str] = {
    "name": "name",
    "provider": "provider",
    "kind": "kind",
    "input_price": "input_price_per_mtok",
    "output_price": "output_price_per_mtok",
    "instance_cost": "instance_hourly_cost",
    **{p: score_field(p) for p in PRIORITIES},
}


def catalog_search(
    *, query: str = "", kind: str = "", sort: str = "name", descending: bool = False
) -> QuerySet[ModelOption]:
    """Active models whose name or provider contains ``query``, of ``kind``, ordered by a column of
    ``CATALOG_SORTS`` (unknown figures last either way, then by name)."""
    options = model_options_list(active_only=True)
    if query:
        options = options.filter(Q(name__icontains=query) | Q(provider__icontains=query))
    if kind:
        options = options.filter(kind=kind)
    column = F(CATALOG_SORTS.get(sort, "name"))
    ordering = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    return options.order_by(ordering, "name")


def model_option_get(*, model_id: int) -> ModelOption:
    """An active catalog model; an inactive or unknown one is a 404."""
    return get_object_or_404(ModelOption, pk=model_id, is_active=True)


def price_history_for_model(*, option: ModelOption) -> QuerySet[PriceHistory]:
    return PriceHistory.objects.filter(model=option).order_by("-changed_at", "-id")


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """The catalog fields decisions (and the gateway's pricing) read, as a plain row.

    Quacks like ``ModelOption`` for those fields, so the services take either; building these from
    ``values_list`` costs a fraction of instantiating 1,000 model instances.
    """

    pk: int
    name: str
    kind: str
    score_cost: int | None
    score_performance: int | None
    score_customization: int | None
    score_data_privacy: int | None
    score_time_to_market: int | None
    score_maintenance: int | None
    input_price_per_mtok: Decimal | None
    output_price_per_mtok: Decimal | None
    instance_hourly_cost: Decimal | None
    throughput_tokens_per_s: int | None
    prefill_tokens_per_s: int | None
    concurrent_requests_per_instance: int | None
    setup_hours: Decimal | None
    monthly_ops_hours: Decimal | None
    engineering_hourly_rate: Decimal | None
    max_context_tokens: int | None
    fine_tuning: str
    function_calling: str
    vision: bool | None
    self_hosting: bool | None

    @property
    def scores(self) -> dict[str, int | None]:
        return {p: getattr(self, score_field(p)) for p in PRIORITIES}


# Column order matches CatalogEntry's fields.
DECISION_FIELDS: tuple[str, ...] = tuple("id" if f.name == "pk" else f.name for f in fields(CatalogEntry))


def decision_catalog(*, ids: Sequence[int] | None = None) -> list[CatalogEntry]:
    """Active catalog models by name, in one query, with only what decisions read.

    ``ids`` narrows to those models (missing or inactive ones are simply absent).
    """
    queryset = model_options_list(active_only=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return [CatalogEntry(*row) for row in queryset.values_list(*DECISION_FIELDS)]


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
