"""Accounts for the deployment smoke test and the load benchmark, created in the target database.

Run only against a database made for the check (CI's own, a benchmark's): it creates a staff user
with a known password.
"""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "deployment-check-password-1"


@dataclass(frozen=True)
class Fixtures:
    team_slug: str
    owner: str
    staff: str
    password: str
    token: str


def django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def fixtures_ensure() -> Fixtures:
    """Idempotent: an owner in team 'deploy-check', a staff superuser, and a fresh read-write token."""
    django_setup()
    from django.contrib.auth.models import User

    from portal.models import Team
    from portal.services import api_token_create, team_create

    owner, _ = User.objects.get_or_create(username="deploy-owner")
    owner.set_password(PASSWORD)
    owner.save()
    staff, _ = User.objects.get_or_create(username="deploy-staff", defaults={"is_staff": True})
    staff.is_staff = staff.is_superuser = True
    staff.set_password(PASSWORD)
    staff.save()
    team = Team.objects.filter(slug="deploy-check").first() or team_create(
        name="Deploy check", owner=owner, slug="deploy-check"
    )
    # A fresh token each run (names are unique within a team).
    name = f"deploy check {secrets.token_hex(4)}"
    _, token = api_token_create(team=team, name=name, access="read_write", created_by=owner)
    return Fixtures(team.slug, owner.username, staff.username, PASSWORD, token)
