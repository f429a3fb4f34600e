"""Team pages. Every view resolves the team through ``membership_get_for_user``: outsiders get a 404,
read-only members a 403 on writes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.forms import ApiTokenForm
from portal.selectors import api_token_get, api_tokens_for_team, memberships_for_user, team_members
from portal.services import api_token_create, api_token_revoke
from portal.tenancy import membership_get_for_user


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"memberships": memberships_for_user(user=request.user)})


def team_detail(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    return render(
        request,
        "portal/team_detail.html",
        {"team": membership.team, "membership": membership, "members": team_members(team=membership.team)},
    )


def team_tokens(request: HttpRequest, team_slug: str) -> HttpResponse:
    write = request.method == "POST"
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=write)
    team = membership.team
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if write and form.is_valid():
        assert request.user.is_authenticated  # only a member gets past membership_get_for_user
        _, new_secret = api_token_create(
            team=team,
            name=form.cleaned_data["name"],
            access=form.cleaned_data["access"],
            created_by=request.user,
        )
        form = ApiTokenForm()
    return render(
        request,
        "portal/team_tokens.html",
        {
            "team": team,
            "membership": membership,
            "tokens": api_tokens_for_team(team=team),
            "form": form,
            "new_secret": new_secret,
        },
        status=400 if write and form.errors else 200,
    )


@require_POST
def team_token_revoke(request: HttpRequest, team_slug: str, token_id: int) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug, write=True)
    token = api_token_get(team=membership.team, token_id=token_id)
    api_token_revoke(token=token)
    messages.success(request, f"Token '{token.name}' revoked.")
    return redirect("team-tokens", team_slug=membership.team.slug)
