"""What a team does once it has decided, for the home page (``portal.hooks``)."""

from __future__ import annotations

from django.urls import reverse

from portal.hooks import NextStep
from portal.models import Membership
from routing.selectors import routing_progress


def next_steps(*, membership: Membership) -> list[NextStep]:
    """Once decided: backends for the chosen models, and routes that split traffic between them."""
    progress = routing_progress(team=membership.team)
    return [
        NextStep(
            title="Once decided: route your traffic",
            text="Add a backend for each chosen model and a route per task type; the gateway then sends "
            "a share of requests to the open-source model and records what each request cost.",
            url=reverse("routing:page", args=[membership.team.slug]),
            link_text="Set up routing" if progress["has_backends"] else "Add backends and routes",
            done=progress["has_routes"],
        )
    ]
