"""Writes for teams, memberships and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from portal.models import ApiToken, Membership, Role, Team, TokenAccess
from portal.tokens import token_digest, token_display_prefix, token_generate


@transaction.atomic
def team_create(*, name: str, owner: User, slug: str = "") -> Team:
    base = slugify(slug or name)[:50] or "team"
    candidate, n = base, 1
    while Team.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    team = Team.objects.create(name=name, slug=candidate)
    Membership.objects.create(team=team, user=owner, role=Role.OWNER)
    return team


def membership_set(*, team: Team, user: User, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(team=team, user=user, defaults={"role": role})
    return membership


def member_add(*, team: Team, username_or_email: str, role: str) -> Membership:
    """Add an existing user, found by username or email (case-insensitive), to the team."""
    identifier = username_or_email.strip()
    users = list(User.objects.filter(Q(username__iexact=identifier) | Q(email__iexact=identifier))[:2])
    if len(users) != 1:
        message = (
            f"No user has the username or email “{identifier}”."
            if not users
            else f"More than one user matches “{identifier}”: give the username."
        )
        raise ValidationError({"username_or_email": [message]})
    user = users[0]
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"username_or_email": [f"{user.username} is already a member of {team.name}."]})
    if role not in Role.values:
        raise ValidationError({"role": [f"Choose a role from: {', '.join(Role.labels)}."]})
    return Membership.objects.create(team=team, user=user, role=role)


def _is_last_owner(membership: Membership) -> bool:
    return (
        membership.role == Role.OWNER
        and not Membership.objects.filter(team_id=membership.team_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def member_role_change(*, membership: Membership, role: str) -> Membership:
    """Change a member's role; the team's last owner stays an owner."""
    if role not in Role.values:
        raise ValidationError({"role": [f"Choose a role from: {', '.join(Role.labels)}."]})
    # Lock the team's owners so two owners demoting each other at once cannot leave none.
    list(Membership.objects.select_for_update().filter(team_id=membership.team_id, role=Role.OWNER))
    if role != Role.OWNER and _is_last_owner(membership):
        raise ValidationError(
            {"role": ["The team's last owner cannot stop being an owner: make another member owner first."]}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    list(Membership.objects.select_for_update().filter(team_id=membership.team_id, role=Role.OWNER))
    if _is_last_owner(membership):
        raise ValidationError("The team's last owner cannot be removed: make another member owner first.")
    membership.delete()


def api_token_create(
    *, team: Team, name: str, access: str = TokenAccess.READ, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw secret, which is never stored and never shown again.

    Names are unique per team among its tokens, so a token can be told apart from another by name.
    """
    name = name.strip()
    if ApiToken.objects.filter(team=team, name__iexact=name).exists():
        raise ValidationError({"name": [f"This team already has a token named “{name}”."]})
    raw = token_generate()
    token = ApiToken.objects.create(
        team=team,
        name=name,
        access=access,
        prefix=token_display_prefix(raw),
        digest=token_digest(raw),
        created_by=created_by,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_touch(*, token: ApiToken) -> None:
    """Record use, at most once a minute per token, so reads do not turn into a write each."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
