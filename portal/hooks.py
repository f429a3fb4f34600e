"""The apps' hooks, found through ``django.apps`` and never by name.

Each project app may own: ``urls.py`` (its pages, under ``t/<slug:team_slug>/`` unless its AppConfig
sets ``urls_prefix``), ``api_urls.py`` (under ``api/``), ``demo.py`` (``seed_demo``), ``schedules.py``
(``periodic_tasks``), ``home.py`` (``next_steps``: what a team does next, for the home page), and
on its AppConfig ``nav_template`` (team navigation), ``site_nav_template`` (the top bar) and
``home_template`` (a section of the home page). The portal includes whatever an
app provides, in ``INSTALLED_APPS`` order, so adding an app never means editing the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from django.apps import AppConfig, apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule

if TYPE_CHECKING:
    from portal.models import Membership

TEAM_URLS_PREFIX = "t/<slug:team_slug>/"


@dataclass(frozen=True)
class NextStep:
    """One thing a team does on its way from a question to routed traffic, for the home page.

    ``done`` when the team has done it; ``writes`` when it needs an editor or owner."""

    title: str
    text: str
    url: str
    link_text: str
    done: bool
    writes: bool = True


def project_apps() -> list[AppConfig]:
    """The project's own apps (packages at the top of the project folder), portal excepted, in
    ``INSTALLED_APPS`` order. Third-party and contrib apps never contribute hooks."""
    base = Path(settings.BASE_DIR).resolve()
    return [
        config
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base and config.name != __package__
    ]


def app_hook_module(config: AppConfig, name: str) -> ModuleType | None:
    """``<app>.<name>`` imported, or None when the app has no such module (an import error inside an
    existing module is raised, not hidden)."""
    if config.module is None or not module_has_submodule(config.module, name):
        return None
    return import_module(f"{config.name}.{name}")


def app_templates(attribute: str) -> list[str]:
    """The templates the apps name with ``attribute`` on their AppConfig, in order."""
    return [template for config in project_apps() if (template := getattr(config, attribute, ""))]


def app_next_steps(*, membership: Membership) -> list[NextStep]:
    """Every app's next steps for a member's team (``<app>/home.py``: ``next_steps``), in order."""
    steps: list[NextStep] = []
    for config in project_apps():
        module = app_hook_module(config, "home")
        if module is not None:
            steps += module.next_steps(membership=membership)
    return steps
