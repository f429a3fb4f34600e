"""Decision pages. Each view resolves the team with ``membership_get_for_user`` (outsiders 404, viewers
403 on writes), calls selectors and services, and renders once: the whole page, or under htmx only
the fragment it swaps. Every htmx request has a plain link or form behind it, so pages work without
JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.selectors import decision_catalog
from evaluations.exports import evaluation_csv_response
from evaluations.forms import (
    CompareForm,
    CostReportForm,
    EvaluationForm,
    EvaluationRenameForm,
    ProfileForm,
    ProfileMoveForm,
    RecommendationForm,
    UsagePatternForm,
)
from evaluations.models import PriorityProfile
from evaluations.presentation import (
    cost_chart_payload,
    evaluations_side_by_side,
    ranking_rows,
    requirements_text,
)
from evaluations.selectors import (
    evaluation_choices_for_team,
    evaluation_get,
    evaluations_for_team,
    profile_get,
    profiles_for_team,
    usage_pattern_get,
    usage_patterns_for_team,
)
from evaluations.services import (
    cost_report_build,
    evaluation_create,
    evaluation_delete,
    evaluation_rename,
    profile_create,
    profile_delete,
    profile_move,
    profile_update,
    recommend_models,
    usage_from_fields,
    usage_pattern_create,
    usage_pattern_delete,
    usage_pattern_update,
)
from evaluations.snapshots import cost_report_data, recommendation_data
from portal.forms import form_add_service_errors
from portal.http import HtmxHttpRequest
from portal.models import Membership, Team
from portal.tenancy import membership_get_for_user

PAGE_SIZE = 20


def _base(membership: Membership, **context: Any) -> dict[str, Any]:
    return {"team": membership.team, "membership": membership, **context}


def _ranking(priorities: list[str], **kwargs: Any) -> dict[str, Any]:
    data = recommendation_data(recommend_models(priorities=priorities, **kwargs))
    return {"recommendation": data, "rows": ranking_rows(data)}


# --- Priority profiles ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def profile_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    write = request.method == "POST"
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=write)
    team = membership.team
    form = ProfileForm(request.POST if write else None)
    if write and form.is_valid():
        try:
            profile = profile_create(
                team=team, name=form.cleaned_data["name"], priorities=form.cleaned_data["priorities"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Profile “{profile.name}” created.")
            return redirect("evaluations:profile-detail", team_slug=team.slug, profile_id=profile.pk)
    page = Paginator(profiles_for_team(team=team), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluations/profile_list.html",
        _base(membership, form=form, page=page),
        status=400 if form.errors else 200,
    )


def _profile_detail(
    request: HtmxHttpRequest, membership: Membership, profile: PriorityProfile, *, status: int = 200
) -> HttpResponse:
    template = "evaluations/_profile_detail.html" if request.htmx else "evaluations/profile_detail.html"
    context = _base(membership, profile=profile, **_ranking(profile.priorities))
    return render(request, template, context, status=status)


@require_GET
def profile_detail(request: HtmxHttpRequest, team_slug: str, profile_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    return _profile_detail(request, membership, profile_get(team=membership.team, profile_id=profile_id))


@require_POST
def profile_move_view(request: HtmxHttpRequest, team_slug: str, profile_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    profile = profile_get(team=membership.team, profile_id=profile_id)
    form = ProfileMoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_text())
        profile = profile_move(profile=profile, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _profile_detail(request, membership, profile, status=400)
    if request.htmx:
        return _profile_detail(request, membership, profile)
    return redirect("evaluations:profile-detail", team_slug=membership.team.slug, profile_id=profile.pk)


@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, team_slug: str, profile_id: int) -> HttpResponse:
    write = request.method == "POST"
    # The edit form is only for those who may save it: viewers get a 403 on GET too.
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    profile = profile_get(team=membership.team, profile_id=profile_id)
    form = ProfileForm(request.POST) if write else ProfileForm.for_profile(profile)
    if write and form.is_valid():
        try:
            profile_update(
                profile=profile, name=form.cleaned_data["name"], priorities=form.cleaned_data["priorities"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            profile.refresh_from_db()
        else:
            messages.success(request, f"Profile “{profile.name}” saved.")
            return redirect(
                "evaluations:profile-detail", team_slug=membership.team.slug, profile_id=profile.pk
            )
    return render(
        request,
        "evaluations/profile_edit.html",
        _base(membership, profile=profile, form=form),
        status=400 if form.errors else 200,
    )


@require_POST
def profile_delete_view(request: HttpRequest, team_slug: str, profile_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    profile = profile_get(team=membership.team, profile_id=profile_id)
    profile_delete(profile=profile)
    messages.success(request, f"Profile “{profile.name}” deleted.")
    return redirect("evaluations:profile-list", team_slug=membership.team.slug)


# --- Recommendation -------------------------------------------------------------------------------


def _recommendation_context(
    membership: Membership, params: QueryDict, *, save_form: Form | None = None
) -> dict[str, Any]:
    team = membership.team
    form = RecommendationForm(
        params or None,
        profiles=list(profiles_for_team(team=team)),
        patterns=list(usage_patterns_for_team(team=team)),
    )
    context = _base(
        membership, form=form, save_form=save_form or EvaluationForm(None, profiles=[], patterns=[])
    )
    if form.is_bound and form.is_valid():
        pattern = form.cleaned_data["usage_pattern"]
        try:
            context.update(
                _ranking(
                    form.cleaned_data["priorities"],
                    requirements=form.requirements(),
                    usage=pattern.as_usage() if pattern else None,
                )
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
    # The save form carries the inputs as the form read them (a profile's boxes and default usage
    # filled in), so saving re-runs exactly what is on screen.
    context["query"] = form.data.urlencode() if isinstance(form.data, QueryDict) else params.urlencode()
    return context


def _recommendation_template(request: HtmxHttpRequest) -> str:
    if not request.htmx:
        return "evaluations/recommendation.html"
    if request.htmx.target == "recommendation-results":
        return "evaluations/_recommendation_results.html"
    return "evaluations/_recommendation.html"


@require_GET
def recommendation(request: HtmxHttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    params: QueryDict = request.GET
    if not params:  # first visit: rank by the team's first profile, if it has one
        first = profiles_for_team(team=membership.team).first()
        if first is not None:
            params = QueryDict(mutable=True)
            params["profile"] = str(first.pk)
    context = _recommendation_context(membership, params)
    return render(request, _recommendation_template(request), context)


# --- Usage patterns -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def usage_pattern_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    write = request.method == "POST"
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=write)
    team = membership.team
    form = UsagePatternForm(request.POST if write else None)
    if write and form.is_valid():
        try:
            pattern = usage_pattern_create(team=team, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Usage pattern “{pattern.name}” created.")
            return redirect("evaluations:usage-pattern-list", team_slug=team.slug)
    page = Paginator(usage_patterns_for_team(team=team), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluations/usage_pattern_list.html",
        _base(membership, form=form, page=page),
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def usage_pattern_edit(request: HttpRequest, team_slug: str, pattern_id: int) -> HttpResponse:
    write = request.method == "POST"
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    pattern = usage_pattern_get(team=membership.team, pattern_id=pattern_id)
    saved_name = pattern.name
    form = UsagePatternForm(request.POST if write else None, instance=pattern)
    if write and form.is_valid():
        try:
            usage_pattern_update(pattern=pattern, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Usage pattern “{pattern.name}” saved.")
            return redirect("evaluations:usage-pattern-list", team_slug=membership.team.slug)
    return render(
        request,
        "evaluations/usage_pattern_edit.html",
        _base(membership, pattern=pattern, saved_name=saved_name, form=form),
        status=400 if form.errors else 200,
    )


@require_POST
def usage_pattern_delete_view(request: HttpRequest, team_slug: str, pattern_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    pattern = usage_pattern_get(team=membership.team, pattern_id=pattern_id)
    usage_pattern_delete(pattern=pattern)
    messages.success(request, f"Usage pattern “{pattern.name}” deleted.")
    return redirect("evaluations:usage-pattern-list", team_slug=membership.team.slug)


# --- Cost report ----------------------------------------------------------------------------------


@require_GET
def cost_report(request: HtmxHttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    patterns = list(usage_patterns_for_team(team=membership.team))
    options = decision_catalog()
    params: QueryDict = request.GET
    if not params and patterns:  # first visit: show the team's first usage pattern
        params = QueryDict(mutable=True)
        params["usage_pattern"] = str(patterns[0].pk)
    form = CostReportForm(params or None, patterns=patterns, options=options)
    report = None
    if form.is_bound and form.is_valid():
        pattern = form.cleaned_data["usage_pattern"]
        try:
            usage = pattern.as_usage() if pattern else usage_from_fields(**form.inline_usage())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            chosen = set(form.cleaned_data["models"])
            report = cost_report_data(
                cost_report_build(
                    usage=usage,
                    options=[o for o in options if o.pk in chosen] if chosen else options,
                    chart_pair=form.chart_pair(),
                ),
                usage_pattern_id=pattern.pk if pattern else None,
            )
    template = "evaluations/_cost_report.html" if request.htmx else "evaluations/cost_report.html"
    context = _base(
        membership, form=form, report=report, chart=cost_chart_payload(report) if report else None
    )
    return render(request, template, context)


# --- Saved evaluations ----------------------------------------------------------------------------


@require_GET
def evaluation_list(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    page = Paginator(evaluations_for_team(team=membership.team), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "evaluations/evaluation_list.html", _base(membership, page=page))


@require_POST
def evaluation_create_view(request: HttpRequest, team_slug: str) -> HttpResponse:
    """Save what the recommendation page shows: its inputs arrive in the query string, the name in
    the form body."""
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    team = membership.team
    params = request.GET.copy()
    params["name"] = request.POST.get("name", "")
    form = EvaluationForm(
        params,
        profiles=list(profiles_for_team(team=team)),
        patterns=list(usage_patterns_for_team(team=team)),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = evaluation_create(
                team=team,
                name=data["name"],
                created_by=request.user,
                priorities=data["priorities"],
                profile=data["profile"],
                requirements=form.requirements(),
                usage_pattern=data["usage_pattern"],
                allow_empty=False,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Evaluation “{evaluation.name}” saved.")
            return redirect("evaluations:evaluation-detail", team_slug=team.slug, evaluation_id=evaluation.pk)
    context = _recommendation_context(membership, request.GET, save_form=form)
    return render(request, "evaluations/recommendation.html", context, status=400)


@require_GET
def evaluation_detail(request: HttpRequest, team_slug: str, evaluation_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    evaluation = evaluation_get(team=membership.team, evaluation_id=evaluation_id)
    snapshot = evaluation.snapshot
    report = snapshot.get("cost_report")
    context = _base(
        membership,
        evaluation=evaluation,
        recommendation=snapshot["recommendation"],
        rows=ranking_rows(snapshot["recommendation"]),
        requirements=requirements_text(snapshot["recommendation"]["requirements"]),
        report=report,
        chart=cost_chart_payload(report) if report else None,
    )
    return render(request, "evaluations/evaluation_detail.html", context)


@require_GET
def evaluation_compare(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    team: Team = membership.team
    choices = list(evaluation_choices_for_team(team=team))
    form = CompareForm(request.GET or None, evaluations=choices)
    comparison = None
    if form.is_bound and form.is_valid():
        first = evaluation_get(team=team, evaluation_id=form.cleaned_data["a"])
        second = evaluation_get(team=team, evaluation_id=form.cleaned_data["b"])
        comparison = evaluations_side_by_side(first, second)
    return render(
        request, "evaluations/evaluation_compare.html", _base(membership, form=form, comparison=comparison)
    )


@require_GET
def evaluation_csv(request: HttpRequest, team_slug: str, evaluation_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    return evaluation_csv_response(evaluation_get(team=membership.team, evaluation_id=evaluation_id))


@require_http_methods(["GET", "POST"])
def evaluation_edit(request: HttpRequest, team_slug: str, evaluation_id: int) -> HttpResponse:
    """Rename a saved evaluation (its results stay as saved)."""
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    evaluation = evaluation_get(team=membership.team, evaluation_id=evaluation_id)
    saved_name = evaluation.name
    form = EvaluationRenameForm(request.POST or None, initial={"name": evaluation.name})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation_rename(evaluation=evaluation, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"Evaluation “{saved_name}” renamed to “{evaluation.name}”.")
            return redirect(
                "evaluations:evaluation-detail", team_slug=membership.team.slug, evaluation_id=evaluation.pk
            )
    return render(
        request,
        "evaluations/evaluation_edit.html",
        _base(membership, evaluation=evaluation, saved_name=saved_name, form=form),
        status=400 if form.errors else 200,
    )


@require_POST
def evaluation_delete_view(request: HttpRequest, team_slug: str, evaluation_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    evaluation = evaluation_get(team=membership.team, evaluation_id=evaluation_id)
    evaluation_delete(evaluation=evaluation)
    messages.success(request, f"Evaluation “{evaluation.name}” deleted.")
    return redirect("evaluations:evaluation-list", team_slug=membership.team.slug)
