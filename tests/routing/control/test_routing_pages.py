"""The routing page and its forms: who sees and changes what, another team's rows read as missing,
the key is never rendered back, and the page costs a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from routing.models import Backend, BackendHealth, Route, ShareChange, TeamBudget
from tests.routing.control.conftest import SECRET, log

pytestmark = pytest.mark.django_db

PAGE = "/t/alpha/routing/"


def test_the_page_shows_backends_routes_health_and_requests(
    alice_client, team, routes, proprietary, open_source
):
    BackendHealth.objects.create(backend=open_source, breaker_state="open", last_error="upstream timed out")
    log(team, at=timezone.now(), route=routes[1], backend=open_source, task_type="summary")
    body = alice_client.get(PAGE).content.decode()
    assert "OpenAI" in body and "Llama on A100" in body
    assert "Skipped (cooling down)" in body and "upstream timed out" in body
    assert "complex-tasks" in body and "analysis, reasoning, creative" in body
    assert 'data-testid="log-row"' in body
    assert SECRET not in body and proprietary.api_key_encrypted not in body


def test_viewers_read_without_controls_and_cannot_write(bob_client, routes, proprietary):
    body = bob_client.get(PAGE).content.decode()
    assert "complex-tasks" in body
    assert "share-form-" not in body and "Add a backend" not in body and "budget-form" not in body
    assert (
        bob_client.post(f"{PAGE}routes/{routes[0].pk}/share/", {"open_source_share": 50}).status_code == 403
    )
    assert bob_client.get(f"{PAGE}backends/new/").status_code == 403
    assert bob_client.get(f"{PAGE}routes/{routes[0].pk}/edit/").status_code == 403
    assert bob_client.post(f"{PAGE}budget/", {"monthly_limit_usd": "5"}).status_code == 403
    assert bob_client.post(f"{PAGE}backends/{proprietary.pk}/delete/").status_code == 403
    assert Route.objects.get(pk=routes[0].pk).open_source_share == 0


def test_outsiders_get_a_404(charlie_client, routes, proprietary):
    for url in (PAGE, f"{PAGE}backends/{proprietary.pk}/edit/", f"{PAGE}routes/{routes[0].pk}/edit/"):
        assert charlie_client.get(url).status_code == 404
    assert (
        charlie_client.post(f"{PAGE}routes/{routes[0].pk}/share/", {"open_source_share": 5}).status_code
        == 404
    )


def test_another_teams_rows_read_as_missing(alice_client, charlies_route, charlies_backend, other_team):
    log(other_team, at=timezone.now(), route=charlies_route, backend=charlies_backend)
    assert alice_client.get(f"{PAGE}backends/{charlies_backend.pk}/edit/").status_code == 404
    assert alice_client.get(f"{PAGE}routes/{charlies_route.pk}/edit/").status_code == 404
    assert (
        alice_client.post(f"{PAGE}routes/{charlies_route.pk}/share/", {"open_source_share": 5}).status_code
        == 404
    )
    assert alice_client.post(f"{PAGE}routes/{charlies_route.pk}/delete/").status_code == 404
    body = alice_client.get(PAGE).content.decode()
    assert "Charlie" not in body
    # Not offered in the route form either, and refused when posted anyway.
    form_page = alice_client.get(f"{PAGE}routes/new/").content.decode()
    assert "Charlie" not in form_page
    response = alice_client.post(
        f"{PAGE}routes/new/",
        {
            "name": "stolen",
            "proprietary_backend": charlies_backend.pk,
            "open_source_share": 0,
            "shadow_rate": "0",
        },
    )
    assert response.status_code == 400 and not Route.objects.filter(name="stolen").exists()


def test_an_owner_sets_a_share_and_sees_it_recorded(alice, alice_client, routes):
    route = routes[0]
    response = alice_client.post(
        f"{PAGE}routes/{route.pk}/share/",
        {"open_source_share": "20", "reason": "Probe looks good"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="routes",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "0 % → 20 %" in body and "Probe looks good" in body and "alice" in body
    change = ShareChange.objects.filter(route=route).first()
    assert (change.to_share, change.changed_by) == (20, alice)
    bad = alice_client.post(f"{PAGE}routes/{route.pk}/share/", {"open_source_share": "120"})
    assert bad.status_code == 302 and Route.objects.get(pk=route.pk).open_source_share == 20


def test_backend_form_never_renders_the_key_and_a_blank_key_keeps_it(alice_client, proprietary):
    url = f"{PAGE}backends/{proprietary.pk}/edit/"
    body = alice_client.get(url).content.decode()
    assert SECRET not in body and proprietary.api_key_encrypted not in body
    assert 'name="api_key"' in body and 'type="password"' in body
    stored = proprietary.api_key_encrypted
    data = {
        "name": "OpenAI",
        "kind": "proprietary",
        "protocol": "openai",
        "base_url": "https://api.openai.com/v1",
        "upstream_model": "gpt-4-turbo",
        "catalog_model": proprietary.catalog_model_id,
        "connect_timeout_s": "5",
        "timeout_s": "30",
        "enabled": "on",
        "api_key_env": "",
        "api_key": "",
    }
    assert alice_client.post(url, data).status_code == 302
    proprietary.refresh_from_db()
    assert proprietary.api_key_encrypted == stored and proprietary.timeout_s == Decimal("30")
    # An invalid post shows errors but never echoes the key that was typed.
    response = alice_client.post(url, {**data, "api_key": "sk-typed-secret", "timeout_s": "0"})
    assert response.status_code == 400 and "sk-typed-secret" not in response.content.decode()


def test_create_a_backend_on_the_page(carol_client, team, gpt4):
    response = carol_client.post(
        f"{PAGE}backends/new/",
        {
            "name": "GPT",
            "kind": "proprietary",
            "protocol": "openai",
            "base_url": "https://api.openai.com/v1",
            "catalog_model": gpt4.pk,
            "connect_timeout_s": "5",
            "timeout_s": "60",
            "enabled": "on",
            "api_key": SECRET,
        },
    )
    assert response.status_code == 302
    assert Backend.objects.get(team=team, name="GPT").has_api_key


def test_defaults_from_the_page(alice_client, team, proprietary, open_source):
    assert 'data-testid="defaults-form"' in alice_client.get(PAGE).content.decode()
    alice_client.post(
        f"{PAGE}routes/defaults/",
        {"proprietary_backend": proprietary.pk, "open_source_backend": open_source.pk},
    )
    assert list(Route.objects.filter(team=team).values_list("name", "open_source_share")) == [
        ("default", 100),
        ("complex-tasks", 0),
    ]


def test_route_form_shows_field_errors(alice_client, routes, proprietary):
    response = alice_client.post(
        f"{PAGE}routes/new/",
        {
            "name": "dup",
            "task_types": "analysis, bad type",
            "proprietary_backend": proprietary.pk,
            "open_source_share": "0",
            "shadow_rate": "0",
        },
    )
    assert response.status_code == 400
    assert "is not a task type" in response.content.decode()


def test_only_owners_set_the_budget(alice_client, carol_client, team):
    assert carol_client.post(f"{PAGE}budget/", {"monthly_limit_usd": "10"}).status_code == 403
    assert alice_client.post(f"{PAGE}budget/", {"monthly_limit_usd": "250.50"}).status_code == 302
    assert TeamBudget.objects.get(team=team).monthly_limit_usd == Decimal("250.50")
    assert "of $250.50" in alice_client.get(PAGE).content.decode()
    alice_client.post(f"{PAGE}budget/", {"monthly_limit_usd": "-3"})
    assert TeamBudget.objects.get(team=team).monthly_limit_usd == Decimal("250.50")


def test_request_log_fragment_filters_and_paginates(alice_client, team, routes, proprietary, open_source):
    now = timezone.now()
    for i in range(30):
        log(team, at=now - timedelta(minutes=i), route=routes[1], backend=open_source, task_type="summary")
    log(team, at=now, route=routes[0], backend=proprietary, task_type="analysis", status_code=502)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "request-log"}
    response = alice_client.get(f"{PAGE}?task_type=analysis", **htmx)
    assert response.content.decode().count('data-testid="log-row"') == 1
    response = alice_client.get(f"{PAGE}?status=error&route={routes[0].pk}", **htmx)
    assert response.content.decode().count('data-testid="log-row"') == 1
    response = alice_client.get(f"{PAGE}?backend={open_source.pk}&page=2", **htmx)
    assert response.content.decode().count('data-testid="log-row"') == 5
    assert "Page 2 of 2" in response.content.decode()
    assert alice_client.get(f"{PAGE}?since=not-a-date").status_code == 200


def test_page_uses_a_fixed_number_of_queries(
    alice_client, team, routes, proprietary, open_source, django_assert_num_queries
):
    now = timezone.now()
    for i in range(40):
        log(team, at=now - timedelta(minutes=i), route=routes[1], backend=open_source)
    BackendHealth.objects.create(backend=open_source)
    # 1 session, 2 user, 3 membership with team, 4 backends with health and catalog model,
    # 5 routes with backends, 6 activity per backend, 7 rolled-up watermark, 8 raw logs of the
    # month (no rollups yet, so no rollup sum), 9 budget, 10 routes' proprietary prices,
    # 11 open-source instances, 12 share history, 13 log count, 14 the page of logs, 15 chart rollups
    with django_assert_num_queries(15):
        response = alice_client.get(PAGE)
    assert response.content.decode().count('data-testid="log-row"') == 25


def test_route_this_pair_with_backends_in_place_goes_to_a_prefilled_form(
    alice_client, proprietary, open_source, gpt4, llama
):
    response = alice_client.get(
        f"{PAGE}routes/pair/?proprietary_model={gpt4.pk}&open_source_model={llama.pk}"
    )
    assert response.status_code == 302
    form_page = alice_client.get(response["Location"])
    form = form_page.context["form"]
    assert form.initial["proprietary_backend"] == str(proprietary.pk)
    assert form.initial["open_source_backend"] == str(open_source.pk)
    assert form.initial["name"] == "llama-2-70b-or-gpt-4-turbo"


def test_route_this_pair_asks_for_missing_backends(alice_client, team, gpt4, llama):
    url = f"{PAGE}routes/pair/?proprietary_model={gpt4.pk}&open_source_model={llama.pk}"
    body = alice_client.get(url).content.decode()
    assert 'data-testid="pair-proprietary"' in body and 'data-testid="pair-open_source"' in body
    response = alice_client.post(
        f"{PAGE}routes/pair/",
        {
            "proprietary_model": gpt4.pk,
            "open_source_model": llama.pk,
            "proprietary-base_url": "https://api.openai.com/v1",
            "proprietary-protocol": "openai",
            "proprietary-api_key": SECRET,
            "open_source-base_url": "not a url",
            "open_source-protocol": "openai",
        },
    )
    assert response.status_code == 400 and not Backend.objects.filter(team=team).exists()
    assert SECRET not in response.content.decode()
    response = alice_client.post(
        f"{PAGE}routes/pair/",
        {
            "proprietary_model": gpt4.pk,
            "open_source_model": llama.pk,
            "proprietary-base_url": "https://api.openai.com/v1",
            "proprietary-protocol": "openai",
            "proprietary-api_key": SECRET,
            "open_source-base_url": "http://llama.internal/v1",
            "open_source-protocol": "openai",
        },
    )
    assert response.status_code == 302
    names = dict(Backend.objects.filter(team=team).values_list("catalog_model__name", "kind"))
    assert names == {"GPT-4 Turbo": "proprietary", "Llama 2 70B": "open_source"}


def test_route_this_pair_link_on_the_cost_report(alice_client, bob_client, article_catalog):
    from evaluations.services import usage_pattern_create
    from portal.models import Team

    usage_pattern_create(
        team=Team.objects.get(slug="alpha"),
        name="Traffic",
        daily_requests=10_000,
        avg_input_tokens=500,
        avg_output_tokens=1_000,
        peak_concurrent=50,
        days_per_month=30,
    )
    body = alice_client.get("/t/alpha/cost-report/").content.decode()
    assert 'data-testid="route-pair"' in body and "/t/alpha/routing/routes/pair/?" in body
    assert 'data-testid="route-pair"' not in bob_client.get("/t/alpha/cost-report/").content.decode()


def _money(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}">') + len(f'data-testid="{testid}">')
    return body[start : body.index("<", start)].strip()


def test_priced_figures_below_a_cent_read_less_than_a_cent_not_zero(alice_client, team, routes, proprietary):
    body = alice_client.get(PAGE).content.decode()
    assert [_money(body, t) for t in ("spend-figure", "api-spend", "all-proprietary")] == ["$0.00"] * 3
    log(team, at=timezone.now(), route=routes[0], backend=proprietary, cost_usd=Decimal("0.004"))
    body = alice_client.get(PAGE).content.decode()
    assert [_money(body, t) for t in ("spend-figure", "api-spend", "all-proprietary")] == ["&lt; $0.01"] * 3
    log(team, at=timezone.now(), route=routes[0], backend=proprietary, cost_usd=Decimal("0.002"))
    body = alice_client.get(PAGE).content.decode()
    assert [_money(body, t) for t in ("spend-figure", "api-spend", "all-proprietary")] == ["$0.01"] * 3
