from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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

DEMO_PROFILES = [
    ("Startup: time to market first", ["time_to_market", "performance", "cost"]),
    ("Enterprise: data privacy first", ["data_privacy", "customization", "performance"]),
]
DEMO_USAGE: dict[str, Any] = {
    "name": "Support assistant (10k requests/day)",
    "daily_requests": 10_000,
    "avg_input_tokens": 500,
    "avg_output_tokens": 1_000,
    "peak_concurrent": 50,
    "days_per_month": 30,
}


class Command(BaseCommand):
    help = "Create the demo team and its users (development only; safe to run again)."

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
        self._seed_decisions(team)
        extra = self._seed_apps(team, users)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins (team '{team.name}', /t/{team.slug}/):"))
        for username, password, role, staff in DEMO_USERS:
            what = "staff, admin console" if staff else f"{role} of {team.name}"
            self.stdout.write(f"  {username:<12} / {password:<17} ({what})")
        for line in extra:
            self.stdout.write(line)
        self.stdout.write("")

    def _seed_apps(self, team: Team, users: dict[str, Any]) -> list[str]:
        """Each installed app's ``demo.seed_demo`` hook, in INSTALLED_APPS order."""
        lines: list[str] = []
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            lines.extend(module.seed_demo(team=team, users=users))
        return lines

    def _seed_decisions(self, team: Team) -> None:
        """The article's two priority profiles and its traffic, so the decision pages have data."""
        from evaluations.models import PriorityProfile, UsagePattern
        from evaluations.services import profile_create, usage_pattern_create

        for name, priorities in DEMO_PROFILES:
            if not PriorityProfile.objects.filter(team=team, name=name).exists():
                profile_create(team=team, name=name, priorities=priorities)
        if not UsagePattern.objects.filter(team=team, name=DEMO_USAGE["name"]).exists():
            usage_pattern_create(team=team, **DEMO_USAGE)
