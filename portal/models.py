"""Teams own everything a user keeps in the portal; memberships give a role, tokens give API access."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


WRITE_ROLES = frozenset({Role.OWNER, Role.EDITOR})


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_membership")]
        ordering = ["team__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER


class TokenAccess(models.TextChoices):
    READ = "read", "Read-only"
    READ_WRITE = "read_write", "Read and write"
    # Calls the gateway (/v1/, /api/route/) and nothing else: the REST API refuses it.
    GATEWAY = "gateway", "Gateway only"


# Token levels the gateway accepts; a read-only token may not spend the team's money.
GATEWAY_ACCESS = frozenset({TokenAccess.GATEWAY, TokenAccess.READ_WRITE})


class ApiToken(models.Model):
    """A team's API token. Only a SHA-256 digest of the secret is stored; the secret is shown once."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, help_text="First characters of the token, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    access = models.CharField(max_length=12, choices=TokenAccess.choices, default=TokenAccess.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.access == TokenAccess.READ_WRITE

    @property
    def gateway_only(self) -> bool:
        return self.access == TokenAccess.GATEWAY


class Invitation(models.Model):
    """A link that lets someone without an account create one and join a team with a role.

    Only a SHA-256 digest of the link's secret is stored, like an API token's; the link is shown
    once to the owner who made it. It works once, until ``expires_at``, unless revoked.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.team} as {self.role}"

    def status(self, now: datetime) -> str:
        """'used', 'revoked', 'expired' or 'open' at ``now``."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if now >= self.expires_at:
            return "expired"
        return "open"
