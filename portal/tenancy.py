"""Tenancy in one place: which team a request acts for, and what it may do there.

- Pages: ``membership_get_for_user`` resolves the team named in the URL (outsiders 404, viewers
  asking to write 403).
- API: ``api_team_access`` resolves the team a request acts for: the token's team, or for a
  signed-in user the team named by the ``team`` query parameter (its slug), which may be omitted
  when the user belongs to a single team. ``TeamPermission`` refuses writes by viewers and read-only
  tokens; ``team_scoped`` hands a viewset the request's team's rows from a team-first selector.
- The default DRF permission lets in signed-in users and team tokens, nobody else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions
from rest_framework.request import Request

from portal.models import ApiToken, Membership, Team
from portal.selectors import memberships_for_user

M = TypeVar("M", bound=Model)

# --- Pages ----------------------------------------------------------------------------------------


def membership_get_for_user(
    *, user: User | AnonymousUser, team_slug: str, write: bool = False, owner: bool = False
) -> Membership:
    """The user's membership of the team named in the URL.

    Outsiders get a 404 (the team's existence is not disclosed); viewers asking to write get a 403,
    and so does anyone but an owner asking for an owner's action (members, tokens).
    """
    if not user.is_authenticated:
        raise Http404("No such team.")
    membership = Membership.objects.select_related("team").filter(user=user, team__slug=team_slug).first()
    if membership is None:
        raise Http404("No such team.")
    if write and not membership.can_write:
        raise PermissionDenied("Your role in this team is read-only.")
    if owner and not membership.is_owner:
        raise PermissionDenied("Only the team's owners can manage members and API tokens.")
    return membership


# --- API ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamAccess:
    """Which team an API request acts for, and whether it may write there."""

    team: Team
    can_write: bool
    token: ApiToken | None = None


TEAM_PARAMETER = OpenApiParameter(
    "team",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Team slug; needed only by a signed-in user who belongs to several teams. "
    "Token requests always act for the token's team.",
)


def request_token(request: Request) -> ApiToken | None:
    """The team token the request authenticated with, if any."""
    return request.auth if isinstance(request.auth, ApiToken) else None


def api_team_access(request: Request) -> TeamAccess:
    """Resolve (and cache on the request) the team this API request acts for."""
    cached = getattr(request, "_team_access", None)
    if cached is not None:
        return cached
    token = request_token(request)
    if token is not None:
        access = TeamAccess(team=token.team, can_write=token.can_write, token=token)
    elif request.user and request.user.is_authenticated:
        slug = request.query_params.get("team", "").strip()
        memberships = memberships_for_user(user=request.user)
        if slug:
            membership = memberships.filter(team__slug=slug).first()
            if membership is None:
                raise exceptions.NotFound({"team": [f"No team '{slug}' among your teams."]})
        else:
            found = list(memberships[:2])
            if not found:
                raise exceptions.PermissionDenied("You are not a member of any team.")
            if len(found) > 1:
                raise exceptions.ValidationError(
                    {"team": ["You belong to several teams: name one with ?team=<slug>."]}
                )
            membership = found[0]
        access = TeamAccess(team=membership.team, can_write=membership.can_write)
    else:
        raise exceptions.NotAuthenticated()
    request._team_access = access  # type: ignore[attr-defined]
    return access


def team_of(request: Request) -> Team:
    """The team the request acts for (see ``api_team_access``)."""
    return api_team_access(request).team


def team_scoped(request: Request, selector: Callable[..., QuerySet[M]], **kwargs: Any) -> QuerySet[M]:
    """The request's team's rows from a team-first selector: the only way team-owned rows reach the
    API. ``kwargs`` go to the selector after the team."""
    return selector(team=team_of(request), **kwargs)


class IsMemberOrTeamToken(BasePermission):
    """The default: signed-in users and team tokens, nobody else."""

    message = "Sign in or send a team API token."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) or request_token(request) is not None


class ReadForMembersWriteForStaff(IsMemberOrTeamToken):
    """Shared reference data: anyone signed in (or any token) reads; writing needs a staff user with
    Django's model permission for the action (add/change/delete), exactly as the admin requires."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in SAFE_METHODS:
            return True
        self.message = "Only staff with the model's permissions can change the catalog."
        return bool(request.user and request.user.is_staff) and DjangoModelPermissions().has_permission(
            request, view
        )


class TeamPermission(BasePermission):
    """Default for team-owned endpoints: resolve the team; writes need a writer role or token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        access = api_team_access(request)
        if request.method not in SAFE_METHODS and not access.can_write:
            raise exceptions.PermissionDenied(
                "This token is read-only." if access.token else "Your role in this team is read-only."
            )
        return True


class TeamComputePermission(BasePermission):
    """For POST endpoints that compute an answer and store nothing: any member of the team, or any
    of its tokens (read-only ones included), may call them."""

    def has_permission(self, request: Request, view: Any) -> bool:
        api_team_access(request)
        return True
