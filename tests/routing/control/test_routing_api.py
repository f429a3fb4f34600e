"""/api/backends/, /api/routes/ and /api/requests/: writes for editors, owners and read-write tokens;
reads for viewers and read-only tokens; another team's ids read as missing; the key never comes back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from routing.models import Backend, Route, ShareChange
from tests.api_errors import field_errors
from tests.routing.control.conftest import SECRET, bearer, log

pytestmark = pytest.mark.django_db


def post(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


def patch(client, url, data, **extra):
    return client.patch(url, data, content_type="application/json", **extra)


def test_create_a_backend_with_a_key_that_never_comes_back(alice_client, gpt4):
    response = post(
        alice_client,
        "/api/backends/",
        {
            "name": "OpenAI",
            "kind": "proprietary",
            "base_url": "https://api.openai.com/v1",
            "upstream_model": "gpt-4-turbo",
            "catalog_model": gpt4.pk,
            "api_key": SECRET,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_api_key"] is True and "api_key" not in body
    assert SECRET not in response.content.decode()
    backend = Backend.objects.get(pk=body["id"])
    assert backend.has_api_key and SECRET not in backend.api_key_encrypted
    listing = alice_client.get("/api/backends/")
    detail = alice_client.get(f"/api/backends/{backend.pk}/")
    for page in (listing, detail):
        assert SECRET not in page.content.decode()
        assert backend.api_key_encrypted not in page.content.decode()


def test_backend_validation_errors_name_the_field(alice_client, llama):
    response = post(
        alice_client,
        "/api/backends/",
        {
            "name": "X",
            "kind": "proprietary",
            "base_url": "nope",
            "catalog_model": llama.pk,
            "api_key_env": "bad name",
        },
    )
    assert response.status_code == 400 and "base_url" in field_errors(response)
    response = post(
        alice_client,
        "/api/backends/",
        {"name": "X", "kind": "proprietary", "base_url": "https://x.example/v1", "api_key_env": "bad name"},
    )
    assert response.status_code == 400 and "api_key_env" in field_errors(response)
    response = post(
        alice_client,
        "/api/backends/",
        {"name": "X", "kind": "proprietary", "base_url": "https://x.example/v1", "catalog_model": llama.pk},
    )
    assert response.status_code == 400 and "catalog_model" in field_errors(response)
    assert not Backend.objects.exists()


def test_a_blank_key_on_patch_keeps_the_stored_one(alice_client, proprietary):
    stored = proprietary.api_key_encrypted
    response = patch(alice_client, f"/api/backends/{proprietary.pk}/", {"api_key": "", "enabled": False})
    assert response.status_code == 200
    proprietary.refresh_from_db()
    assert proprietary.api_key_encrypted == stored and not proprietary.enabled


def test_create_routes_and_refuse_a_taken_task_type(alice_client, proprietary, open_source):
    response = post(
        alice_client,
        "/api/routes/",
        {
            "name": "summaries",
            "task_types": ["summary"],
            "proprietary_backend": proprietary.pk,
            "open_source_backend": open_source.pk,
            "open_source_share": 40,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["open_source_share"] == 40
    again = post(
        alice_client,
        "/api/routes/",
        {"name": "other", "task_types": ["summary"], "proprietary_backend": proprietary.pk},
    )
    assert again.status_code == 400
    assert field_errors(again) == {"task_types": ["“summary” is already routed by summaries."]}


def test_another_teams_backend_cannot_be_used_in_a_route(alice_client, charlies_backend):
    response = post(alice_client, "/api/routes/", {"name": "r", "proprietary_backend": charlies_backend.pk})
    assert response.status_code == 400 and "proprietary_backend" in field_errors(response)
    assert not Route.objects.filter(name="r").exists()


def test_setting_the_share_by_hand_is_recorded(alice, alice_client, routes):
    route = routes[0]
    response = post(
        alice_client, f"/api/routes/{route.pk}/share/", {"open_source_share": 25, "reason": "Trial"}
    )
    assert response.status_code == 200 and response.json()["open_source_share"] == 25
    change = ShareChange.objects.filter(route=route).first()
    assert (change.from_share, change.to_share, change.changed_by, change.reason) == (0, 25, alice, "Trial")
    response = patch(alice_client, f"/api/routes/{route.pk}/", {"open_source_share": 35})
    assert response.status_code == 200
    assert ShareChange.objects.filter(route=route).first().to_share == 35
    history = alice_client.get(f"/api/routes/{route.pk}/history/").json()
    assert [(c["from_share"], c["to_share"]) for c in history["results"]] == [(25, 35), (0, 25), (0, 0)]
    assert history["results"][0]["changed_by"] == "alice"


def test_bad_share_is_a_400(alice_client, routes):
    route = routes[0]
    assert post(alice_client, f"/api/routes/{route.pk}/share/", {"open_source_share": 101}).status_code == 400
    assert (
        post(alice_client, f"/api/routes/{route.pk}/share/", {"open_source_share": "lots"}).status_code == 400
    )
    assert Route.objects.get(pk=route.pk).open_source_share == 0


def test_defaults_endpoint_creates_the_articles_routes(alice_client, proprietary, open_source):
    response = post(
        alice_client,
        "/api/routes/defaults/",
        {"proprietary_backend": proprietary.pk, "open_source_backend": open_source.pk},
    )
    assert response.status_code == 201
    assert [(r["name"], r["task_types"], r["open_source_share"]) for r in response.json()] == [
        ("complex-tasks", ["analysis", "reasoning", "creative"], 0),
        ("default", [], 100),
    ]
    assert (
        post(
            alice_client,
            "/api/routes/defaults/",
            {"proprietary_backend": proprietary.pk, "open_source_backend": open_source.pk},
        ).status_code
        == 400
    )


def test_viewers_and_read_tokens_read_but_cannot_write(bob_client, client, read_token, routes, proprietary):
    for caller, extra in ((bob_client, {}), (client, bearer(read_token))):
        assert caller.get("/api/routes/", **extra).status_code == 200
        assert caller.get("/api/backends/", **extra).status_code == 200
        assert caller.get("/api/requests/", **extra).status_code == 200
        assert (
            post(caller, f"/api/routes/{routes[0].pk}/share/", {"open_source_share": 50}, **extra).status_code
            == 403
        )
        assert (
            patch(caller, f"/api/backends/{proprietary.pk}/", {"enabled": False}, **extra).status_code == 403
        )
        assert caller.delete(f"/api/routes/{routes[0].pk}/", **extra).status_code == 403
    assert Route.objects.get(pk=routes[0].pk).open_source_share == 0


def test_editors_and_write_tokens_write(carol_client, client, write_token, routes):
    assert (
        post(carol_client, f"/api/routes/{routes[0].pk}/share/", {"open_source_share": 10}).status_code == 200
    )
    response = post(
        client, f"/api/routes/{routes[0].pk}/share/", {"open_source_share": 20}, **bearer(write_token)
    )
    assert response.status_code == 200
    assert Route.objects.get(pk=routes[0].pk).open_source_share == 20


def test_another_teams_rows_are_404_everywhere(alice_client, charlies_route, charlies_backend, other_team):
    entry = log(other_team, at=timezone.now(), route=charlies_route, backend=charlies_backend)
    for url in (
        f"/api/backends/{charlies_backend.pk}/",
        f"/api/routes/{charlies_route.pk}/",
        f"/api/routes/{charlies_route.pk}/history/",
        f"/api/requests/{entry.pk}/",
    ):
        assert alice_client.get(url).status_code == 404, url
    assert patch(alice_client, f"/api/backends/{charlies_backend.pk}/", {"enabled": False}).status_code == 404
    assert (
        post(alice_client, f"/api/routes/{charlies_route.pk}/share/", {"open_source_share": 0}).status_code
        == 404
    )
    assert alice_client.delete(f"/api/routes/{charlies_route.pk}/").status_code == 404
    assert alice_client.get("/api/requests/").json()["count"] == 0
    assert alice_client.get(f"/api/requests/?route={charlies_route.pk}").json()["count"] == 0


def test_outsiders_and_anonymous_callers(charlie_client, client, routes):
    assert charlie_client.get(f"/api/routes/{routes[0].pk}/").status_code == 404
    assert client.get("/api/routes/").status_code == 401


def test_request_log_filters(alice_client, team, routes, proprietary, open_source):
    now = timezone.now()
    complex_route, default_route = routes
    log(team, at=now - timedelta(hours=3), route=complex_route, backend=proprietary, task_type="analysis")
    log(team, at=now - timedelta(hours=2), route=default_route, backend=open_source, status_code=502)
    log(team, at=now - timedelta(hours=1), route=default_route, backend=open_source, is_shadow=True)

    def ids(query: str) -> int:
        response = alice_client.get(f"/api/requests/?{query}")
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert ids("") == 3
    assert ids(f"route={complex_route.pk}") == 1
    assert ids(f"backend={open_source.pk}") == 2
    assert ids("task_type=analysis") == 1
    assert ids("status=error") == 1
    assert ids("status_code=502") == 1
    assert ids("shadow=true") == 1
    since = (now - timedelta(hours=2, minutes=30)).isoformat().replace("+00:00", "Z")
    assert ids(f"since={since}") == 2
    assert alice_client.get("/api/requests/?since=yesterday").status_code == 400
    assert alice_client.get("/api/requests/?status=maybe").status_code == 400
    assert alice_client.get(f"/api/requests/?route={10**30}").status_code == 400
    assert alice_client.get("/api/requests/?status_code=99999").status_code == 400
    # An odd but valid offset is normalised to UTC before it reaches the database.
    assert alice_client.get("/api/requests/?since=0101-02-22T07:38:52.9-21:55").status_code == 200
    assert alice_client.get("/api/requests/?since=0001-01-01T00:00:00%2B01:00").status_code == 400


def test_request_log_is_paginated_with_a_fixed_number_of_queries(
    alice_client, team, routes, proprietary, django_assert_num_queries
):
    now = timezone.now()
    for i in range(60):
        log(
            team,
            at=now - timedelta(minutes=i),
            route=routes[1],
            backend=proprietary,
            cost_usd=Decimal("0.01"),
        )
    # 1 session, 2 user, 3 membership with team, 4 count, 5 the page of logs
    with django_assert_num_queries(5):
        body = alice_client.get("/api/requests/").json()
    assert body["count"] == 60 and len(body["results"]) == 50


def test_backend_and_route_lists_use_a_fixed_number_of_queries(
    alice_client, team, routes, proprietary, django_assert_num_queries
):
    from routing.services import backend_create

    for i in range(5):
        backend_create(
            team=team, name=f"Extra {i}", kind="open_source", base_url=f"http://gpu{i}.internal/v1"
        )
    # 1 session, 2 user, 3 membership with team, 4 count, 5 the page of backends with their health
    with django_assert_num_queries(5):
        assert alice_client.get("/api/backends/").json()["count"] == 7
    # 1 session, 2 user, 3 membership with team, 4 count, 5 the page of routes
    with django_assert_num_queries(5):
        assert alice_client.get("/api/routes/").json()["count"] == 2
