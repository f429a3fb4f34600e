"""Navigation contributed by the apps (see ``portal.hooks``), for ``base.html`` and the team menu."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from portal.hooks import app_templates
from portal.selectors import teams_for_user


@cache
def _navigation() -> dict[str, list[str]]:
    # The app registry is fixed once Django has started: work the lists out once per process.
    return {
        "app_nav_templates": app_templates("nav_template"),
        "site_nav_templates": app_templates("site_nav_template"),
        "home_templates": app_templates("home_template"),
    }


def app_navigation(request: HttpRequest) -> dict[str, Any]:
    return _navigation()


def team_navigation(request: HttpRequest) -> dict[str, Any]:
    """``nav_team``: the team whose menu a page without a team of its own (the catalog, the matrix,
    the home page) shows, the user's first team. Looked up only when such a page draws the menu."""
    return {"nav_team": SimpleLazyObject(lambda: teams_for_user(user=request.user).first())}
