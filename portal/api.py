"""Team scoping for the REST API, in one place.

A request acts for exactly one team: the token's team, or for a signed-in user the team named by the
``team`` query parameter (its slug), which may be omitted when the user belongs to a single team.
Another team's objects are a 404; writing with a viewer role or a read-only token is a 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from portal.models import Team
from portal.permissions import request_token
from portal.selectors import TeamAccess, memberships_for_user

TEAM_PARAMETER = OpenApiParameter(
    "team",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="Team slug; needed only by a signed-in user who belongs to several teams. "
    "Token requests always act for the token's team.",
)


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


class TeamPermission(BasePermission):
    """Default for team-owned endpoints: resolve the team; writes need a writer role or token."""

    def has_permission(self, request: Request, view: Any) -> bool:
        access = api_team_access(request)
        if request.method not in SAFE_METHODS and not access.can_write:
            raise exceptions.PermissionDenied(
                "This token is read-only." if access.token else "Your role in this team is read-only."
            )
        return True


def team_scoped(queryset: QuerySet[Any], request: Request, field: str = "team") -> QuerySet[Any]:
    """Restrict a queryset to the request's team: the only way team-owned rows reach the API."""
    return queryset.filter(**{field: api_team_access(request).team})


def team_of(request: Request) -> Team:
    return api_team_access(request).team


__all__ = ["TEAM_PARAMETER", "TeamPermission", "api_team_access", "team_of", "team_scoped"]
