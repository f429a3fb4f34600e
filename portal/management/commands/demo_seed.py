from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.hooks import app_hook_module, project_apps
from portal.models import Membership, Role, Team
from portal.services import membership_set, team_create

DEMO_TEAM = "Demo Team"
DEMO_USERS = [
    # username, password, role in the demo team, staff
    ("demo-owner", "modelwise-owner", Role.OWNER, False),
    ("demo-editor", "modelwise-editor", Role.EDITOR, False),
    ("demo-viewer", "modelwise-viewer", Role.VIEWER, False),
    ("demo-admin", "modelwise-admin", None, True),
]


class Command(BaseCommand):
    help = "Create the demo team, its users and each app's demo data (development only; safe to run again)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("Refusing to create demo users with DEBUG off.")
        User = get_user_model()
        users = {}
        for username, password, _role, staff in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": staff, "is_superuser": staff}
            )
            if created:
                user.set_password(password)
                user.save()
            users[username] = user
        team = Team.objects.filter(name=DEMO_TEAM).first() or team_create(
            name=DEMO_TEAM, owner=users["demo-owner"]
        )
        for username, _password, role, _staff in DEMO_USERS:
            if role and not Membership.objects.filter(team=team, user=users[username]).exists():
                membership_set(team=team, user=users[username], role=role)
        # Each app seeds its own demo data (its demo.py), in INSTALLED_APPS order.
        lines: list[str] = []
        for config in project_apps():
            demo = app_hook_module(config, "demo")
            if demo is not None:
                lines += demo.seed_demo(team=team, users=users)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (team '{team.name}', /t/{team.slug}/):"))
        for username, password, role, staff in DEMO_USERS:
            what = "staff, admin console" if staff else f"{role} of {team.name}"
            self.stdout.write(f"  {username:<12} / {password:<17} ({what})")
        for line in lines:
            self.stdout.write(line)
        self.stdout.write("")
