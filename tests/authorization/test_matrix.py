"""The authorization matrix: every URL pattern the resolver knows, every method it serves, every
identity, against an explicit expectation.

A URL pattern without an entry in ``ENTRIES`` fails the test, so a new page or endpoint must state
who may use it. To add one: pick a policy from ``POLICIES`` (or add a policy: one outcome per
identity), list the methods it serves, and, when its URL takes an id, say which of the team's
objects it names in ``OBJECTS``. Each request runs inside a savepoint that is rolled back, so a
DELETE or a revoke by one identity leaves the next identity the same world.

Outcomes: ``ok`` (served: 2xx, a redirect that is not to sign-in, or a 400 for the empty body the
matrix sends), ``login`` (redirected to sign-in), ``unauth`` (401), ``denied`` (403), ``hidden``
(404: the object or team is not disclosed), ``method`` (405). A 5xx fails whatever the table says.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from evaluations.services import evaluation_create, profile_create, usage_pattern_create
from portal.models import Membership
from portal.services import api_token_create, api_token_revoke, invitation_create
from probes.models import Probe, ProbeResult, ProbeRound, ProbeSuite, RouteMigration
from routing.models import RequestLog
from routing.services import backend_create, route_create
from tests.factories import ModelOptionFactory

IDENTITIES = (
    "anonymous",
    "outsider",
    "viewer",
    "editor",
    "owner",
    "staff",  # staff (and superuser) with no membership of the team
    "read_token",
    "write_token",
    "other_token",  # a read-write token of another team
    "revoked_token",
)
SESSIONS = ("outsider", "viewer", "editor", "owner", "staff")
TOKENS = ("read_token", "write_token", "other_token", "revoked_token")


def policy(default: str, **outcomes: str) -> dict[str, str]:
    unknown = set(outcomes) - set(IDENTITIES)
    assert not unknown, unknown
    return {identity: outcomes.get(identity, default) for identity in IDENTITIES}


# Pages ignore tokens (a token is anonymous to a page: sign-in first).
PAGE_LOGIN = {"anonymous": "login", **dict.fromkeys(TOKENS, "login")}

POLICIES: dict[str, dict[str, str]] = {
    # Anyone, signed in or not.
    "public": policy("ok"),
    # Signing out: anyone, then the sign-in page.
    "signs_out": policy("login"),
    # The admin's sign-out: staff and strangers land on sign-in; members see the admin's goodbye page.
    "signs_out_of_admin": policy("login", outsider="ok", viewer="ok", editor="ok", owner="ok"),
    # Any signed-in user.
    "signed_in_page": policy("ok", **PAGE_LOGIN),
    # Team pages: members read; outsiders and staff outside the team see no such team.
    "team_page_read": policy("ok", **PAGE_LOGIN, outsider="hidden", staff="hidden"),
    # Team pages that write: owners and editors.
    "team_page_write": policy("ok", **PAGE_LOGIN, outsider="hidden", staff="hidden", viewer="denied"),
    # Team pages only the owner may use (the team's budget).
    "team_page_owner": policy(
        "ok", **PAGE_LOGIN, outsider="hidden", staff="hidden", viewer="denied", editor="denied"
    ),
    # Steering a migration over the API: the team's owners and its read-write tokens.
    "migration_api_write": policy(
        "ok",
        anonymous="unauth",
        revoked_token="unauth",
        outsider="hidden",
        staff="hidden",
        viewer="denied",
        editor="denied",
        read_token="denied",
        other_token="hidden",
    ),
    # The admin: staff only; everyone else is sent to the admin's sign-in.
    "admin": policy("login", staff="ok"),
    # Admin pages the admin itself refuses or cannot show even to staff.
    "admin_refused": policy("login", staff="denied"),
    "admin_missing": policy("login", staff="hidden"),
    # Team API, reads: members and the team's tokens; another team's token acts for its own team.
    "team_api_list": policy(
        "ok", anonymous="unauth", revoked_token="unauth", outsider="hidden", staff="hidden"
    ),
    "team_api_object": policy(
        "ok",
        anonymous="unauth",
        revoked_token="unauth",
        outsider="hidden",
        staff="hidden",
        other_token="hidden",
    ),
    # Team API, writes: owners, editors and read-write tokens.
    "team_api_create": policy(
        "ok",
        anonymous="unauth",
        revoked_token="unauth",
        outsider="hidden",
        staff="hidden",
        viewer="denied",
        read_token="denied",
    ),
    "team_api_object_write": policy(
        "ok",
        anonymous="unauth",
        revoked_token="unauth",
        outsider="hidden",
        staff="hidden",
        viewer="denied",
        read_token="denied",
        other_token="hidden",
    ),
    # Computations that store nothing: any member or token of the team, read-only ones included.
    "team_api_compute": policy(
        "ok", anonymous="unauth", revoked_token="unauth", outsider="hidden", staff="hidden"
    ),
    # Shared reference data: any signed-in user or token reads; staff with model permissions write.
    "catalog_api_read": policy("ok", anonymous="unauth", revoked_token="unauth"),
    "catalog_api_write": policy("denied", anonymous="unauth", revoked_token="unauth", staff="ok"),
    # The API's own description: open, it holds no data.
    "api_docs": policy("ok", revoked_token="unauth"),
    "api_root": policy("ok", anonymous="unauth", revoked_token="unauth"),
}


@dataclass(frozen=True)
class Entry:
    methods: dict[str, str]  # method -> policy name
    obj: str | None = None  # which object a `pk` in the URL names (see OBJECTS)


def read(name: str = "team_page_read") -> dict[str, str]:
    return {"GET": name}


def read_write(read_policy: str, write_policy: str) -> dict[str, str]:
    return {"GET": read_policy, "POST": write_policy}


API_OBJECT = {
    "GET": "team_api_object",
    "PUT": "team_api_object_write",
    "PATCH": "team_api_object_write",
    "DELETE": "team_api_object_write",
}
CATALOG_OBJECT = {"GET": "catalog_api_read", **dict.fromkeys(("PUT", "PATCH", "DELETE"), "catalog_api_write")}

# URL name (namespaced) -> what it serves to whom. Admin pages: one entry for the namespace.
ENTRIES: dict[str, Entry] = {
    "home": Entry(read("signed_in_page")),
    "healthz": Entry(read("public")),
    "readyz": Entry(read("public")),
    "login": Entry(read_write("public", "public")),
    "logout": Entry({"POST": "signs_out"}),
    "catalog:list": Entry(read("signed_in_page")),
    "catalog:matrix": Entry(read("signed_in_page")),
    "team-detail": Entry(read()),
    "team-tokens": Entry(read_write("team_page_read", "team_page_owner")),
    "team-token-revoke": Entry({"POST": "team_page_owner"}),
    "team-member-add": Entry({"POST": "team_page_owner"}),
    "team-member-role": Entry({"POST": "team_page_owner"}),
    "team-member-remove": Entry({"POST": "team_page_owner"}),
    "team-invitation-create": Entry({"POST": "team_page_owner"}),
    "team-invitation-revoke": Entry({"POST": "team_page_owner"}),
    "invitation-accept": Entry(read_write("public", "public")),
    "catalog:detail": Entry(read("signed_in_page")),
    "evaluations:profile-list": Entry(read_write("team_page_read", "team_page_write")),
    "evaluations:profile-detail": Entry(read()),
    "evaluations:profile-edit": Entry(read_write("team_page_write", "team_page_write")),
    "evaluations:profile-move": Entry({"POST": "team_page_write"}),
    "evaluations:profile-delete": Entry({"POST": "team_page_write"}),
    "evaluations:recommendation": Entry(read()),
    "evaluations:usage-pattern-list": Entry(read_write("team_page_read", "team_page_write")),
    "evaluations:usage-pattern-edit": Entry(read_write("team_page_write", "team_page_write")),
    "evaluations:usage-pattern-delete": Entry({"POST": "team_page_write"}),
    "evaluations:cost-report": Entry(read()),
    "evaluations:evaluation-list": Entry(read()),
    "evaluations:evaluation-create": Entry({"POST": "team_page_write"}),
    "evaluations:evaluation-compare": Entry(read()),
    "evaluations:evaluation-detail": Entry(read()),
    "evaluations:evaluation-csv": Entry(read()),
    "evaluations:evaluation-edit": Entry(read_write("team_page_write", "team_page_write")),
    "evaluations:evaluation-delete": Entry({"POST": "team_page_write"}),
    "admin": Entry(read("admin")),
    "admin:login": Entry(read_write("public", "public")),
    "admin:logout": Entry({"POST": "signs_out_of_admin"}),
    "admin:autocomplete": Entry(read("admin_refused")),  # needs its query parameters
    "admin:view_on_site": Entry(read("admin_missing")),  # no such content type/object
    "admin:<unnamed (?P<url>.*)$>": Entry(read("admin_missing")),  # the catch-all
    # Rows created by the application only, never by hand.
    "admin:axes_accessattempt_add": Entry(read("admin_refused")),
    "admin:axes_accesslog_add": Entry(read("admin_refused")),
    "admin:axes_accessfailurelog_add": Entry(read("admin_refused")),
    "admin:portal_apitoken_add": Entry(read("admin_refused")),
    "admin:portal_invitation_add": Entry(read("admin_refused")),
    "admin:probes_proberound_add": Entry(read("admin_refused")),
    "admin:probes_proberesult_add": Entry(read("admin_refused")),
    "admin:evaluations_evaluation_add": Entry(read("admin_refused")),
    "admin:routing_sharechange_add": Entry(read("admin_refused")),
    "admin:routing_requestlog_add": Entry(read("admin_refused")),
    "admin:routing_requestrollup_add": Entry(read("admin_refused")),
    "admin:routing_backendhealth_add": Entry(read("admin_refused")),
    "schema": Entry(read("api_docs")),
    "swagger-ui": Entry(read("api_docs")),
    "api-root": Entry(read("api_root")),
    "evaluations-api:recommendations": Entry({"POST": "team_api_compute"}),
    "evaluations-api:cost-reports": Entry({"POST": "team_api_compute"}),
    "evaluations-api:profile-list": Entry(read_write("team_api_list", "team_api_create")),
    "evaluations-api:profile-detail": Entry(API_OBJECT, obj="profile"),
    "evaluations-api:profile-move": Entry({"POST": "team_api_object_write"}, obj="profile"),
    "evaluations-api:usage-pattern-list": Entry(read_write("team_api_list", "team_api_create")),
    "evaluations-api:usage-pattern-detail": Entry(API_OBJECT, obj="usage_pattern"),
    "evaluations-api:evaluation-list": Entry(read_write("team_api_list", "team_api_create")),
    "evaluations-api:evaluation-detail": Entry(
        {"GET": "team_api_object", "PATCH": "team_api_object_write", "DELETE": "team_api_object_write"},
        obj="evaluation",
    ),
    "catalog-model-list": Entry(read_write("catalog_api_read", "catalog_api_write")),
    "catalog-model-detail": Entry(CATALOG_OBJECT, obj="catalog_model"),
    # Routing: team pages and the team API, like decisions.
    "routing:page": Entry(read()),
    "routing:backend-create": Entry(read_write("team_page_write", "team_page_write")),
    "routing:backend-edit": Entry(read_write("team_page_write", "team_page_write")),
    "routing:backend-delete": Entry({"POST": "team_page_write"}),
    "routing:route-create": Entry(read_write("team_page_write", "team_page_write")),
    "routing:route-defaults": Entry({"POST": "team_page_write"}),
    "routing:route-pair": Entry(read_write("team_page_write", "team_page_write")),
    "routing:route-edit": Entry(read_write("team_page_write", "team_page_write")),
    "routing:route-delete": Entry({"POST": "team_page_write"}),
    "routing:route-share": Entry({"POST": "team_page_write"}),
    "routing:budget": Entry({"POST": "team_page_owner"}),
    "routing-api:backend-list": Entry(read_write("team_api_list", "team_api_create")),
    "routing-api:backend-detail": Entry(API_OBJECT, obj="backend"),
    "routing-api:route-list": Entry(read_write("team_api_list", "team_api_create")),
    "routing-api:route-detail": Entry(API_OBJECT, obj="route"),
    "routing-api:route-share": Entry({"POST": "team_api_object_write"}, obj="route"),
    "routing-api:route-history": Entry({"GET": "team_api_object"}, obj="route"),
    "routing-api:route-defaults": Entry({"POST": "team_api_create"}),
    "routing-api:request-log-list": Entry(read("team_api_list")),
    "routing-api:request-log-detail": Entry({"GET": "team_api_object"}, obj="request_log"),
    # Probes and migrations: members read; owners steer a migration; writers keep the probe suite.
    "probes:migration-list": Entry(read()),
    "probes:migration": Entry(read()),
    "probes:migration-run": Entry({"POST": "team_page_owner"}),
    "probes:migration-control": Entry({"POST": "team_page_owner"}),
    "probes:suite": Entry(read_write("team_page_read", "team_page_write")),
    "probes:suite-export": Entry(read()),
    "probes:migration-settings": Entry({"POST": "team_page_owner"}),
    "probes:probe-create": Entry(read_write("team_page_write", "team_page_write")),
    "probes:probe-edit": Entry(read_write("team_page_write", "team_page_write")),
    "probes:probe-delete": Entry(read_write("team_page_write", "team_page_write")),
    "probes-api:migration": Entry({"GET": "team_api_object", "PATCH": "migration_api_write"}),
    "probes-api:migration-pause": Entry({"POST": "migration_api_write"}),
    "probes-api:migration-resume": Entry({"POST": "migration_api_write"}),
    "probes-api:migration-set-share": Entry({"POST": "migration_api_write"}),
    "probes-api:migration-rollback": Entry({"POST": "migration_api_write"}),
    "probes-api:migration-run-round": Entry({"POST": "migration_api_write"}),
    "probes-api:probe-suite-list": Entry(read_write("team_api_list", "team_api_create")),
    "probes-api:probe-suite-detail": Entry(API_OBJECT, obj="probe_suite"),
    "probes-api:probe-suite-export": Entry({"GET": "team_api_object"}, obj="probe_suite"),
    "probes-api:probe-suite-import-suite": Entry({"POST": "team_api_create"}),
    "probes-api:probe-list": Entry(read_write("team_api_list", "team_api_create")),
    "probes-api:probe-detail": Entry(API_OBJECT, obj="probe"),
    "probes-api:probe-round-list": Entry(read("team_api_list")),
    "probes-api:probe-round-detail": Entry({"GET": "team_api_object"}, obj="probe_round"),
    "probes-api:probe-result-list": Entry(read("team_api_list")),
    "probes-api:probe-result-detail": Entry({"GET": "team_api_object"}, obj="probe_result"),
}

# Path arguments: the team's own objects (so a refusal is about the identity, never a missing row).
OBJECTS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "team_slug": lambda w: w["team"].slug,
    "token_id": lambda w: w["token"].pk,
    "profile_id": lambda w: w["profile"].pk,
    "pattern_id": lambda w: w["usage_pattern"].pk,
    "evaluation_id": lambda w: w["evaluation"].pk,
    "backend_id": lambda w: w["backend"].pk,
    "member_id": lambda w: w["member"].pk,
    "invitation_id": lambda w: w["invitation"].pk,
    "secret": lambda w: w["invitation_secret"],
    "model_id": lambda w: w["catalog_model"].pk,
    "action": lambda w: "pause",
    "route_id": lambda w: w["route"].pk,
    "probe_id": lambda w: w["probe"].pk,
    "format": lambda w: "json",
}
# Admin URLs: object ids of rows every admin change page can open.
ADMIN_OBJECT_ID = "1"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Route:
    name: str
    regex: str
    pattern: URLPattern

    @property
    def key(self) -> str:
        if self.name not in ENTRIES and self.name.startswith("admin:"):
            return "admin"  # every admin page not listed on its own
        return self.name


def routes() -> Iterator[Route]:
    def walk(patterns: list[Any], prefix: str, namespace: str | None) -> Iterator[Route]:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
                yield from walk(p.url_patterns, prefix + p.pattern.regex.pattern.lstrip("^"), ns)
            else:
                name = p.name or f"<unnamed {p.pattern}>"
                yield Route(
                    f"{namespace}:{name}" if namespace else name,
                    prefix + p.pattern.regex.pattern.lstrip("^"),
                    p,
                )

    yield from walk(get_resolver().url_patterns, "", None)


def fill(route: Route, world: dict[str, Any]) -> str:
    """A concrete path for the route, with the team's objects as its arguments."""
    entry = ENTRIES[route.key]
    kwargs = {}
    for name in re.compile(route.regex).groupindex:
        if route.name.startswith("admin:"):
            kwargs[name] = {"app_label": "auth", "content_type_id": "1"}.get(name, ADMIN_OBJECT_ID)
        elif name == "pk":
            kwargs[name] = str(world[entry.obj or ""].pk)
        else:
            kwargs[name] = str(OBJECTS[name](world))
    if route.pattern.name is None:  # unnamed (the admin's redirects): fill its regex by hand
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: kwargs[m.group(1)], route.regex)
        return "/" + re.sub(r"\\(.)", r"\1", path.replace("\\Z", "").rstrip("$"))
    return reverse(route.name, kwargs=kwargs)


def test_every_url_pattern_has_an_entry():
    missing = sorted({r.key for r in routes()} - set(ENTRIES))
    assert missing == [], f"URL patterns without an authorization entry: {missing}"
    stale = sorted(set(ENTRIES) - {r.key for r in routes()})
    assert stale == [], f"entries for URL patterns that no longer exist: {stale}"


def test_every_drf_method_is_in_the_table():
    for route in routes():
        actions = getattr(route.pattern.callback, "actions", None)
        if actions and route.key != "api-root":
            served = {m.upper() for m in actions} - {"HEAD"}  # HEAD answers as GET does
            assert served <= set(ENTRIES[route.key].methods), (route.name, served)


@pytest.fixture
def world(team, other_team, alice, bob, carol, charlie, staff) -> dict[str, Any]:
    read_token = api_token_create(team=team, name="r", access="read", created_by=alice)[1]
    write_token = api_token_create(team=team, name="w", access="read_write", created_by=alice)[1]
    other_token = api_token_create(team=other_team, name="o", access="read_write", created_by=charlie)[1]
    revoked, revoked_secret = api_token_create(team=team, name="x", access="read_write", created_by=alice)
    api_token_revoke(token=revoked)
    ModelOptionFactory.create_batch(2)
    profile = profile_create(team=team, name="Launch", priorities=["cost", "performance"])
    usage = usage_pattern_create(
        team=team,
        name="Traffic",
        daily_requests=1000,
        avg_input_tokens=100,
        avg_output_tokens=100,
        peak_concurrent=2,
    )
    evaluation = evaluation_create(team=team, name="Saved", created_by=alice, profile=profile)
    backend = backend_create(
        team=team, name="API", kind="proprietary", base_url="http://127.0.0.1:9/v1", upstream_model="m"
    )
    route = route_create(team=team, name="Default", is_default=True, proprietary_backend=backend)
    request_log = RequestLog.objects.create(team=team, created_at=timezone.now(), status_code=200)
    invitation, invitation_secret = invitation_create(team=team, role="viewer", created_by=alice)
    RouteMigration.objects.create(team=team, route=route)  # a migration under way, to steer
    probe_suite = ProbeSuite.objects.create(team=team, route=route, name="Suite")
    probe = Probe.objects.create(suite=probe_suite, name="Sum", prompt="What is 2 + 2?", checks=[])
    probe_round = ProbeRound.objects.create(team=team, route=route, idempotency_key="matrix")
    probe_result = ProbeResult.objects.create(
        team=team, route=route, round=probe_round, probe=probe, backend=backend, backend_kind="proprietary"
    )
    member = Membership.objects.get(team=team, user=bob)

    def session(user: Any) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    def token(secret: str) -> Client:
        return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {secret}")

    clients = {
        "anonymous": Client(raise_request_exception=False),
        "outsider": session(charlie),
        "viewer": session(bob),
        "editor": session(carol),
        "owner": session(alice),
        "staff": session(staff),
        "read_token": token(read_token),
        "write_token": token(write_token),
        "other_token": token(other_token),
        "revoked_token": token(revoked_secret),
    }
    from catalog.models import ModelOption

    return {
        "team": team,
        "token": revoked,
        "profile": profile,
        "usage_pattern": usage,
        "evaluation": evaluation,
        "backend": backend,
        "route": route,
        "request_log": request_log,
        "invitation": invitation,
        "probe_suite": probe_suite,
        "probe": probe,
        "probe_round": probe_round,
        "probe_result": probe_result,
        "invitation_secret": invitation_secret,
        "member": member,
        "catalog_model": ModelOption.objects.first(),
        "clients": clients,
    }


def outcome(response: Any) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in (301, 302):
        return "login" if "login/" in response["Location"] else "ok"
    return {401: "unauth", 403: "denied", 404: "hidden", 405: "method", 429: "throttled"}.get(status, "ok")


def test_the_matrix(world):
    from django.core.cache import cache

    mismatches = []
    cells = 0
    for route in routes():
        entry = ENTRIES[route.key]
        path = fill(route, world)
        if path.startswith("/api/"):
            path += "?team=" + world["team"].slug
        for method, policy_name in entry.methods.items():
            for identity, expected in POLICIES[policy_name].items():
                client = world["clients"][identity]
                cache.clear()
                cookies = copy.deepcopy(client.cookies)  # a sign-out must not outlive its cell
                with transaction.atomic():
                    kwargs = {"content_type": "application/json"} if method in UNSAFE else {}
                    response = getattr(client, method.lower())(path, **kwargs)
                    transaction.set_rollback(True)
                client.cookies = cookies
                cells += 1
                got = outcome(response)
                if got != expected:
                    mismatches.append(f"{method} {path} as {identity}: expected {expected}, got {got}")
    assert mismatches == [], f"{len(mismatches)} of {cells} cells differ:\n" + "\n".join(mismatches)
