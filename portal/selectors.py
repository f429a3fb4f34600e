"""Reads of teams, memberships and API tokens. Deciding access is ``portal.tenancy``'s job."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from portal.models import ApiToken, Invitation, Membership, Team
from portal.tokens import token_digest


def teams_for_user(*, user: User | AnonymousUser) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).order_by("name")


def memberships_for_user(*, user: User | AnonymousUser) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("team").order_by("team__name")


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


def team_member_get(*, team: Team, member_id: int) -> Membership:
    """One of the team's memberships, with its user; another team's is a 404."""
    return get_object_or_404(Membership.objects.select_related("user"), pk=member_id, team=team)


def api_token_get(*, team: Team, token_id: int) -> ApiToken:
    """One of the team's tokens; another team's token is a 404."""
    return get_object_or_404(ApiToken, pk=token_id, team=team)


def invitations_for_team(*, team: Team) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(team=team).select_related("created_by", "used_by").order_by("-created_at")
    )


def invitation_get(*, team: Team, invitation_id: int) -> Invitation:
    """One of the team's invitations; another team's is a 404."""
    return get_object_or_404(Invitation, pk=invitation_id, team=team)


def invitation_get_by_secret(*, secret: str) -> Invitation | None:
    """The invitation a link's secret belongs to, whatever its state, or None."""
    return Invitation.objects.select_related("team").filter(digest=token_digest(secret)).first()
