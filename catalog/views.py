"""Catalog pages: the list and the capability matrix. Each view serves the whole page or, for htmx,
just the table it swaps."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.forms import CatalogSearchForm, KindFilterForm
from catalog.models import ModelOption
from catalog.presentation import capability_matrix, model_figures
from catalog.selectors import catalog_search, model_option_get, model_options_list, price_history_for_model
from portal.http import HtmxHttpRequest


def _filtered_options(request: HttpRequest) -> tuple[KindFilterForm, QuerySet[ModelOption]]:
    form = KindFilterForm(request.GET or None)
    options = model_options_list(active_only=True)
    if form.is_valid() and form.cleaned_data["kind"]:
        options = options.filter(kind=form.cleaned_data["kind"])
    return form, options


def catalog_list(request: HtmxHttpRequest) -> HttpResponse:
    form = CatalogSearchForm(request.GET or None)
    criteria = form.criteria()
    page = Paginator(catalog_search(**criteria), 25).get_page(request.GET.get("page"))
    template = "catalog/_model_table.html" if request.htmx else "catalog/model_list.html"
    params = {"q": criteria["query"], "kind": criteria["kind"], "sort": criteria["sort"]}
    if criteria["descending"]:
        params["desc"] = "1"
    page_query = urlencode({k: v for k, v in params.items() if v}) + "&"
    context = {
        "form": form,
        "page": page,
        "criteria": criteria,
        "columns": form.columns(),
        "page_query": page_query,
    }
    return render(request, template, context)


def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    option = model_option_get(model_id=model_id)
    return render(
        request,
        "catalog/model_detail.html",
        {
            "option": option,
            "groups": model_figures(option),
            "history": price_history_for_model(option=option),
        },
    )


def capability_matrix_page(request: HtmxHttpRequest) -> HttpResponse:
    form, options = _filtered_options(request)
    models = list(options)
    template = "catalog/_matrix.html" if request.htmx else "catalog/matrix.html"
    return render(request, template, {"form": form, "models": models, "rows": capability_matrix(models)})
