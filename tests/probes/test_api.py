"""The probes API: migration state and owner controls, suites (import/export), probes, rounds and
results; another team's ids are missing, viewers and read-only tokens cannot write."""

from __future__ import annotations

import pytest

from probes.models import Probe, ProbeRound, ProbeSuite
from probes.services import migration_apply_probe_round, probe_round_run
from routing.models import ShareChange
from tests.api_errors import field_errors
from tests.probes.conftest import make_route


def url(route, action: str = "") -> str:
    return f"/api/routes/{route.pk}/migration/{action + '/' if action else ''}"


@pytest.fixture
def route(route_factory):
    return route_factory(os_model="local-os", probes=24)


def test_the_state_shows_share_target_latest_round_with_results_and_history(alice_client, route):
    response = alice_client.post(url(route, "run-round"))
    assert response.status_code == 202
    round_id = response.json()["round"]
    probe_round_run(round_id=round_id)
    migration_apply_probe_round(round_id=round_id)

    state = alice_client.get(url(route)).json()
    assert state["open_source_share"] == 10 and state["target_share"] == 100 and state["paused"] is False
    latest = state["latest_round"]
    assert latest["id"] == round_id and latest["status"] == "done"
    assert latest["backends"]["open_source"]["mean"] == 1.0
    assert latest["backends"]["open_source"]["low"] >= 0.85
    assert len(latest["results"]) == 48
    assert {"output", "checks", "score", "latency_ms", "cost_usd"} <= set(latest["results"][0])
    assert state["history"][0]["from_share"] == 0 and state["history"][0]["to_share"] == 10
    assert state["history"][0]["probe_round"] == round_id


def test_owner_controls(alice_client, alice, route):
    assert (
        alice_client.post(url(route, "set-share"), {"share": 40, "reason": "canary"}).json()[
            "open_source_share"
        ]
        == 40
    )
    assert ShareChange.objects.get(route=route).changed_by == alice
    assert alice_client.post(url(route, "pause")).json()["paused"] is True
    assert alice_client.post(url(route, "resume")).json()["paused"] is False
    rolled = alice_client.post(url(route, "rollback"), {"reason": "bad answers"}).json()
    assert rolled["open_source_share"] == 0 and rolled["paused"] is True
    assert rolled["history"][0]["reason"] == "bad answers"


def test_bad_input_is_a_field_error(alice_client, route):
    response = alice_client.post(url(route, "set-share"), {"share": 101}, content_type="application/json")
    assert response.status_code == 400 and "share" in field_errors(response)
    response = alice_client.patch(url(route), {"threshold": "1.5"}, content_type="application/json")
    assert response.status_code == 400 and "threshold" in field_errors(response)


def test_settings_start_or_change_a_migration(alice_client, team, upstream):
    plain = make_route(team, upstream, name="plain")
    assert alice_client.get(url(plain)).json()["migrating"] is False
    assert alice_client.post(url(plain, "pause")).status_code == 404
    state = alice_client.patch(
        url(plain), {"policy_mode": "article", "step": 20}, content_type="application/json"
    ).json()
    assert state["migrating"] is True and state["policy_mode"] == "article" and state["step"] == 20
    assert state["schedule_every_minutes"] == 15
    state = alice_client.patch(url(plain), {"interval_minutes": 45}, content_type="application/json").json()
    assert state["schedule_every_minutes"] == 45 and state["step"] == 20
    response = alice_client.patch(url(plain), {"interval_minutes": 0}, content_type="application/json")
    assert response.status_code == 400 and "interval_minutes" in field_errors(response)


def test_viewers_editors_and_read_only_tokens_cannot_steer(
    bob_client, carol_client, client, read_token, route
):
    for action in ("pause", "resume", "rollback", "run-round"):
        assert bob_client.post(url(route, action)).status_code == 403
        assert carol_client.post(url(route, action)).status_code == 403
        assert client.post(url(route, action), HTTP_AUTHORIZATION=f"Bearer {read_token}").status_code == 403
    assert bob_client.get(url(route)).status_code == 200


def test_a_read_write_token_can_steer(client, write_token, route):
    response = client.post(url(route, "run-round"), HTTP_AUTHORIZATION=f"Bearer {write_token}")
    assert response.status_code == 202
    assert ProbeRound.objects.filter(pk=response.json()["round"], route=route).exists()


def test_another_teams_route_is_missing(charlie_client, route):
    assert charlie_client.get(url(route)).status_code == 404
    assert charlie_client.post(url(route, "set-share"), {"share": 50}).status_code == 404
    assert charlie_client.post(url(route, "run-round")).status_code == 404
    suite = ProbeSuite.objects.get(route=route)
    assert charlie_client.get(f"/api/probe-suites/{suite.pk}/").status_code == 404
    assert charlie_client.get(f"/api/probe-suites/{suite.pk}/export/").status_code == 404
    assert charlie_client.get("/api/probes/").json()["count"] == 0
    response = charlie_client.post(
        "/api/probe-suites/import/",
        {"route": route.pk, "suite": {"probes": []}},
        content_type="application/json",
    )
    assert response.status_code == 400 and "route" in field_errors(response)


def test_suites_export_and_import_round_trip(alice_client, route, team, upstream):
    suite = ProbeSuite.objects.get(route=route)
    exported = alice_client.get(f"/api/probe-suites/{suite.pk}/export/").json()
    assert exported["format"] == "modelwise.probe-suite/1" and len(exported["probes"]) == 24
    other = make_route(team, upstream, name="other")
    response = alice_client.post(
        "/api/probe-suites/import/", {"route": other.pk, "suite": exported}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["probe_count"] == 24
    copy = ProbeSuite.objects.get(route=other)
    assert alice_client.get(f"/api/probe-suites/{copy.pk}/export/").json()["probes"] == exported["probes"]


def test_an_invalid_import_names_the_probe_and_field_and_changes_nothing(alice_client, route):
    suite = ProbeSuite.objects.get(route=route)
    bad = {
        "probes": [
            {"name": "ok", "prompt": "hi", "checks": [{"type": "json"}]},
            {"name": "broken", "prompt": "hi", "checks": [{"type": "regex", "pattern": "("}]},
        ]
    }
    response = alice_client.post(
        "/api/probe-suites/import/", {"route": route.pk, "suite": bad}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "probes[1].checks[0].pattern" in field_errors(response)
    assert Probe.objects.filter(suite=suite).count() == 24


def test_probes_are_created_with_validated_checks(alice_client, carol_client, bob_client, route):
    suite = ProbeSuite.objects.get(route=route)
    body = {
        "suite": suite.pk,
        "name": "capital",
        "prompt": "Capital of France?",
        "checks": [{"type": "contains", "value": "paris", "case_insensitive": True}],
    }
    assert carol_client.post("/api/probes/", body, content_type="application/json").status_code == 201
    assert (
        bob_client.post("/api/probes/", body | {"name": "x"}, content_type="application/json").status_code
        == 403
    )
    bad = body | {"name": "bad", "checks": [{"type": "number", "value": "four"}]}
    response = alice_client.post("/api/probes/", bad, content_type="application/json")
    assert response.status_code == 400 and "checks[0].value" in field_errors(response)
    duplicate = alice_client.post("/api/probes/", body, content_type="application/json")
    assert duplicate.status_code == 400 and "name" in field_errors(duplicate)


def test_rounds_and_results_list_for_the_team(alice_client, charlie_client, route, django_assert_num_queries):
    response = alice_client.post(url(route, "run-round"))
    probe_round_run(round_id=response.json()["round"])
    rounds = alice_client.get(f"/api/probe-rounds/?route={route.pk}").json()
    assert rounds["count"] == 1 and rounds["results"][0]["done_calls"] == 48
    results = alice_client.get(
        f"/api/probe-results/?round={rounds['results'][0]['id']}&backend_kind=open_source"
    )
    assert results.json()["count"] == 24
    assert charlie_client.get(f"/api/probe-rounds/{rounds['results'][0]['id']}/").status_code == 404
    with django_assert_num_queries(5):
        # session, user, membership (team), count, page of results
        alice_client.get(f"/api/probe-results/?route={route.pk}")


def test_the_endpoints_are_in_the_openapi_schema():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for action in ("", "pause/", "resume/", "set-share/", "rollback/", "run-round/"):
        assert f"/api/routes/{{route_id}}/migration/{action}" in paths
    for endpoint in ("probe-suites", "probes", "probe-rounds", "probe-results"):
        assert f"/api/{endpoint}/" in paths
    assert "/api/probe-suites/import/" in paths and "/api/probe-suites/{id}/export/" in paths
    assert "202" in paths["/api/routes/{route_id}/migration/run-round/"]["post"]["responses"]
