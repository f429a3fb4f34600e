"""What a team does next on its way to a decision, for the home page (``portal.hooks``)."""

from __future__ import annotations

from django.urls import reverse

from evaluations.selectors import decision_progress
from portal.hooks import NextStep
from portal.models import Membership


def next_steps(*, membership: Membership) -> list[NextStep]:
    """A profile (what matters, in order), a usage pattern (the traffic that prices the models), then
    a decision: the ranking and the cost report, saved as an evaluation."""
    slug = membership.team.slug
    progress = decision_progress(team=membership.team)
    return [
        NextStep(
            title="Say what matters: a priority profile",
            text="List the priorities that matter to you, most important first (cost, performance, "
            "time to market…). The catalog is ranked by them.",
            url=reverse("evaluations:profile-list", args=[slug]),
            link_text="Create a profile" if membership.can_write else "See the profiles",
            done=progress["has_profiles"],
        ),
        NextStep(
            title="Describe your traffic: a usage pattern",
            text="Requests a day and tokens per request price every model, so the cost priority "
            "follows the money and the cost report can compare API and self-hosting.",
            url=reverse("evaluations:usage-pattern-list", args=[slug]),
            link_text="Add a usage pattern" if membership.can_write else "See the usage patterns",
            done=progress["has_usage_patterns"],
        ),
        NextStep(
            title="Decide: rank the models and read the costs",
            text="Rank the catalog for a profile at your traffic, check the cost report and its "
            "break-even, then save the result as an evaluation the team can come back to.",
            url=reverse("evaluations:recommendation", args=[slug]),
            link_text="Get a recommendation",
            done=progress["has_evaluations"],
            writes=False,
        ),
    ]
