"""The cast: alice owns team Alpha, bob is a viewer there, carol an editor; charlie is an outsider
with a team of his own; staff is a staff user in no team."""

from __future__ import annotations

import pytest
from django.test import Client

from catalog.services import catalog_load_article_models, catalog_prices_refresh
from portal.models import Role
from portal.services import api_token_create, membership_set, team_create
from tests.factories import UserFactory

# The local upstream over real HTTP (gateway, probes and browser tests share one server).
pytest_plugins = ["tests.upstream"]


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def charlie(db):
    return UserFactory(username="charlie")


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def team(alice, bob, carol):
    team = team_create(name="Alpha", owner=alice)
    membership_set(team=team, user=bob, role=Role.VIEWER)
    membership_set(team=team, user=carol, role=Role.EDITOR)
    return team


@pytest.fixture
def other_team(charlie):
    return team_create(name="Charlie's team", owner=charlie)


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice, team) -> Client:
    return _client_for(alice)


@pytest.fixture
def bob_client(bob, team) -> Client:
    return _client_for(bob)


@pytest.fixture
def carol_client(carol, team) -> Client:
    return _client_for(carol)


@pytest.fixture
def charlie_client(charlie, other_team) -> Client:
    return _client_for(charlie)


@pytest.fixture
def staff_client(staff) -> Client:
    return _client_for(staff)


@pytest.fixture
def read_token(team, alice) -> str:
    return api_token_create(team=team, name="reader", access="read", created_by=alice)[1]


@pytest.fixture
def write_token(team, alice) -> str:
    return api_token_create(team=team, name="writer", access="read_write", created_by=alice)[1]


@pytest.fixture
def article_catalog(db):
    """The shipped catalog, with prices the article lacks filled from genai-prices as `make run` does."""
    catalog_load_article_models()
    catalog_prices_refresh()
    from catalog.models import ModelOption

    return {m.name: m for m in ModelOption.objects.all()}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The cast signs in with known passwords; PBKDF2's deliberate slowness buys nothing in tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counts live in the cache: each test starts with none, whatever ran before it.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
