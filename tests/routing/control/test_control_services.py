"""Routing writes as specifications: the backend's write-only key, the rules a team's routes keep
together, the article's defaults, budgets, and the configuration version the gateway watches."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from routing.keys import api_key_resolve
from routing.models import Backend, ConfigVersion, Route, ShareChange, TeamBudget
from routing.services import (
    backend_create,
    backend_delete,
    backend_update,
    budget_set,
    route_create,
    route_delete,
    route_set_share,
    route_update,
    routing_defaults_create,
)
from tests.routing.control.conftest import SECRET

pytestmark = pytest.mark.django_db


def version() -> int:
    row = ConfigVersion.objects.filter(pk=1).first()
    return row.version if row else 0


def errors_of(call, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


# --- Backends -------------------------------------------------------------------------------------


def test_a_backend_key_is_stored_encrypted_and_resolves_to_the_key(proprietary):
    stored = Backend.objects.get(pk=proprietary.pk)
    assert SECRET not in stored.api_key_encrypted
    assert stored.has_api_key
    assert api_key_resolve(encrypted=stored.api_key_encrypted, env_name="") == SECRET


def test_a_blank_key_on_update_keeps_the_stored_one(proprietary):
    before = Backend.objects.get(pk=proprietary.pk).api_key_encrypted
    backend_update(backend=proprietary, api_key="", name="OpenAI EU")
    after = Backend.objects.get(pk=proprietary.pk)
    assert after.name == "OpenAI EU" and after.api_key_encrypted == before


def test_a_new_key_replaces_the_old_and_clearing_removes_it(proprietary):
    backend_update(backend=proprietary, api_key="sk-new")
    assert api_key_resolve(encrypted=proprietary.api_key_encrypted, env_name="") == "sk-new"
    backend_update(backend=proprietary, clear_api_key=True)
    assert not Backend.objects.get(pk=proprietary.pk).has_api_key


def test_an_environment_variable_name_replaces_a_stored_key(proprietary):
    backend_update(backend=proprietary, api_key_env="OPENAI_API_KEY")
    stored = Backend.objects.get(pk=proprietary.pk)
    assert stored.api_key_encrypted == "" and stored.api_key_env == "OPENAI_API_KEY"


def test_backend_validation_names_the_field(team, gpt4, llama):
    base = {"team": team, "name": "B", "kind": "proprietary", "base_url": "https://x.example/v1"}
    assert "base_url" in errors_of(backend_create, **{**base, "base_url": "not a url"})
    assert "kind" in errors_of(backend_create, **{**base, "kind": "closed"})
    assert "protocol" in errors_of(backend_create, **{**base, "protocol": "grpc"})
    assert "api_key_env" in errors_of(backend_create, **{**base, "api_key_env": "lower-case"})
    assert "api_key" in errors_of(backend_create, **{**base, "api_key": "k", "api_key_env": "KEY"})
    assert "catalog_model" in errors_of(backend_create, **{**base, "catalog_model": llama})
    assert "connect_timeout_s" in errors_of(
        backend_create, **{**base, "connect_timeout_s": Decimal("30"), "timeout_s": Decimal("10")}
    )
    assert "timeout_s" in errors_of(backend_create, **{**base, "timeout_s": Decimal("0")})
    assert "base_url" in errors_of(
        backend_create, **{**base, "base_url": "https://x.example/v1/chat/completions"}
    )
    backend_create(**base)
    assert errors_of(backend_create, **base) == {"name": ["This team already has a backend with this name."]}
    assert Backend.objects.filter(team=team).count() == 1


# Real commits (no test transaction around them): the bump comes after each write's commit, once.
@pytest.mark.django_db(transaction=True)
def test_writes_bump_the_configuration_version_once_each_after_commit(team, gpt4):
    start = version()
    backend = backend_create(team=team, name="B", kind="proprietary", base_url="https://x.example/v1")
    assert version() == start + 1
    backend_update(backend=backend, enabled=False)
    assert version() == start + 2
    budget_set(team=team, monthly_limit_usd=Decimal("100"))
    assert version() == start + 3
    backend_delete(backend=backend)
    assert version() == start + 4


@pytest.mark.django_db(transaction=True)
def test_a_write_that_rolls_back_bumps_nothing(team, gpt4):
    start = version()
    with pytest.raises(RuntimeError), transaction.atomic():
        backend_create(team=team, name="B", kind="proprietary", base_url="https://x.example/v1")
        raise RuntimeError("abandon the write")
    assert version() == start
    assert not Backend.objects.filter(team=team, name="B").exists()


def test_a_backend_in_use_cannot_be_deleted_or_change_kind(routes, proprietary):
    assert "backend" in errors_of(backend_delete, backend=proprietary)
    assert "kind" in errors_of(backend_update, backend=proprietary, kind="open_source")
    assert Backend.objects.filter(pk=proprietary.pk, kind="proprietary").exists()


# --- Routes ---------------------------------------------------------------------------------------


def test_the_articles_defaults(routes, proprietary, open_source):
    complex_route, default_route = (Route.objects.get(pk=r.pk) for r in routes)
    assert complex_route.task_types == ["analysis", "reasoning", "creative"]
    assert complex_route.open_source_share == 0 and not complex_route.is_default
    assert default_route.is_default and default_route.task_types == []
    assert default_route.open_source_share == 100
    for route in (complex_route, default_route):
        assert (route.proprietary_backend_id, route.open_source_backend_id) == (
            proprietary.pk,
            open_source.pk,
        )


def test_defaults_cannot_be_created_twice(routes, team, proprietary, open_source):
    with pytest.raises(ValidationError):
        routing_defaults_create(team=team, proprietary=proprietary, open_source=open_source)
    assert Route.objects.filter(team=team).count() == 2


def test_task_types_are_slugs_lower_cased_without_repeats(team, proprietary):
    route = route_create(
        team=team,
        name="r",
        task_types=[" Summary ", "summary", "code-review"],
        proprietary_backend=proprietary,
    )
    assert route.task_types == ["summary", "code-review"]
    assert "task_types" in errors_of(
        route_create, team=team, name="s", task_types=["two words"], proprietary_backend=proprietary
    )
    assert "task_types" in errors_of(
        route_create, team=team, name="s", task_types="not-a-list-but-ok,é!", proprietary_backend=proprietary
    )


def test_a_task_type_belongs_to_one_route_and_there_is_one_default(routes, team, proprietary):
    assert errors_of(
        route_create, team=team, name="other", task_types=["reasoning"], proprietary_backend=proprietary
    ) == {"task_types": ["“reasoning” is already routed by complex-tasks."]}
    assert "is_default" in errors_of(
        route_create, team=team, name="other", is_default=True, proprietary_backend=proprietary
    )
    assert "name" in errors_of(route_create, team=team, name="auto", proprietary_backend=proprietary)
    assert "name" in errors_of(route_create, team=team, name="default", proprietary_backend=proprietary)
    assert "name" in errors_of(route_create, team=team, name="Not a slug!", proprietary_backend=proprietary)


def test_route_backends_belong_to_the_team_and_have_the_right_kind(
    team, proprietary, open_source, charlies_backend
):
    assert errors_of(route_create, team=team, name="r", proprietary_backend=charlies_backend) == {
        "proprietary_backend": ["No such backend in this team."]
    }
    assert "proprietary_backend" in errors_of(
        route_create, team=team, name="r", proprietary_backend=open_source
    )
    assert "open_source_backend" in errors_of(
        route_create, team=team, name="r", open_source_backend=proprietary
    )
    assert "proprietary_backend" in errors_of(route_create, team=team, name="r")
    assert "open_source_share" in errors_of(
        route_create, team=team, name="r", proprietary_backend=proprietary, open_source_share=50
    )
    assert "open_source_share" in errors_of(
        route_create, team=team, name="r", open_source_backend=open_source, open_source_share=50
    )
    assert "shadow_rate" in errors_of(
        route_create, team=team, name="r", proprietary_backend=proprietary, shadow_rate=Decimal("0.05")
    )
    assert "shadow_rate" in errors_of(
        route_create,
        team=team,
        name="r",
        proprietary_backend=proprietary,
        open_source_backend=open_source,
        shadow_rate=Decimal("0.5"),
    )
    assert not Route.objects.filter(team=team).exists()


def test_a_share_set_through_an_update_is_recorded_with_who_set_it(routes, alice):
    route = routes[0]
    route_update(route=route, changed_by=alice, open_source_share=30, share_reason="Quality holds")
    change = ShareChange.objects.filter(route=route).order_by("-id").first()
    assert (change.from_share, change.to_share, change.changed_by, change.reason) == (
        0,
        30,
        alice,
        "Quality holds",
    )
    assert Route.objects.get(pk=route.pk).open_source_share == 30


def test_route_update_keeps_the_rules(routes, team):
    complex_route, default_route = routes
    assert "task_types" in errors_of(route_update, route=default_route, task_types=["creative"])
    assert "open_source_share" in errors_of(route_update, route=complex_route, open_source_share=101)
    assert errors_of(route_update, route=complex_route, open_source_backend=None, open_source_share=10) == {
        "open_source_share": ["A share above 0 % needs an open-source backend to send traffic to."]
    }
    assert Route.objects.get(pk=complex_route.pk).open_source_share == 0


@pytest.mark.django_db(transaction=True)
def test_route_set_share_refuses_out_of_range_and_records_changes(routes, alice):
    route = routes[0]
    before = version()
    with pytest.raises(ValidationError):
        route_set_share(route=route, share=150, reason="x")
    assert route_set_share(route=route, share=20, reason="By hand", changed_by=alice) is not None
    assert route_set_share(route=route, share=20, reason="Again") is None
    assert version() == before + 1


@pytest.mark.django_db(transaction=True)
def test_deleting_a_route_bumps_the_version_and_frees_its_task_types(routes, team, proprietary):
    before = version()
    route_delete(route=routes[0])
    assert version() == before + 1
    route_create(team=team, name="again", task_types=["analysis"], proprietary_backend=proprietary)


# --- Budgets --------------------------------------------------------------------------------------


def test_budget_set_and_lifted(team):
    assert budget_set(team=team, monthly_limit_usd=Decimal("250.00")).monthly_limit_usd == Decimal("250.00")
    assert budget_set(team=team, monthly_limit_usd=None).monthly_limit_usd is None
    assert TeamBudget.objects.filter(team=team).count() == 1
    assert "monthly_limit_usd" in errors_of(budget_set, team=team, monthly_limit_usd=Decimal("-1"))
