"""Routing pages. Each view resolves the team with ``membership_get_for_user`` (outsiders 404, viewers
403 on writes; the budget is for owners), calls selectors, reports and services, and renders once:
the whole page, or under htmx only the fragment it swaps. Every htmx request has a plain link or
form behind it, so the pages work without JavaScript."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.models import ModelKind
from portal.forms import form_add_service_errors
from portal.http import HtmxHttpRequest
from portal.models import Membership
from portal.tenancy import membership_get_for_user
from routing.filters import RequestLogFilter
from routing.forms import BackendForm, BudgetForm, DefaultsForm, PairBackendForm, RouteForm, ShareForm
from routing.models import Backend, Route
from routing.reports import (
    CHART_RANGES,
    DEFAULT_CHART_RANGE,
    chart_series,
    month_spend,
    savings_for_month,
    traffic_totals,
)
from routing.reports import month_start as month_start_of
from routing.selectors import (
    backend_activity,
    backend_get,
    backends_for_team,
    pair_backends,
    pair_models,
    recent_window,
    request_logs_for_team,
    route_get,
    routes_for_team,
    share_changes_for_team,
)
from routing.services import (
    backend_create,
    backend_create_for_model,
    backend_delete,
    backend_update,
    budget_set,
    pair_route_name,
    route_create,
    route_delete,
    route_set_share,
    route_update,
    routing_defaults_create,
)

LOG_PAGE_SIZE = 25
RECENT_SHARE_CHANGES = 10


def _base(membership: Membership, **context: Any) -> dict[str, Any]:
    return {"team": membership.team, "membership": membership, **context}


def _page_url(membership: Membership) -> str:
    return reverse("routing:page", args=[membership.team.slug])


# --- The routing page ------------------------------------------------------------------------------


def _routes_context(membership: Membership, routes: list[Route] | None = None) -> dict[str, Any]:
    team = membership.team
    routes = routes if routes is not None else list(routes_for_team(team=team))
    return {
        "routes": routes,
        "share_changes": list(share_changes_for_team(team=team)[:RECENT_SHARE_CHANGES]),
    }


def _requests_context(
    request: HttpRequest, membership: Membership, routes: list[Route], backends: list[Backend]
) -> dict[str, Any]:
    log_filter = RequestLogFilter(
        request.GET,
        queryset=request_logs_for_team(team=membership.team),
        route_choices=[(r.pk, r.name) for r in routes],
        backend_choices=[(b.pk, b.name) for b in backends],
    )
    logs = log_filter.qs if log_filter.is_valid() else request_logs_for_team(team=membership.team).none()
    page = Paginator(logs, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return {"log_filter": log_filter, "log_page": page, "log_query": params.urlencode()}


def _charts_context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    range_key = request.GET.get("range", DEFAULT_CHART_RANGE)
    chart = chart_series(team=membership.team, now=timezone.now(), range_key=range_key)
    return {"chart": chart, "chart_ranges": list(CHART_RANGES)}


@require_GET
def routing_page(request: HtmxHttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    team = membership.team
    target = request.htmx.target if request.htmx else None
    backends = list(backends_for_team(team=team))
    routes = list(routes_for_team(team=team))
    if target == "request-log":
        context = _base(membership, **_requests_context(request, membership, routes, backends))
        return render(request, "routing/_requests.html", context)
    if target == "routing-charts":
        return render(
            request, "routing/_charts.html", _base(membership, **_charts_context(request, membership))
        )
    now = timezone.now()
    activity = backend_activity(team=team, since=recent_window())
    traffic = traffic_totals(team=team, start=month_start_of(now), end=now)
    context = _base(
        membership,
        backends=[(b, activity.get(b.pk)) for b in backends],
        spend=month_spend(team=team, now=now, traffic=traffic),
        savings=savings_for_month(team=team, now=now, traffic=traffic),
        defaults_form=DefaultsForm(team_backends=backends) if membership.can_write and not routes else None,
        budget_form=BudgetForm() if membership.is_owner else None,
        **_routes_context(membership, routes),
        **_requests_context(request, membership, routes, backends),
        **_charts_context(request, membership),
    )
    return render(request, "routing/page.html", context)


# --- Backends --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def backend_create_view(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    form = BackendForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        data.pop("clear_api_key", None)
        try:
            backend = backend_create(team=membership.team, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Backend “{backend.name}” added.")
            return redirect(_page_url(membership))
    return render(
        request,
        "routing/backend_form.html",
        _base(membership, form=form, backend=None),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def backend_edit(request: HttpRequest, team_slug: str, backend_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    backend = backend_get(team=membership.team, backend_id=backend_id)
    form = BackendForm(request.POST if request.method == "POST" else None, backend=backend)
    if request.method == "POST" and form.is_valid():
        try:
            backend_update(backend=backend, **form.service_kwargs())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            backend.refresh_from_db()
        else:
            messages.success(request, f"Backend “{backend.name}” saved.")
            return redirect(_page_url(membership))
    return render(
        request,
        "routing/backend_form.html",
        _base(membership, form=form, backend=backend),
        status=400 if form.errors else 200,
    )


@require_POST
def backend_delete_view(request: HttpRequest, team_slug: str, backend_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    backend = backend_get(team=membership.team, backend_id=backend_id)
    try:
        backend_delete(backend=backend)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Backend “{backend.name}” deleted.")
    return redirect(_page_url(membership))


# --- Routes ----------------------------------------------------------------------------------------


def _route_form(membership: Membership, *args: Any, **kwargs: Any) -> RouteForm:
    backends = list(backends_for_team(team=membership.team))
    return RouteForm(
        *args,
        proprietary=[b for b in backends if b.kind == ModelKind.PROPRIETARY],
        open_source=[b for b in backends if b.kind == ModelKind.OPEN_SOURCE],
        **kwargs,
    )


@require_http_methods(["GET", "POST"])
def route_create_view(request: HttpRequest, team_slug: str) -> HttpResponse:
    """A new route; the query string may pre-fill it (``?name=&proprietary_backend=&...``), as
    "route this pair" does."""
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    if request.method == "POST":
        form = _route_form(membership, request.POST)
    else:
        allowed = ("name", "task_types", "proprietary_backend", "open_source_backend", "open_source_share")
        form = _route_form(membership, initial={k: v for k, v in request.GET.items() if k in allowed})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            route = route_create(team=membership.team, changed_by=request.user, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Route “{route.name}” created.")
            return redirect(_page_url(membership))
    return render(
        request,
        "routing/route_form.html",
        _base(membership, form=form, route=None),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def route_edit(request: HttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    route = route_get(team=membership.team, route_id=route_id)
    form = _route_form(membership, request.POST if request.method == "POST" else None, route=route)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("share_reason", "")
        try:
            route_update(route=route, changed_by=request.user, share_reason=reason, **data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            route.refresh_from_db()
        else:
            messages.success(request, f"Route “{route.name}” saved.")
            return redirect(_page_url(membership))
    return render(
        request,
        "routing/route_form.html",
        _base(membership, form=form, route=route),
        status=400 if form.errors else 200,
    )


@require_POST
def route_delete_view(request: HttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    route = route_get(team=membership.team, route_id=route_id)
    route_delete(route=route)
    messages.success(request, f"Route “{route.name}” deleted.")
    return redirect(_page_url(membership))


@require_POST
def route_share(request: HtmxHttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    """Set a route's open-source share by hand; recorded in its history with who and why."""
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    route = route_get(team=membership.team, route_id=route_id)
    form = ShareForm(request.POST)
    status = 200
    try:
        if not form.is_valid():
            raise ValidationError([str(e) for errors in form.errors.values() for e in errors])
        change = route_set_share(
            route=route,
            share=form.cleaned_data["open_source_share"],
            reason=form.cleaned_data["reason"] or "Set by hand",
            changed_by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, f"{route.name}: {' '.join(exc.messages)}")
        status = 400
    else:
        if change is None:
            messages.info(request, f"{route.name} already sends {route.open_source_share} % to open source.")
        else:
            messages.success(
                request, f"{route.name}: open-source share {change.from_share} % → {change.to_share} %."
            )
    if request.htmx:
        return render(
            request, "routing/_routes.html", _base(membership, **_routes_context(membership)), status=status
        )
    return redirect(_page_url(membership))


@require_POST
def routes_defaults(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    form = DefaultsForm(request.POST, team_backends=list(backends_for_team(team=membership.team)))
    if not form.is_valid():
        messages.error(request, "Pick a proprietary and an open-source backend for the default routes.")
        return redirect(_page_url(membership))
    try:
        routing_defaults_create(
            team=membership.team,
            proprietary=form.cleaned_data["proprietary_backend"],
            open_source=form.cleaned_data["open_source_backend"],
            changed_by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Default routes created: analysis, reasoning and creative to proprietary.")
    return redirect(_page_url(membership))


# --- Budget ----------------------------------------------------------------------------------------


@require_POST
def budget_update(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    if not membership.is_owner:
        raise PermissionDenied("Only owners set the team's budget.")
    form = BudgetForm(request.POST)
    if form.is_valid():
        try:
            budget = budget_set(
                team=membership.team, monthly_limit_usd=form.cleaned_data["monthly_limit_usd"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            limit = budget.monthly_limit_usd
            messages.success(
                request, f"Monthly limit set to ${limit:,.2f}." if limit is not None else "No limit."
            )
    else:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, "Monthly limit: " + " ".join(problems))
    return redirect(_page_url(membership))


# --- Route this pair -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def route_pair(request: HttpRequest, team_slug: str) -> HttpResponse:
    """From a cost report or saved evaluation: route the two compared models. Backends the team
    already has for them are used; for the others, this page asks where the model is served."""
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    team = membership.team
    params = request.POST if request.method == "POST" else request.GET
    try:
        proprietary_id = int(params.get("proprietary_model", ""))
        open_source_id = int(params.get("open_source_model", ""))
    except ValueError:
        messages.error(request, "Pick a pair of models on a cost report first.")
        return redirect(_page_url(membership))
    proprietary_model, open_source_model = pair_models(
        proprietary_id=proprietary_id, open_source_id=open_source_id
    )
    pair = pair_backends(team=team, proprietary=proprietary_model, open_source=open_source_model)
    forms_by_side: dict[str, PairBackendForm] = {}
    data = request.POST if request.method == "POST" else None
    if pair.proprietary_backend is None:
        forms_by_side["proprietary"] = PairBackendForm(data, prefix="proprietary")
    if pair.open_source_backend is None:
        forms_by_side["open_source"] = PairBackendForm(data, prefix="open_source")
    if request.method == "POST" and all(f.is_valid() for f in forms_by_side.values()):
        created: dict[str, Backend] = {}
        models = {"proprietary": proprietary_model, "open_source": open_source_model}
        try:
            with transaction.atomic():  # both backends, or neither
                for side, form in forms_by_side.items():
                    created[side] = backend_create_for_model(
                        team=team,
                        model=models[side],
                        base_url=form.cleaned_data["base_url"],
                        protocol=form.cleaned_data["protocol"],
                        upstream_model=form.cleaned_data["upstream_model"],
                        api_key=form.cleaned_data["api_key"] or None,
                        api_key_env=form.cleaned_data["api_key_env"],
                    )
        except ValidationError as exc:
            for form in forms_by_side.values():
                form_add_service_errors(form, exc)
        else:
            pair = pair_backends(team=team, proprietary=proprietary_model, open_source=open_source_model)
    if pair.complete and not any(f.errors for f in forms_by_side.values()):
        assert pair.proprietary_backend is not None and pair.open_source_backend is not None
        query = urlencode(
            {
                "name": pair_route_name(open_source_model.name, proprietary_model.name),
                "proprietary_backend": pair.proprietary_backend.pk,
                "open_source_backend": pair.open_source_backend.pk,
            }
        )
        return redirect(f"{reverse('routing:route-create', args=[team.slug])}?{query}")
    return render(
        request,
        "routing/pair_form.html",
        _base(membership, pair=pair, pair_forms=forms_by_side),
        status=400 if any(f.errors for f in forms_by_side.values()) else 200,
    )
