"""The admin never shows a backend's key; the demo team gets routing ready for a first curl."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from portal.models import ApiToken, Team
from portal.schedules import PeriodicTaskSpec
from portal.selectors import api_token_get_active
from routing.models import Backend, RequestLog, Route
from routing.schedules import periodic_tasks
from tests.routing.control.conftest import SECRET, log

pytestmark = pytest.mark.django_db


def test_admin_pages_never_show_the_key(staff_client, team, proprietary, routes):
    from django.utils import timezone

    entry = log(team, at=timezone.now(), route=routes[0], backend=proprietary)
    for url in (
        "/admin/routing/backend/",
        f"/admin/routing/backend/{proprietary.pk}/change/",
        "/admin/routing/route/",
        f"/admin/routing/route/{routes[0].pk}/change/",
        "/admin/routing/requestlog/",
        f"/admin/routing/requestlog/{entry.pk}/change/",
        "/admin/routing/requestrollup/",
        "/admin/routing/teambudget/",
        "/admin/routing/sharechange/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert SECRET not in body and proprietary.api_key_encrypted not in body, url


def test_logs_are_read_only_in_the_admin(staff_client, team, proprietary, routes):
    from django.utils import timezone

    entry = log(team, at=timezone.now(), route=routes[0], backend=proprietary)
    assert staff_client.get("/admin/routing/requestlog/add/").status_code == 403
    staff_client.post(f"/admin/routing/requestlog/{entry.pk}/change/", {"status_code": 500})
    assert RequestLog.objects.get(pk=entry.pk).status_code == 200


def test_periodic_tasks_roll_up_hourly_and_purge_daily():
    specs = periodic_tasks()
    assert all(isinstance(s, PeriodicTaskSpec) for s in specs)
    assert {s.task: s.crontab for s in specs} == {
        "routing.rollup_requests": "5 * * * *",
        "routing.purge_request_logs": "20 3 * * *",
    }


def test_demo_seed_points_two_backends_at_the_local_upstream_with_default_routes(
    settings, tmp_path, article_catalog, capsys
):
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    settings.LOCAL_UPSTREAM_URL = "http://127.0.0.1:18123"
    call_command("demo_seed")
    first = capsys.readouterr().out
    call_command("demo_seed")
    second = capsys.readouterr().out

    team = Team.objects.get(name="Demo Team")
    backends = {
        b.name: (b.kind, b.protocol, b.base_url, b.upstream_model, b.catalog_model.name)
        for b in Backend.objects.filter(team=team).select_related("catalog_model")
    }
    assert backends == {
        "Demo proprietary": ("proprietary", "openai", "http://127.0.0.1:18123/v1", "fake-gpt", "GPT-4 Turbo"),
        "Demo open source": (
            "open_source",
            "openai",
            "http://127.0.0.1:18123/v1",
            "fake-llama",
            "Llama 2 70B",
        ),
    }
    assert list(Route.objects.filter(team=team).values_list("name", "open_source_share")) == [
        ("default", 100),
        ("complex-tasks", 0),
    ]
    raw = (tmp_path / "demo-gateway-token").read_text().strip()
    assert f"Demo gateway token (development only): {raw}" in first
    assert raw in second  # the same token, printed again
    token = api_token_get_active(raw_token=raw)
    assert token is not None and token.team == team
    assert ApiToken.objects.filter(team=team, revoked_at__isnull=True).count() == 1
