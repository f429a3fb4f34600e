"""Writes for teams, memberships and API tokens."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from portal.models import ApiToken, Invitation, Membership, Role, Team, TokenAccess
from portal.tokens import token_digest, token_display_prefix, token_generate

INVITATION_DAYS_MAX = 30


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


def invitation_create(
    *, team: Team, role: str, created_by: User | None, days_valid: int = 7
) -> tuple[Invitation, str]:
    """A one-time invitation link's record and its secret (shown once, never stored).

    The link works for ``days_valid`` days (1 to ``INVITATION_DAYS_MAX``) or until used or revoked.
    """
    if role not in Role.values:
        raise ValidationError({"role": [f"Choose a role from: {', '.join(Role.labels)}."]})
    if not 1 <= days_valid <= INVITATION_DAYS_MAX:
        raise ValidationError(
            {"days_valid": [f"An invitation lasts between 1 and {INVITATION_DAYS_MAX} days."]}
        )
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        team=team,
        role=role,
        digest=token_digest(secret),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days_valid),
    )
    return invitation, secret


INVITATION_UNUSABLE = {
    "used": "This invitation has already been used: ask the team's owner for a new one.",
    "revoked": "This invitation was withdrawn by the team's owner.",
    "expired": "This invitation has expired: ask the team's owner for a new one.",
}


def _invitation_lock_open(invitation: Invitation) -> Invitation:
    """Re-read the invitation under a row lock and refuse it unless it is still open, so two visitors
    racing with one link cannot both join."""
    locked = Invitation.objects.select_for_update().select_related("team").get(pk=invitation.pk)
    status = locked.status(timezone.now())
    if status != "open":
        raise ValidationError(INVITATION_UNUSABLE[status])
    return locked


@transaction.atomic
def invitation_accept_new_user(*, invitation: Invitation, username: str, password: str) -> Membership:
    """Create an account with the invitation and join its team with its role. Used once."""
    invitation = _invitation_lock_open(invitation)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [f"The username “{username}” is taken: choose another."]})
    user = User(username=username)
    try:
        user.clean_fields(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError({"username": exc.message_dict.get("username", exc.messages)}) from exc
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError({"username": [f"The username “{username}” is taken: choose another."]}) from exc
    return _invitation_use(invitation, user)


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """A signed-in user joins the invitation's team with its role. Used once."""
    invitation = _invitation_lock_open(invitation)
    if Membership.objects.filter(team=invitation.team, user=user).exists():
        raise ValidationError(f"You are already a member of {invitation.team.name}.")
    return _invitation_use(invitation, user)


def _invitation_use(invitation: Invitation, user: User) -> Membership:
    invitation.used_at = timezone.now()
    invitation.used_by = user
    invitation.save(update_fields=["used_at", "used_by"])
    return Membership.objects.create(team=invitation.team, user=user, role=invitation.role)


def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation
