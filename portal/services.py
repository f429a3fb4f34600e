"""Writes for teams, memberships and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
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


def api_token_create(
    *, team: Team, name: str, access: str = TokenAccess.READ, created_by: User | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw secret, which is never stored and never shown again."""
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
