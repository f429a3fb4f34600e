"""Who may call each decision endpoint: anonymous callers are refused, outsiders never see the team's
rows (404), viewers and read-only tokens read and compute but cannot write (403), editors and
read-write tokens write."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from evaluations.models import Evaluation, PriorityProfile, UsagePattern
from evaluations.services import evaluation_create
from tests.api_errors import field_errors
from tests.evaluations.conftest import ARTICLE_USAGE, STARTUP, bearer

pytestmark = pytest.mark.django_db

Call = tuple[str, str, Any]


@pytest.fixture
def rows(team, alice, startup_profile, article_usage, article_catalog) -> dict[str, int]:
    evaluation = evaluation_create(team=team, name="Saved", created_by=alice, profile=startup_profile)
    return {"profile": startup_profile.pk, "usage": article_usage.pk, "evaluation": evaluation.pk}


def _reads(ids: dict[str, int]) -> list[Call]:
    return [
        ("get", "/api/profiles/", None),
        ("get", f"/api/profiles/{ids['profile']}/", None),
        ("get", "/api/usage-patterns/", None),
        ("get", f"/api/usage-patterns/{ids['usage']}/", None),
        ("get", "/api/evaluations/", None),
        ("get", f"/api/evaluations/{ids['evaluation']}/", None),
    ]


def _computes(ids: dict[str, int]) -> list[Call]:
    return [
        ("post", "/api/recommendations/", {"profile": ids["profile"]}),
        ("post", "/api/cost-reports/", {"usage_pattern": ids["usage"]}),
    ]


def _writes(ids: dict[str, int]) -> list[Call]:
    profile, usage = f"/api/profiles/{ids['profile']}/", f"/api/usage-patterns/{ids['usage']}/"
    return [
        ("post", "/api/profiles/", {"name": "New", "priorities": ["cost"]}),
        ("patch", profile, {"name": "Renamed"}),
        ("put", profile, {"name": "Replaced", "priorities": ["performance"]}),
        ("post", f"{profile}move/", {"priority": "performance", "direction": "down"}),
        ("post", "/api/usage-patterns/", {"name": "New", **ARTICLE_USAGE}),
        ("patch", usage, {"daily_requests": 1}),
        ("put", usage, {"name": "Replaced", **ARTICLE_USAGE}),
        ("post", "/api/evaluations/", {"name": "New", "priorities": STARTUP}),
        ("delete", profile, None),
        ("delete", usage, None),
    ]


def _write_status(method: str, url: str) -> int:
    """Creating answers 201, deleting 204; changing (and moving a priority) 200."""
    if method == "delete":
        return 204
    if method == "post" and not url.endswith("move/"):
        return 201
    return 200


def _call(client: Client, method: str, url: str, data: Any):
    if data is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data, content_type="application/json")


def _unchanged(ids: dict[str, int]) -> bool:
    profile = PriorityProfile.objects.get(pk=ids["profile"])
    usage = UsagePattern.objects.get(pk=ids["usage"])
    return (
        (profile.name, profile.priorities, usage.daily_requests) == ("Startup", STARTUP, 10_000)
        and PriorityProfile.objects.count() == 1
        and UsagePattern.objects.count() == 1
        and Evaluation.objects.count() == 1
    )


def test_anonymous_callers_get_a_401_everywhere(client, rows):
    for method, url, data in _reads(rows) + _computes(rows) + _writes(rows):
        assert _call(client, method, url, data).status_code == 401, (method, url)
    assert _unchanged(rows)


def test_a_bad_token_gets_a_401(rows):
    client = Client(**bearer("mw_not-a-real-token"))
    for method, url, data in _reads(rows)[:1] + _computes(rows)[:1] + _writes(rows)[:1]:
        assert _call(client, method, url, data).status_code == 401


def test_outsiders_get_a_404_on_the_teams_rows_and_see_none_of_them(charlie_client, rows):
    for method, url, data in _reads(rows) + _writes(rows):
        if url.rstrip("/").split("/")[-1].isdigit() or url.endswith("move/"):
            assert _call(charlie_client, method, url, data).status_code == 404, (method, url)
    for url in ["/api/profiles/", "/api/usage-patterns/", "/api/evaluations/"]:
        assert charlie_client.get(url).json()["count"] == 0
    assert _call(charlie_client, *_computes(rows)[0]).status_code == 400  # not his team's profile
    assert _unchanged(rows)


def test_outsiders_cannot_name_the_team_either(charlie_client, rows):
    response = charlie_client.get("/api/profiles/?team=alpha")

    assert response.status_code == 404
    assert field_errors(response) == {"team": ["No team 'alpha' among your teams."]}


@pytest.mark.parametrize("who", ["bob_client", "read_client"])
def test_viewers_and_read_only_tokens_read_and_compute_but_every_write_is_a_403(request, who, rows):
    client = request.getfixturevalue(who)
    for method, url, data in _reads(rows) + _computes(rows):
        assert _call(client, method, url, data).status_code == 200, (who, method, url)
    for method, url, data in _writes(rows):
        assert _call(client, method, url, data).status_code == 403, (who, method, url)
    assert _unchanged(rows)


@pytest.mark.parametrize("who", ["carol_client", "alice_client", "write_client"])
def test_editors_owners_and_read_write_tokens_may_write(request, who, rows):
    client = request.getfixturevalue(who)
    for method, url, data in _reads(rows) + _computes(rows):
        assert _call(client, method, url, data).status_code == 200, (who, method, url)
    for method, url, data in _writes(rows):
        response = _call(client, method, url, data)
        assert response.status_code == _write_status(method, url), (who, method, url, response.content)
    assert not PriorityProfile.objects.filter(pk=rows["profile"]).exists()
    assert Evaluation.objects.count() == 2
