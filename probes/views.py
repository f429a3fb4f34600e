"""Migration pages. Each view resolves the team with ``membership_get_for_user`` (outsiders 404,
viewers 403 on writes; the migration's controls are for owners), calls selectors and services, and
renders once: the whole page, or under htmx only the fragment it swaps. Every htmx request has a
plain link or form behind it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.forms import form_add_service_errors
from portal.http import HtmxHttpRequest
from portal.models import Membership
from portal.tenancy import membership_get_for_user
from probes.forms import (
    MigrationSettingsForm,
    ProbeForm,
    ReasonForm,
    ShareForm,
    SuiteImportForm,
    migration_settings_initial,
    probe_initial,
)
from probes.models import ProbeSuite
from probes.presentation import migration_state_data, round_data
from probes.selectors import (
    migration_for_route,
    probe_get,
    round_get,
    round_results_by_probe,
    team_budget_state,
)
from probes.services import (
    migration_create,
    migration_pause,
    migration_resume,
    migration_rollback,
    migration_set_share,
    migration_update,
    probe_create,
    probe_delete,
    probe_round_start,
    probe_update,
    suite_create,
    suite_export,
    suite_import,
)
from routing.models import Route
from routing.selectors import route_get, routes_for_team


def _owner(request: HtmxHttpRequest, team_slug: str) -> Membership:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    if not membership.is_owner:
        raise PermissionDenied("Only the team's owners can steer a migration.")
    return membership


def _page_url(team_slug: str, route_id: int) -> str:
    return reverse("probes:migration", args=[team_slug, route_id])


@require_GET
def migration_list(request: HtmxHttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    routes = routes_for_team(team=membership.team).select_related("migration", "probe_suite")
    return render(request, "probes/migration_list.html", {"team": membership.team, "routes": routes})


def _migration_page(
    request: HtmxHttpRequest,
    membership: Membership,
    route: Route,
    *,
    settings_form: MigrationSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    team = membership.team
    state = migration_state_data(route)
    latest = state["latest_round"]
    pairs = []
    if latest:
        pairs = round_results_by_probe(probe_round=round_get(team=team, round_id=latest["id"]))
    if settings_form is None:
        settings_form = MigrationSettingsForm(
            initial=migration_settings_initial(migration_for_route(route=route))
        )
    context = {
        "team": team,
        "route": route,
        "state": state,
        "pairs": pairs,
        "is_owner": membership.is_owner,
        "budget": team_budget_state(team=team),
        "share_form": ShareForm(initial={"share": route.open_source_share}),
        "settings_form": settings_form,
        "chart": {
            "series": state["series"],
            "threshold": float(state["threshold"]) if state["threshold"] is not None else None,
        },
    }
    return render(request, "probes/migration.html", context, status=status)


@require_GET
def migration_page(request: HtmxHttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    team = membership.team
    route = route_get(team=team, route_id=route_id)
    if request.htmx and request.GET.get("fragment") == "round":
        round_id = int(request.GET["round"]) if request.GET.get("round", "").isdigit() else 0
        probe_round = round_get(team=team, round_id=round_id)
        data = round_data(probe_round)
        finished = probe_round.is_finished and (data["applied"] or probe_round.status != "done")
        response = render(
            request,
            "probes/_round_progress.html",
            {"team": team, "route": route, "round": data, "poll": not finished},
        )
        if finished and request.GET.get("poll"):
            response["HX-Refresh"] = "true"  # the chart, results and history change: reload the page
        return response
    return _migration_page(request, membership, route)


@require_POST
def migration_settings(request: HtmxHttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    """Start migrating, or change the policy settings and schedule: the same service as the API."""
    membership = _owner(request, team_slug)
    route = route_get(team=membership.team, route_id=route_id)
    form = MigrationSettingsForm(request.POST)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        interval = fields.pop("interval_minutes")
        migration = migration_for_route(route=route)
        try:
            if migration is None:
                migration_create(route=route, interval_minutes=interval, **fields)
            else:
                migration_update(migration=migration, interval_minutes=interval, **fields)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, "Migration settings saved.")
            return redirect(_page_url(team_slug, route_id))
    return _migration_page(request, membership, route, settings_form=form, status=400)


@require_POST
def migration_run(request: HtmxHttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    membership = _owner(request, team_slug)
    route = route_get(team=membership.team, route_id=route_id)
    probe_round = probe_round_start(route=route, requested_by=request.user)
    if request.htmx:
        return render(
            request,
            "probes/_round_progress.html",
            {
                "team": membership.team,
                "route": route,
                "round": round_data(probe_round),
                "poll": not probe_round.is_finished,
            },
        )
    if probe_round.stop_reason:
        messages.error(request, probe_round.stop_reason)
    else:
        messages.success(request, f"Probe round {probe_round.pk} started.")
    return redirect(_page_url(team_slug, route_id))


@require_POST
def migration_control(request: HtmxHttpRequest, team_slug: str, route_id: int, action: str) -> HttpResponse:
    membership = _owner(request, team_slug)
    route = route_get(team=membership.team, route_id=route_id)
    migration = migration_for_route(route=route)
    try:
        if action == "start":
            migration_create(route=route)
            messages.success(request, "Migration started: probes run every 15 minutes.")
        elif migration is None:
            messages.error(request, "This route is not migrating yet.")
        elif action == "pause":
            migration_pause(migration=migration, user=request.user)
            messages.success(request, "Migration paused: the share will not move.")
        elif action == "resume":
            migration_resume(migration=migration, user=request.user)
            messages.success(request, "Migration resumed.")
        elif action == "rollback":
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            migration_rollback(migration=migration, user=request.user, reason=reason)
            messages.success(
                request, "Rolled back: all traffic on the proprietary backend, migration paused."
            )
        elif action == "set-share":
            share_form = ShareForm(request.POST)
            if not share_form.is_valid():
                for errors in share_form.errors.values():
                    for error in errors:
                        messages.error(request, f"Share: {error}")
            else:
                migration_set_share(
                    migration=migration,
                    user=request.user,
                    share=share_form.cleaned_data["share"],
                    reason=share_form.cleaned_data["reason"],
                )
                messages.success(request, f"Share set to {share_form.cleaned_data['share']} %.")
        else:
            raise PermissionDenied("Unknown action.")
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    return redirect(_page_url(team_slug, route_id))


@require_http_methods(["GET", "POST"])
def suite_page(request: HtmxHttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    membership = membership_get_for_user(
        user=request.user, team_slug=team_slug, write=request.method == "POST"
    )
    team = membership.team
    route = route_get(team=team, route_id=route_id)
    suite = ProbeSuite.objects.filter(route=route).first()
    form = SuiteImportForm()
    if request.method == "POST":
        form = SuiteImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                suite = suite_import(team=team, route=route, data=form.cleaned_data["payload"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(None, f"{field}: {error}")
            else:
                messages.success(request, f"Imported {suite.probes.count()} probes.")
                return redirect(reverse("probes:suite", args=[team_slug, route_id]))
    probes = list(suite.probes.all()) if suite else []
    return render(
        request,
        "probes/suite.html",
        {
            "team": team,
            "route": route,
            "suite": suite,
            "probes": probes,
            "form": form,
            "can_write": membership.can_write,
        },
    )


@require_GET
def suite_export_view(request: HtmxHttpRequest, team_slug: str, route_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    route = route_get(team=membership.team, route_id=route_id)
    suite = ProbeSuite.objects.filter(route=route).first()
    if suite is None:
        messages.error(request, "This route has no probe suite yet.")
        return redirect(reverse("probes:suite", args=[team_slug, route_id]))
    response = HttpResponse(
        json.dumps(suite_export(suite=suite), indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{route.name}-probes.json"'
    return response


def _suite_url(team_slug: str, route_id: int) -> str:
    return reverse("probes:suite", args=[team_slug, route_id])


@require_http_methods(["GET", "POST"])
def probe_form(
    request: HtmxHttpRequest, team_slug: str, route_id: int, probe_id: int | None = None
) -> HttpResponse:
    """Add a probe to the route's suite (created if missing) or edit one; editors and owners."""
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    team = membership.team
    route = route_get(team=team, route_id=route_id)
    probe = probe_get(team=team, route=route, probe_id=probe_id) if probe_id is not None else None
    form = ProbeForm(initial=probe_initial(probe) if probe else {"enabled": True})
    if request.method == "POST":
        form = ProbeForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if probe is None:
                    suite = ProbeSuite.objects.filter(route=route).first() or suite_create(
                        team=team, route=route
                    )
                    saved = probe_create(suite=suite, data=data)
                else:
                    saved = probe_update(probe=probe, data=data)
            except ValidationError as exc:
                by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
                form.add_service_errors(by_field)
            else:
                messages.success(request, f"Probe “{saved.name}” saved.")
                return redirect(_suite_url(team_slug, route_id))
    return render(
        request,
        "probes/probe_form.html",
        {"team": team, "route": route, "probe": probe, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def probe_delete_view(request: HtmxHttpRequest, team_slug: str, route_id: int, probe_id: int) -> HttpResponse:
    """Ask first, naming the probe; delete on POST."""
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    route = route_get(team=membership.team, route_id=route_id)
    probe = probe_get(team=membership.team, route=route, probe_id=probe_id)
    if request.method == "POST":
        name = probe.name
        probe_delete(probe=probe)
        messages.success(request, f"Probe “{name}” deleted.")
        return redirect(_suite_url(team_slug, route_id))
    return render(
        request, "probes/probe_delete.html", {"team": membership.team, "route": route, "probe": probe}
    )
