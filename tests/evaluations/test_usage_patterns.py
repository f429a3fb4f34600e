"""Usage patterns: the same bounds and messages through the service, the page, the API and the admin;
team-owned and invisible to other teams."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from evaluations.models import UsagePattern
from evaluations.services import usage_pattern_create
from tests.api_errors import field_errors
from tests.evaluations.conftest import ARTICLE_USAGE, post_json

pytestmark = pytest.mark.django_db

LIST = "/api/usage-patterns/"

BOUNDS = [
    ("daily_requests", -1, "Daily requests cannot be negative."),
    ("daily_requests", 100_000_001, "Daily requests cannot exceed 100,000,000."),
    ("avg_input_tokens", -5, "Input tokens cannot be negative."),
    ("avg_input_tokens", 2_000_001, "Input tokens per request cannot exceed 2,000,000."),
    ("avg_output_tokens", 2_000_001, "Output tokens per request cannot exceed 2,000,000."),
    ("peak_concurrent", 0, "Peak concurrent requests must be at least 1."),
    ("peak_concurrent", 1_000_001, "Peak concurrent requests cannot exceed 1,000,000."),
    ("days_per_month", 0, "Days per month must be between 1 and 31."),
    ("days_per_month", 32, "Days per month must be between 1 and 31."),
]


@pytest.mark.parametrize(("field", "value", "message"), BOUNDS)
def test_service_refuses_out_of_range_traffic_on_the_field(team, field, value, message):
    with pytest.raises(ValidationError) as exc:
        usage_pattern_create(team=team, name="Bad", **(ARTICLE_USAGE | {field: value}))

    assert exc.value.message_dict == {field: [message]}


@pytest.mark.parametrize(("field", "value", "message"), BOUNDS)
def test_page_form_refuses_out_of_range_traffic_with_the_same_message(carol_client, field, value, message):
    response = carol_client.post("/t/alpha/usage-patterns/", {"name": "Bad", **ARTICLE_USAGE, field: value})

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not UsagePattern.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), BOUNDS)
def test_api_refuses_out_of_range_traffic_with_the_same_message(alice_client, field, value, message):
    response = post_json(alice_client, LIST, {"name": "Bad", **ARTICLE_USAGE, field: value})

    assert response.status_code == 400
    assert field_errors(response) == {field: [message]}


def test_admin_refuses_out_of_range_traffic_with_the_same_message(staff_client, team):
    response = staff_client.post(
        "/admin/evaluations/usagepattern/add/",
        {"team": team.pk, "name": "Bad", **ARTICLE_USAGE, "days_per_month": 32, "peak_concurrent": 0},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["days_per_month"] == ["Days per month must be between 1 and 31."]
    assert errors["peak_concurrent"] == ["Peak concurrent requests must be at least 1."]


def test_the_database_refuses_out_of_range_rows_written_around_validation(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        UsagePattern.objects.create(team=team, name="Raw", **(ARTICLE_USAGE | {"days_per_month": 0}))


def test_days_per_month_defaults_to_30(team):
    fields = {k: v for k, v in ARTICLE_USAGE.items() if k != "days_per_month"}

    assert usage_pattern_create(team=team, name="Default", **fields).days_per_month == 30


def test_names_are_unique_per_team(team, article_usage, other_team):
    with pytest.raises(ValidationError) as exc:
        usage_pattern_create(team=team, name="Article traffic", **ARTICLE_USAGE)

    assert exc.value.message_dict == {
        "name": ["This team already has a usage pattern named “Article traffic”."]
    }
    assert usage_pattern_create(team=other_team, name="Article traffic", **ARTICLE_USAGE).pk


# --- API ------------------------------------------------------------------------------------------


def test_write_token_creates_in_its_own_team_and_edits_and_deletes(write_client, team, other_team):
    created = post_json(write_client, LIST, {"name": "Chat", **ARTICLE_USAGE, "team": other_team.pk})
    assert created.status_code == 201, created.json()
    pattern = UsagePattern.objects.get()
    assert pattern.team == team
    assert created.json()["days_per_month"] == 30

    url = f"{LIST}{pattern.pk}/"
    patched = write_client.patch(url, {"daily_requests": 20_000}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["daily_requests"] == 20_000
    refused = write_client.patch(url, {"days_per_month": 0}, content_type="application/json")
    assert refused.status_code == 400
    pattern.refresh_from_db()
    assert (pattern.daily_requests, pattern.days_per_month) == (20_000, 30)
    assert write_client.delete(url).status_code == 204


def test_list_is_paginated_with_a_fixed_number_of_queries(write_client, team, django_assert_num_queries):
    for i in range(52):
        usage_pattern_create(team=team, name=f"Pattern {i:02d}", **ARTICLE_USAGE)
    # Queries, one each:
    # 1. token with its team
    # 2. record the token's use
    # 3. count
    # 4. the page of patterns
    with django_assert_num_queries(4):
        body = write_client.get(LIST).json()
    assert body["count"] == 52 and len(body["results"]) == 50


def test_another_teams_pattern_is_invisible(alice_client, charlies_usage):
    assert alice_client.get(LIST).json()["count"] == 0
    assert alice_client.get(f"{LIST}{charlies_usage.pk}/").status_code == 404
    assert alice_client.delete(f"{LIST}{charlies_usage.pk}/").status_code == 404


# --- Pages ----------------------------------------------------------------------------------------


def test_usage_page_lists_with_a_fixed_number_of_queries(alice_client, team, django_assert_num_queries):
    for i in range(3):
        usage_pattern_create(team=team, name=f"Pattern {i}", **ARTICLE_USAGE)
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. count
    # 5. the page of patterns
    with django_assert_num_queries(5):
        html = alice_client.get("/t/alpha/usage-patterns/").content.decode()
    assert "10,000" in html and "Pattern 2" in html


def test_usage_page_empty_state(bob_client):
    html = bob_client.get("/t/alpha/usage-patterns/").content.decode()

    assert "No usage patterns yet." in html
    assert 'data-testid="usage-form"' not in html


def test_editor_creates_edits_and_deletes_on_the_pages(carol_client, team):
    response = carol_client.post("/t/alpha/usage-patterns/", {"name": "Chat", **ARTICLE_USAGE})
    assert response.status_code == 302
    pattern = UsagePattern.objects.get(team=team)

    edited = carol_client.post(
        f"/t/alpha/usage-patterns/{pattern.pk}/edit/",
        {"name": "Chat v2", **ARTICLE_USAGE, "peak_concurrent": 80},
    )
    assert edited.status_code == 302
    pattern.refresh_from_db()
    assert (pattern.name, pattern.peak_concurrent) == ("Chat v2", 80)

    assert carol_client.post(f"/t/alpha/usage-patterns/{pattern.pk}/delete/").status_code == 302
    assert not UsagePattern.objects.exists()


def test_edit_page_shows_errors_and_keeps_the_saved_values(carol_client, article_usage):
    response = carol_client.post(
        f"/t/alpha/usage-patterns/{article_usage.pk}/edit/",
        {"name": "", **ARTICLE_USAGE, "days_per_month": 99},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Days per month must be between 1 and 31." in html and "This field is required." in html
    assert "Edit usage pattern “Article traffic”" in html
    article_usage.refresh_from_db()
    assert article_usage.days_per_month == 30


def test_a_duplicate_name_is_shown_on_the_name_field(carol_client, article_usage):
    response = carol_client.post("/t/alpha/usage-patterns/", {"name": "Article traffic", **ARTICLE_USAGE})

    assert response.status_code == 400
    assert response.context["form"].errors["name"] == [
        "This team already has a usage pattern named “Article traffic”."
    ]


def test_viewers_cannot_write_and_outsiders_see_nothing(bob_client, charlie_client, article_usage):
    base = f"/t/alpha/usage-patterns/{article_usage.pk}"
    assert bob_client.post("/t/alpha/usage-patterns/", {"name": "X", **ARTICLE_USAGE}).status_code == 403
    assert bob_client.get(f"{base}/edit/").status_code == 403
    assert bob_client.post(f"{base}/delete/").status_code == 403
    for url in ["/t/alpha/usage-patterns/", f"{base}/edit/"]:
        assert charlie_client.get(url).status_code == 404
    assert charlie_client.post(f"{base}/delete/").status_code == 404
    assert charlie_client.get(f"/t/charlies-team/usage-patterns/{article_usage.pk}/edit/").status_code == 404
    assert UsagePattern.objects.filter(pk=article_usage.pk).exists()
