"""Tenancy in one place: every team-scoped read starts here and fails closed."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from portal.models import ApiToken, Membership, Team
from portal.tokens import token_digest


def teams_for_user(*, user: User | AnonymousUser) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def memberships_for_user(*, user: User | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")


def membership_get_for_user(*, user: User | AnonymousUser, team_slug: str, write: bool = False) -> Membership:
    """The user's membership of the team named in the URL.

    Outsiders get a 404 (the team's existence is not disclosed); viewers asking to write get a 403.
    """
    if not user.is_authenticated:
        raise Http404("No such team.")
    membership = Membership.objects.select_related("team").filter(user=user, team__slug=team_slug).first()
    if membership is None:
        raise Http404("No such team.")
    if write and not membership.can_write:
        raise PermissionDenied("Your role in this team is read-only.")
    return membership


def api_token_get_active(*, raw_token: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("team")
        .filter(digest=token_digest(raw_token), revoked_at__isnull=True)
        .first()
    )


def api_tokens_for_team(*, team: Team) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(team=team).select_related("created_by").order_by("-created_at")


def team_members(*, team: Team) -> QuerySet[Membership]:
    return Membership.objects.filter(team=team).select_related("user").order_by("role", "user__username")


@dataclass(frozen=True)
class TeamAccess:
    """Which team an API request acts for, and whether it may write there."""

    team: Team
    can_write: bool
    token: ApiToken | None = None
