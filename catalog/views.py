"""Catalog pages: the list and the capability matrix. Each view serves the whole page or, for htmx,
just the table it swaps."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.forms import KindFilterForm
from catalog.models import ModelOption
from catalog.presentation import capability_matrix
from catalog.selectors import model_options_list
from portal.http import HtmxHttpRequest


def _filtered_options(request: HttpRequest) -> tuple[KindFilterForm, QuerySet[ModelOption]]:
    form = KindFilterForm(request.GET or None)
    options = model_options_list(active_only=True)
    if form.is_valid() and form.cleaned_data["kind"]:
        options = options.filter(kind=form.cleaned_data["kind"])
    return form, options


def catalog_list(request: HtmxHttpRequest) -> HttpResponse:
    form, options = _filtered_options(request)
    page = Paginator(options, 25).get_page(request.GET.get("page"))
    template = "catalog/_model_table.html" if request.htmx else "catalog/model_list.html"
    return render(request, template, {"form": form, "page": page})


def capability_matrix_page(request: HtmxHttpRequest) -> HttpResponse:
    form, options = _filtered_options(request)
    models = list(options)
    template = "catalog/_matrix.html" if request.htmx else "catalog/matrix.html"
    return render(request, template, {"form": form, "models": models, "rows": capability_matrix(models)})
