"""Demo data for decisions: the article's two priority profiles and its traffic, so the decision
pages have something to show (``manage.py demo_seed`` calls ``seed_demo``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from evaluations.selectors import profiles_for_team, usage_patterns_for_team
from evaluations.services import profile_create, usage_pattern_create
from portal.models import Team

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


def seed_demo(*, team: Team, users: dict[str, User]) -> list[str]:
    """Create what is missing (safe to run again); the pages need no extra lines in the output."""
    for name, priorities in DEMO_PROFILES:
        if not profiles_for_team(team=team).filter(name=name).exists():
            profile_create(team=team, name=name, priorities=priorities)
    if not usage_patterns_for_team(team=team).filter(name=DEMO_USAGE["name"]).exists():
        usage_pattern_create(team=team, **DEMO_USAGE)
    return []
