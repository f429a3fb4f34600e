from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluations.models import PriorityProfile, UsagePattern
from portal.models import Membership, Team

pytestmark = pytest.mark.django_db


@pytest.fixture
def development(settings):
    settings.DEBUG = True  # pytest-django runs tests with DEBUG off; the demo is for development


def test_demo_seed_creates_the_team_its_roles_and_decision_data_once(development, capsys):
    call_command("demo_seed")
    call_command("demo_seed")
    out = capsys.readouterr().out

    team = Team.objects.get(name="Demo Team")
    roles = dict(Membership.objects.filter(team=team).values_list("user__username", "role"))
    assert roles == {"demo-owner": "owner", "demo-editor": "editor", "demo-viewer": "viewer"}
    assert PriorityProfile.objects.filter(team=team).count() == 2
    assert UsagePattern.objects.filter(team=team).count() == 1
    assert "demo-owner   / modelwise-owner" in out
    assert "demo-viewer  / modelwise-viewer" in out


def test_demo_logins_work(development, client):
    call_command("demo_seed")
    signed_in = client.post("/accounts/login/", {"username": "demo-viewer", "password": "modelwise-viewer"})
    assert signed_in.status_code == 302
    assert client.get("/t/demo-team/").status_code == 200


def test_demo_seed_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("demo_seed")
    assert not Team.objects.exists()
