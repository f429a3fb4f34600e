"""Team pages. Every view resolves the team through ``membership_get_for_user``: outsiders get a 404,
read-only members a 403 on writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.forms import (
    ApiTokenForm,
    InvitationForm,
    InvitationSignUpForm,
    MemberAddForm,
    MemberRoleForm,
    form_add_service_errors,
)
from portal.hooks import app_next_steps
from portal.models import Membership
from portal.selectors import (
    api_token_get,
    api_tokens_for_team,
    invitation_get,
    invitation_get_by_secret,
    invitations_for_team,
    memberships_for_user,
    team_member_get,
    team_members,
)
from portal.services import (
    INVITATION_UNUSABLE,
    api_token_create,
    api_token_revoke,
    invitation_accept,
    invitation_accept_new_user,
    invitation_create,
    invitation_revoke,
    member_add,
    member_remove,
    member_role_change,
)
from portal.tenancy import membership_get_for_user

NEW_SECRET_KEY = "portal:new-token-secret"
NEW_INVITATION_KEY = "portal:new-invitation-link"


def _owner_membership(request: HttpRequest, team_slug: str) -> Membership:
    """The caller's membership when they own the team: outsiders get a 404, other members a 403."""
    return membership_get_for_user(user=request.user, team_slug=team_slug, owner=True)


def home(request: HttpRequest) -> HttpResponse:
    """The member's teams, and what their first team does next (each app's ``next_steps``): a new
    member is told where to start."""
    memberships = list(memberships_for_user(user=request.user))
    first = memberships[0] if memberships else None
    steps = app_next_steps(membership=first) if first is not None else []
    upcoming = next((step for step in steps if not step.done), None)
    return render(
        request,
        "portal/home.html",
        {
            "memberships": memberships,
            "first_membership": first,
            "steps": steps,
            "next_step": upcoming,
            # Nothing done yet (no profile): the page says where to start rather than what is next.
            "starting": bool(steps) and upcoming is steps[0],
        },
    )


def team_detail(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = membership_get_for_user(user=request.user, team_slug=team_slug)
    return _team_page(request, membership)


def _team_page(
    request: HttpRequest,
    membership: Membership,
    add_form: Form | None = None,
    invite_form: Form | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    team = membership.team
    new_link = None
    if membership.is_owner:
        # Shown once, after the redirect that follows creating it.
        new = request.session.pop(NEW_INVITATION_KEY, None)
        if new is not None and new.get("team") == team.pk:
            new_link = request.build_absolute_uri(reverse("invitation-accept", args=[new["secret"]]))
    return render(
        request,
        "portal/team_detail.html",
        {
            "team": team,
            "membership": membership,
            "members": team_members(team=team),
            "add_form": add_form or MemberAddForm(),
            "invite_form": invite_form or InvitationForm(),
            "invitations": invitations_for_team(team=team) if membership.is_owner else [],
            "new_invitation_link": new_link,
            "now": timezone.now(),
            "role_choices": MemberRoleForm.base_fields["role"].choices,  # type: ignore[attr-defined]
        },
        status=status,
    )


@require_POST
def team_member_add(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = _owner_membership(request, team_slug)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            added = member_add(team=membership.team, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, f"{added.user.username} added as {added.get_role_display().lower()}.")
            return redirect("team-detail", team_slug=membership.team.slug)
    return _team_page(request, membership, add_form=form, status=400)


@require_POST
def team_invitation_create(request: HttpRequest, team_slug: str) -> HttpResponse:
    membership = _owner_membership(request, team_slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        assert request.user.is_authenticated  # only an owner gets past _owner_membership
        try:
            invitation, secret = invitation_create(
                team=membership.team,
                role=form.cleaned_data["role"],
                days_valid=form.cleaned_data["days_valid"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            request.session[NEW_INVITATION_KEY] = {"team": membership.team.pk, "secret": secret}
            messages.success(
                request,
                f"Invitation link created: whoever opens it first joins as "
                f"{invitation.get_role_display().lower()}.",
            )
            return redirect("team-detail", team_slug=membership.team.slug)
    return _team_page(request, membership, invite_form=form, status=400)


@require_POST
def team_invitation_revoke(request: HttpRequest, team_slug: str, invitation_id: int) -> HttpResponse:
    membership = _owner_membership(request, team_slug)
    invitation = invitation_get(team=membership.team, invitation_id=invitation_id)
    invitation_revoke(invitation=invitation)
    messages.success(
        request, f"The invitation link made on {invitation.created_at:%Y-%m-%d %H:%M} no longer works."
    )
    return redirect("team-detail", team_slug=membership.team.slug)


@login_not_required
def invitation_accept_page(request: HttpRequest, secret: str) -> HttpResponse:
    """An invitation link: a signed-out visitor creates an account and joins; a signed-in user joins."""
    invitation = invitation_get_by_secret(secret=secret)
    if invitation is None:
        raise Http404("This invitation link is not valid: check that it was copied whole.")
    status = invitation.status(timezone.now())
    if status != "open":
        return render(
            request,
            "portal/invitation.html",
            {"invitation": invitation, "unusable": INVITATION_UNUSABLE[status]},
            status=410,
        )
    form = InvitationSignUpForm(request.POST or None)
    error = ""
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                joined = invitation_accept(invitation=invitation, user=request.user)
            elif form.is_valid():
                joined = invitation_accept_new_user(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
                login(request, joined.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                joined = None
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                form_add_service_errors(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            if joined is not None:
                messages.success(
                    request,
                    f"Welcome to {joined.team.name}: you joined as {joined.get_role_display().lower()}.",
                )
                return redirect("team-detail", team_slug=joined.team.slug)
    return render(
        request,
        "portal/invitation.html",
        {"invitation": invitation, "form": form, "error": error},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def team_member_role(request: HttpRequest, team_slug: str, member_id: int) -> HttpResponse:
    membership = _owner_membership(request, team_slug)
    member = team_member_get(team=membership.team, member_id=member_id)
    form = MemberRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose a role: owner, editor or viewer.")
        member_role_change(membership=member, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.user.username} is now {member.get_role_display().lower()}.")
    return redirect("team-detail", team_slug=membership.team.slug)


@require_POST
def team_member_remove(request: HttpRequest, team_slug: str, member_id: int) -> HttpResponse:
    membership = _owner_membership(request, team_slug)
    member = team_member_get(team=membership.team, member_id=member_id)
    try:
        member_remove(membership=member)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.user.username} removed from {membership.team.name}.")
    return redirect("team-detail", team_slug=membership.team.slug)


def team_tokens(request: HttpRequest, team_slug: str) -> HttpResponse:
    write = request.method == "POST"
    membership = (
        _owner_membership(request, team_slug)
        if write
        else membership_get_for_user(user=request.user, team_slug=team_slug)
    )
    team = membership.team
    form = ApiTokenForm(request.POST or None)
    if write and form.is_valid():
        assert request.user.is_authenticated  # only a member gets past membership_get_for_user
        try:
            token, secret = api_token_create(
                team=team,
                name=form.cleaned_data["name"],
                access=form.cleaned_data["access"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            # Shown once, on the page the redirect leads to: a reload creates nothing and shows nothing.
            request.session[NEW_SECRET_KEY] = {"team": team.pk, "secret": secret, "name": token.name}
            return redirect("team-tokens", team_slug=team.slug)
    new = request.session.pop(NEW_SECRET_KEY, None) if not write else None
    if new is not None and new.get("team") != team.pk:
        new = None
    return render(
        request,
        "portal/team_tokens.html",
        {
            "team": team,
            "membership": membership,
            "tokens": api_tokens_for_team(team=team),
            "form": form,
            "new_secret": new["secret"] if new else None,
            "new_name": new["name"] if new else "",
            "api_base": request.build_absolute_uri("/api/"),
        },
        status=400 if write and form.errors else 200,
    )


@require_POST
def team_token_revoke(request: HttpRequest, team_slug: str, token_id: int) -> HttpResponse:
    membership = _owner_membership(request, team_slug)
    token = api_token_get(team=membership.team, token_id=token_id)
    api_token_revoke(token=token)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("team-tokens", team_slug=membership.team.slug)
