"""Migration pages: the owner's page and controls, htmx progress, suite import/export; outsiders get a
404, viewers and editors cannot steer."""

from __future__ import annotations

import json

import pytest

from probes.models import Probe, ProbeRound, ProbeSuite, RouteMigration
from probes.services import migration_apply_probe_round, migration_set_share, probe_round_run
from routing.models import ShareChange


@pytest.fixture
def route(route_factory):
    return route_factory(os_model="local-os", probes=24)


def page(team, route, suffix: str = "") -> str:
    return f"/t/{team.slug}/routes/{route.pk}/migration/{suffix}"


def test_the_page_shows_share_chart_results_side_by_side_and_history(alice_client, team, route):
    alice_client.post(page(team, route, "run/"))
    probe_round = ProbeRound.objects.get(route=route)
    probe_round_run(round_id=probe_round.pk)
    migration_apply_probe_round(round_id=probe_round.pk)
    html = alice_client.get(page(team, route)).content.decode()
    assert 'data-testid="share">10 %' in html
    assert 'id="quality-chart"' in html and 'id="quality-data"' in html
    assert "Run probes now" in html and "Roll back to 0 %" in html
    assert "exact reply 1" in html and "<pre>alpha</pre>" in html  # both outputs of a probe
    assert f"probe round {probe_round.pk}" in html
    probe_round.refresh_from_db()
    assert f"cost <strong>${probe_round.cost_usd:.6f}</strong>" in html


def test_htmx_run_returns_the_progress_fragment_that_polls(alice_client, team, route):
    response = alice_client.post(page(team, route, "run/"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    probe_round = ProbeRound.objects.get(route=route)
    assert 'id="round-progress"' in html and 'hx-trigger="every 1s"' in html
    assert "0 of 48 calls" in html
    probe_round_run(round_id=probe_round.pk)
    migration_apply_probe_round(round_id=probe_round.pk)
    poll = alice_client.get(
        page(team, route), {"fragment": "round", "round": probe_round.pk, "poll": 1}, HTTP_HX_REQUEST="true"
    )
    assert "48 of 48 calls" in poll.content.decode()
    assert poll["HX-Refresh"] == "true"


def test_owner_controls_from_the_page(alice_client, alice, team, route):
    alice_client.post(page(team, route, "set-share/"), {"share": 30, "reason": "canary"})
    assert ShareChange.objects.get(route=route).changed_by == alice
    alice_client.post(page(team, route, "pause/"))
    assert RouteMigration.objects.get(route=route).paused
    alice_client.post(page(team, route, "resume/"))
    assert not RouteMigration.objects.get(route=route).paused
    response = alice_client.post(page(team, route, "set-share/"), {"share": 130}, follow=True)
    assert "Share:" in response.content.decode()
    alice_client.post(page(team, route, "rollback/"))
    route.refresh_from_db()
    assert route.open_source_share == 0


def test_viewers_and_editors_see_but_cannot_steer(bob_client, carol_client, team, route):
    assert bob_client.get(page(team, route)).status_code == 200
    assert "Run probes now" not in bob_client.get(page(team, route)).content.decode()
    for client in (bob_client, carol_client):
        assert client.post(page(team, route, "run/")).status_code == 403
        assert client.post(page(team, route, "set-share/"), {"share": 50}).status_code == 403
    assert not ProbeRound.objects.exists()


def test_outsiders_get_404(charlie_client, team, route):
    assert charlie_client.get(page(team, route)).status_code == 404
    assert charlie_client.post(page(team, route, "run/")).status_code == 404
    assert charlie_client.get(f"/t/{team.slug}/routes/{route.pk}/probes/export/").status_code == 404


def test_suite_export_then_import_from_the_page(alice_client, team, route):
    export = alice_client.get(f"/t/{team.slug}/routes/{route.pk}/probes/export/")
    assert export["Content-Disposition"].startswith("attachment")
    data = json.loads(export.content)
    data["probes"] = data["probes"][:3]
    response = alice_client.post(f"/t/{team.slug}/routes/{route.pk}/probes/", {"text": json.dumps(data)})
    assert response.status_code == 302
    assert ProbeSuite.objects.get(route=route).probes.count() == 3


def test_a_bad_import_shows_the_errors(alice_client, bob_client, team, route):
    response = alice_client.post(f"/t/{team.slug}/routes/{route.pk}/probes/", {"text": "{not json"})
    assert response.status_code == 200 and "Not valid JSON" in response.content.decode()
    assert bob_client.post(f"/t/{team.slug}/routes/{route.pk}/probes/", {"text": "{}"}).status_code == 403


def test_the_list_page_shows_each_route_with_its_state(
    alice_client, team, route, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        # session, user, membership, routes with migration and suite, (messages)
        html = alice_client.get(f"/t/{team.slug}/migrations/").content.decode()
    assert route.name in html and "migrating" in html


SETTINGS = {
    "target_share": 60,
    "step": 5,
    "threshold": "0.9",
    "min_results": 30,
    "error_limit": "0.1",
    "max_failures": 2,
    "policy_mode": "article",
    "require_shadow": "on",
    "interval_minutes": 30,
}


def test_the_owner_changes_the_migration_settings_and_schedule_from_the_page(alice_client, team, route):
    html = alice_client.get(page(team, route)).content.decode()
    assert 'data-testid="settings-form"' in html and 'name="interval_minutes"' in html
    response = alice_client.post(page(team, route, "settings/"), SETTINGS)
    assert response.status_code == 302
    migration = RouteMigration.objects.select_related("schedule__interval").get(route=route)
    assert (migration.target_share, migration.step, migration.min_results, migration.max_failures) == (
        60,
        5,
        30,
        2,
    )
    assert (str(migration.threshold), str(migration.error_limit)) == ("0.900", "0.100")
    assert migration.policy_mode == "article" and migration.require_shadow
    assert migration.schedule.interval.every == 30 and migration.schedule.enabled
    # the API reads what the page wrote
    state = alice_client.get(f"/api/routes/{route.pk}/migration/").json()
    assert state["schedule_every_minutes"] == 30 and state["policy_mode"] == "article"


def test_settings_start_a_migration_on_a_route_that_is_not_migrating(alice_client, team, upstream):
    from tests.probes.conftest import make_route

    fresh = make_route(team, upstream, name="fresh")
    assert "Start migrating with these settings" in alice_client.get(page(team, fresh)).content.decode()
    assert alice_client.post(page(team, fresh, "settings/"), SETTINGS).status_code == 302
    migration = RouteMigration.objects.get(route=fresh)
    assert migration.target_share == 60 and migration.schedule.interval.every == 30


def test_bad_settings_show_field_errors_and_change_nothing(alice_client, team, route):
    bad = SETTINGS | {"threshold": "1.5", "step": 0, "interval_minutes": "soon", "policy_mode": "yolo"}
    response = alice_client.post(page(team, route, "settings/"), bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    for field in ("threshold", "step", "interval_minutes", "policy_mode"):
        error = f'id="id_{field}_error" role="alert">'
        assert error in html and f"{error}<" not in html
    migration = RouteMigration.objects.get(route=route)
    assert migration.threshold == RouteMigration._meta.get_field("threshold").default
    assert migration.step == 10


def test_viewers_and_editors_see_the_settings_read_only(bob_client, carol_client, team, route):
    for client in (bob_client, carol_client):
        html = client.get(page(team, route)).content.decode()
        assert 'data-testid="settings-read-only"' in html and 'data-testid="settings-form"' not in html
        assert "<dt>Quality threshold</dt><dd>0.850</dd>" in html
        assert "<dt>Run probes every</dt><dd>15 minutes</dd>" in html
        assert client.post(page(team, route, "settings/"), SETTINGS).status_code == 403
    assert RouteMigration.objects.get(route=route).target_share == 100


def test_outsiders_cannot_post_settings(charlie_client, team, route):
    assert charlie_client.post(page(team, route, "settings/"), SETTINGS).status_code == 404


def suite_page(team, route, suffix: str = "") -> str:
    return f"/t/{team.slug}/routes/{route.pk}/probes/{suffix}"


PROBE = {
    "name": "refund policy",
    "prompt": "What is the refund window?",
    "task_type": "extraction",
    "checks": json.dumps(
        [{"type": "contains", "value": "30 days", "weight": 2}, {"type": "regex", "pattern": r"\d+"}]
    ),
    "enabled": "on",
}


def test_an_editor_adds_edits_and_deletes_a_probe_from_the_suite_page(carol_client, team, route):
    assert "Add a probe" in carol_client.get(suite_page(team, route)).content.decode()
    response = carol_client.post(suite_page(team, route, "new/"), PROBE)
    assert response.status_code == 302
    probe = Probe.objects.get(suite__route=route, name="refund policy")
    assert probe.task_type == "extraction" and probe.enabled
    assert [(c["type"], c["weight"]) for c in probe.checks] == [("contains", 2), ("regex", 1)]
    assert ProbeSuite.objects.get(route=route).probes.count() == 25

    edit = suite_page(team, route, f"{probe.pk}/edit/")
    assert "30 days" in carol_client.get(edit).content.decode()
    changed = PROBE | {"prompt": "How long is the refund window?", "enabled": ""}
    assert carol_client.post(edit, changed).status_code == 302
    probe.refresh_from_db()
    assert probe.prompt == "How long is the refund window?" and not probe.enabled

    confirm = carol_client.get(suite_page(team, route, f"{probe.pk}/delete/")).content.decode()
    assert "Delete probe “refund policy”?" in confirm
    assert Probe.objects.filter(pk=probe.pk).exists()  # asking deletes nothing
    assert carol_client.post(suite_page(team, route, f"{probe.pk}/delete/")).status_code == 302
    assert not Probe.objects.filter(pk=probe.pk).exists()


def test_a_probe_form_shows_field_errors_from_the_checks_validation(alice_client, team, route):
    cases = {
        "not json": "Not valid JSON",
        "[]": "Give at least one check",
        '[{"type": "telepathy"}]': "Unknown check type",
        '[{"type": "contains", "value": "x", "weight": -1}]': "Check 1",
    }
    for checks, message in cases.items():
        response = alice_client.post(suite_page(team, route, "new/"), PROBE | {"checks": checks})
        assert response.status_code == 400, checks
        html = response.content.decode()
        assert 'id="id_checks_error" role="alert">' in html and message in html, checks
    response = alice_client.post(suite_page(team, route, "new/"), PROBE | {"prompt": "", "name": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_name_error" role="alert">' in html
    assert not Probe.objects.filter(name="refund policy").exists()
    existing = Probe.objects.filter(suite__route=route).first()
    response = alice_client.post(suite_page(team, route, "new/"), PROBE | {"name": existing.name})
    assert response.status_code == 400 and "already has a probe with this name" in response.content.decode()


def test_viewers_cannot_change_probes_and_outsiders_see_none(bob_client, charlie_client, team, route):
    probe = Probe.objects.filter(suite__route=route).first()
    assert "Add a probe" not in bob_client.get(suite_page(team, route)).content.decode()
    assert bob_client.post(suite_page(team, route, "new/"), PROBE).status_code == 403
    assert bob_client.post(suite_page(team, route, f"{probe.pk}/delete/")).status_code == 403
    assert charlie_client.get(suite_page(team, route, f"{probe.pk}/edit/")).status_code == 404
    assert charlie_client.post(suite_page(team, route, f"{probe.pk}/delete/")).status_code == 404
    assert Probe.objects.filter(pk=probe.pk).exists()


def test_a_probe_of_another_route_reads_as_missing(alice_client, team, route, upstream):
    from tests.probes.conftest import make_route

    other = make_route(team, upstream, name="other")
    probe = Probe.objects.filter(suite__route=route).first()
    assert alice_client.get(suite_page(team, other, f"{probe.pk}/edit/")).status_code == 404


def test_the_history_says_who_or_what_changed_the_share_in_words(alice_client, team, route):
    alice_client.post(page(team, route, "run/"))
    probe_round = ProbeRound.objects.get(route=route)
    probe_round_run(round_id=probe_round.pk)
    migration_apply_probe_round(round_id=probe_round.pk)
    alice_client.post(page(team, route, "set-share/"), {"share": 30, "reason": "canary"})
    migration_set_share(migration=RouteMigration.objects.get(route=route), share=20)  # no user: by hand
    html = alice_client.get(page(team, route)).content.decode()
    actors = [cell.split("</td>")[0] for cell in html.split('<td data-testid="history-actor">')[1:]]
    assert actors == ["set by hand", "alice", f"probe round {probe_round.pk}"]
    assert "(manual)" not in html and "(migration)" not in html
