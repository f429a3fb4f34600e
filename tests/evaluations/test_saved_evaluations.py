"""Saved evaluations keep what was decided: a snapshot of the ranking and the cost report that later
catalog or profile changes do not rewrite; listed, shown, compared and exported as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from catalog.models import ModelOption
from evaluations.models import Evaluation
from evaluations.requirements import Requirements
from evaluations.services import evaluation_create
from tests.api_errors import field_errors
from tests.evaluations.conftest import STARTUP, post_json
from tests.factories import ModelOptionFactory

pytestmark = pytest.mark.django_db

LIST = "/api/evaluations/"


@pytest.fixture
def saved(team, alice, startup_profile, article_usage, article_catalog) -> Evaluation:
    return evaluation_create(
        team=team, name="Support bot", created_by=alice, profile=startup_profile, usage_pattern=article_usage
    )


@pytest.fixture
def saved_private(team, alice, privacy_profile, article_catalog) -> Evaluation:
    return evaluation_create(
        team=team,
        name="Private search",
        created_by=alice,
        profile=privacy_profile,
        requirements=Requirements(self_hostable=True),
    )


def test_saving_runs_both_services_and_stores_their_results(saved):
    snapshot = saved.snapshot
    first, second = snapshot["recommendation"]["results"][:2]
    # With the article's traffic the cheapest priced option is Mistral 7B's hosted API ($112.50 a
    # month), so GPT-4 Turbo ($10,500) and Claude 3 Opus ($24,750) both score the floor 1 on cost
    # (10 x 112.50 / cost < 1), not the catalog's 4 and 3: 10 x 1 + 9 x 1/2 + 1 x 1/3 = 14.83 each,
    # a tie listed by name.
    assert [(r["model"]["name"], r["score"], r["rank"]) for r in (first, second)] == [
        ("Claude 3 Opus", "14.83", 1),
        ("GPT-4 Turbo", "14.83", 1),
    ]
    assert (second["monthly_cost"], second["cost_score_from"]) == ("10500.00", "usage")
    costs = {m["name"]: m for m in snapshot["cost_report"]["models"]}
    assert costs["GPT-4 Turbo"]["monthly_total"] == "10500.00"
    assert costs["Llama 2 70B"]["first_year_total"] == "277008.00"
    assert saved.priorities == STARTUP
    assert saved.top_pick == "Claude 3 Opus = GPT-4 Turbo"
    assert snapshot["profile_name"] == "Startup" and snapshot["usage_pattern_name"] == "Article traffic"


def test_later_catalog_edits_do_not_rewrite_a_saved_evaluation(alice_client, saved):
    ModelOption.objects.filter(name="GPT-4 Turbo").update(score_time_to_market=1, input_price_per_mtok=100)

    saved.refresh_from_db()
    assert saved.snapshot["recommendation"]["results"][0]["score"] == "14.83"  # 10 + 9/2 + 1/3
    html = alice_client.get(f"/t/alpha/evaluations/{saved.pk}/").content.decode()
    assert "14.83" in html and "$10,500.00" in html


def test_deleting_the_profile_keeps_the_evaluation_and_its_name(alice_client, saved, startup_profile):
    startup_profile.delete()

    saved.refresh_from_db()
    assert saved.profile is None
    html = alice_client.get(f"/t/alpha/evaluations/{saved.pk}/").content.decode()
    assert "profile “Startup”, since deleted" in html


def test_the_cost_report_covers_only_the_models_that_met_the_requirements(
    team, alice, article_usage, article_catalog
):
    evaluation = evaluation_create(
        team=team,
        name="Self-hosted",
        created_by=alice,
        priorities=["cost"],
        requirements=Requirements(self_hostable=True),
        usage_pattern=article_usage,
    )

    names = {m["name"] for m in evaluation.snapshot["cost_report"]["models"]}
    assert names == {"Llama 2 70B", "Mixtral 8x7B"}
    assert evaluation.requirements == {"self_hostable": True}


# --- API ------------------------------------------------------------------------------------------


def test_api_creates_an_evaluation_for_the_callers_team(
    carol_client, carol, team, other_team, startup_profile, article_usage, article_catalog
):
    response = post_json(
        carol_client,
        LIST,
        {
            "name": "From the API",
            "profile": startup_profile.pk,
            "usage_pattern": article_usage.pk,
            "require": {"min_context": 100_000},
            "team": other_team.pk,
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    evaluation = Evaluation.objects.get(pk=body["id"])
    assert evaluation.team == team and evaluation.created_by == carol
    assert body["created_by"] == "carol"
    assert body["requirements"] == {"min_context": 100_000}
    assert [r["model"]["name"] for r in body["snapshot"]["recommendation"]["results"]] == [
        "GPT-4 Turbo",
        "Claude 3 Opus",
    ]
    assert body["snapshot"]["cost_report"]["usage"]["daily_requests"] == 10_000


def test_api_create_with_a_token_records_no_person(write_client, article_catalog):
    response = post_json(write_client, LIST, {"name": "Token", "priorities": ["cost"]})

    assert response.status_code == 201
    assert response.json()["created_by"] is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"priorities": ["cost"]}, "name"),
        ({"name": "X"}, "priorities"),
        ({"name": "X", "priorities": ["cost", "cost"]}, "priorities"),
        ({"name": "X", "priorities": ["cost"], "require": {"max_monthly_cost": "5"}}, "usage_pattern"),
        ({"name": "X", "priorities": ["cost"], "usage_pattern": 999_999}, "usage_pattern"),
    ],
)
def test_api_create_refuses_bad_input_on_the_field(alice_client, article_catalog, payload, field):
    response = post_json(alice_client, LIST, payload)

    assert response.status_code == 400
    assert field in field_errors(response)
    assert not Evaluation.objects.exists()


def test_api_create_refuses_another_teams_profile(alice_client, charlies_profile):
    response = post_json(alice_client, LIST, {"name": "X", "profile": charlies_profile.pk})

    assert response.status_code == 400
    assert field_errors(response) == {"profile": [f"No profile with id {charlies_profile.pk} in this team."]}


def test_api_list_is_paginated_with_a_fixed_number_of_queries(
    read_client, team, alice, article_catalog, django_assert_num_queries
):
    for i in range(3):
        evaluation_create(team=team, name=f"E{i}", created_by=alice, priorities=["cost"])
    # Queries, one each:
    # 1. token with its team
    # 2. record the token's use
    # 3. count
    # 4. the page of evaluations with authors
    with django_assert_num_queries(4):
        body = read_client.get(LIST).json()
    assert [e["name"] for e in body["results"]] == ["E2", "E1", "E0"]
    assert "snapshot" not in body["results"][0]
    assert body["results"][0]["top_pick"] == "Mistral 7B"


def test_api_retrieve_returns_the_snapshot_and_hides_other_teams(alice_client, charlie_client, saved):
    body = alice_client.get(f"{LIST}{saved.pk}/").json()

    assert body["snapshot"]["recommendation"]["results"][0]["score"] == "14.83"  # 10 + 9/2 + 1/3
    assert charlie_client.get(f"{LIST}{saved.pk}/").status_code == 404
    assert charlie_client.get(LIST).json()["count"] == 0


def test_saved_results_cannot_be_replaced_through_the_api(alice_client, saved):
    # Only the name changes; the snapshot is what was decided.
    assert (
        alice_client.put(f"{LIST}{saved.pk}/", {"name": "x"}, content_type="application/json").status_code
        == 405
    )
    response = alice_client.patch(
        f"{LIST}{saved.pk}/", {"name": "x", "snapshot": {}}, content_type="application/json"
    )
    saved.refresh_from_db()
    assert response.status_code == 200 and saved.snapshot != {}


# --- Pages ----------------------------------------------------------------------------------------


def test_editor_saves_the_recommendation_shown_on_the_page(
    carol_client, carol, startup_profile, article_catalog
):
    page = carol_client.get("/t/alpha/recommendations/", {"profile": startup_profile.pk, "vision": "on"})
    query = page.context["query"]

    response = carol_client.post(f"/t/alpha/evaluations/new/?{query}", {"name": "Vision bot"})

    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/alpha/evaluations/{evaluation.pk}/"
    assert (evaluation.name, evaluation.profile, evaluation.created_by) == (
        "Vision bot",
        startup_profile,
        carol,
    )
    assert evaluation.requirements == {"vision": True}
    assert evaluation.top_pick == "GPT-4 Turbo"


def test_saving_without_a_name_shows_the_error_and_saves_nothing(carol_client, article_catalog):
    response = carol_client.post("/t/alpha/evaluations/new/?priority_1=cost", {"name": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Evaluation.objects.exists()


def test_viewers_cannot_save_and_outsiders_get_a_404(bob_client, charlie_client, article_catalog):
    assert bob_client.post("/t/alpha/evaluations/new/?priority_1=cost", {"name": "x"}).status_code == 403
    assert charlie_client.post("/t/alpha/evaluations/new/?priority_1=cost", {"name": "x"}).status_code == 404
    assert not Evaluation.objects.exists()


def test_list_page_empty_state(alice_client):
    assert "No saved evaluations yet." in alice_client.get("/t/alpha/evaluations/").content.decode()


def test_list_page_is_paginated_with_a_fixed_number_of_queries(
    alice_client, team, alice, article_catalog, article_usage, django_assert_num_queries
):
    for i in range(22):
        evaluation_create(
            team=team, name=f"E{i:02d}", created_by=alice, priorities=["cost"], usage_pattern=article_usage
        )
    # Queries, one each:
    # 1. session
    # 2. user
    # 3. membership with team
    # 4. count
    # 5. the page of evaluations with pattern and author
    with django_assert_num_queries(5):
        response = alice_client.get("/t/alpha/evaluations/")
    html = response.content.decode()
    assert len(response.context["page"].object_list) == 20
    assert "Page 1 of 2" in html and "Article traffic" in html and "by alice" in html


def test_detail_page_shows_the_snapshot_with_charts(alice_client, saved):
    response = alice_client.get(f"/t/alpha/evaluations/{saved.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    # Mistral 7B, priced by its hosted API at $112.50, leads on cost: 6 + 6/2 + 10/3 = 12.33.
    assert 'data-testid="ranking"' in html and "12.33" in html and "Mistral 7B (API)" in html
    assert "$22,584.00" in html and 'id="cost-chart-data"' in html and "cost-charts.js" in html


def test_detail_page_of_another_team_is_a_404(charlie_client, saved):
    assert charlie_client.get(f"/t/alpha/evaluations/{saved.pk}/").status_code == 404
    assert charlie_client.get(f"/t/charlies-team/evaluations/{saved.pk}/").status_code == 404
    assert charlie_client.get(f"/t/charlies-team/evaluations/{saved.pk}/csv/").status_code == 404


def test_compare_shows_two_evaluations_side_by_side(bob_client, saved, saved_private):
    response = bob_client.get("/t/alpha/evaluations/compare/", {"a": saved.pk, "b": saved_private.pk})

    rows = {row["name"]: row for row in response.context["comparison"]["rows"]}
    assert (rows["GPT-4 Turbo"]["a"]["rank"], rows["GPT-4 Turbo"]["b"]) == (1, None)
    assert (rows["Llama 2 70B"]["b"]["rank"], rows["Llama 2 70B"]["b"]["score"]) == (1, "16.83")
    assert rows["Llama 2 70B"]["a_cost"] == "22584.00"
    # Claude 3 Opus ties GPT-4 Turbo at rank 1 in the first (both score 1 on cost at the usage) and
    # comes first by name.
    assert next(iter(rows)) == "Claude 3 Opus"
    assert rows["Mistral 7B"]["a_cost"] == "112.50"  # the option it was ranked by: its API
    html = response.content.decode()
    assert "Support bot" in html and "Private search" in html and "Self-hostable" in html


def test_compare_refuses_an_evaluation_of_another_team(alice_client, team, other_team, charlie, saved):
    theirs = evaluation_create(team=other_team, name="Theirs", created_by=charlie, priorities=["cost"])

    response = alice_client.get("/t/alpha/evaluations/compare/", {"a": saved.pk, "b": theirs.pk})

    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert "Theirs" not in response.content.decode()


def test_csv_export_lists_every_model_with_its_scores_and_costs(bob_client, saved):
    response = bob_client.get(f"/t/alpha/evaluations/{saved.pk}/csv/")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="evaluation-{saved.pk}-support-bot.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "status",
        "rank",
        "model",
        "kind",
        "score",
        "Time to market contribution",
        "Performance contribution",
        "Cost contribution",
        "defaulted scores",
        "tied",
        "monthly total (USD)",
        "first year total (USD)",
        "notes",
        "priced as",
    ]
    # Claude 3 Opus: 10 + 9/2 + 1/3 = 14.83, tied with GPT-4 Turbo and first by name; its API at
    # 300,000 x (500 x 15 + 1,000 x 75) / 1e6 = $24,750 a month, 12 x 24,750 = $297,000 a year.
    assert rows[1] == [
        "ranked",
        "1",
        "Claude 3 Opus",
        "Proprietary",
        "14.83",
        "10.00",
        "4.50",
        "0.33",
        "",
        "yes",
        "24750.00",
        "297000.00",
        "",
        "Claude 3 Opus",
    ]
    llama = next(row for row in rows if row[2] == "Llama 2 70B")
    assert llama[10:12] == ["22584.00", "277008.00"]
    assert llama[12].startswith("Capacity not checked")
    mistral = next(row for row in rows if row[2] == "Mistral 7B")
    # Ranked by its hosted API: $112.50 a month, 12 x 112.50 = $1,350 a year.
    assert mistral[10:] == ["112.50", "1350.00", "", "Mistral 7B (API)"]
    assert len(rows) == 6


def test_csv_export_lists_excluded_models_with_their_reasons(alice_client, saved_private):
    response = alice_client.get(f"/t/alpha/evaluations/{saved_private.pk}/csv/")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    excluded = {row[2]: row[12] for row in rows if row[0] == "excluded"}
    assert excluded == {
        "Claude 3 Opus": "Cannot be self-hosted.",
        "GPT-4 Turbo": "Cannot be self-hosted.",
        "Mistral 7B": "Self-hosting unknown.",
    }


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_defused(alice_client, team, alice):
    ModelOptionFactory(name='=HYPERLINK("http://example.com")')
    evaluation = evaluation_create(team=team, name="Injection", created_by=alice, priorities=["cost"])

    response = alice_client.get(f"/t/alpha/evaluations/{evaluation.pk}/csv/")

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][2] == '\'=HYPERLINK("http://example.com")'


# --- Renaming and deleting ------------------------------------------------------------------------


def test_names_are_unique_per_team(team, alice, saved):
    with pytest.raises(ValidationError, match="already has an evaluation named"):
        evaluation_create(team=team, name="Support bot", created_by=alice, priorities=["cost"])


def test_editor_renames_and_deletes_on_the_pages(carol_client, saved):
    renamed = carol_client.post(f"/t/alpha/evaluations/{saved.pk}/edit/", {"name": "Support bot v2"})
    saved.refresh_from_db()
    deleted = carol_client.post(f"/t/alpha/evaluations/{saved.pk}/delete/")

    assert renamed.status_code == 302 and saved.name == "Support bot v2"
    assert deleted.status_code == 302 and not Evaluation.objects.exists()


def test_renaming_to_a_taken_name_is_a_field_error(alice_client, team, alice, saved, article_catalog):
    other = evaluation_create(team=team, name="Other", created_by=alice, priorities=["cost"])

    response = alice_client.post(f"/t/alpha/evaluations/{other.pk}/edit/", {"name": "Support bot"})

    assert response.status_code == 400
    assert (
        "This team already has an evaluation named “Support bot”." in response.context["form"].errors["name"]
    )


def test_viewers_and_outsiders_cannot_rename_or_delete(bob_client, charlie_client, saved):
    assert bob_client.post(f"/t/alpha/evaluations/{saved.pk}/delete/").status_code == 403
    assert bob_client.get(f"/t/alpha/evaluations/{saved.pk}/edit/").status_code == 403
    assert charlie_client.post(f"/t/alpha/evaluations/{saved.pk}/delete/").status_code == 404
    assert Evaluation.objects.filter(pk=saved.pk).exists()


def test_api_patch_renames_and_delete_removes(write_client, read_client, saved):
    url = f"{LIST}{saved.pk}/"

    refused = read_client.delete(url)
    renamed = write_client.patch(url, {"name": "Renamed"}, content_type="application/json")
    deleted = write_client.delete(url)

    assert refused.status_code == 403
    assert renamed.status_code == 200 and renamed.json()["name"] == "Renamed"
    assert renamed.json()["snapshot"] == saved.snapshot
    assert deleted.status_code == 204 and not Evaluation.objects.exists()


def test_the_delete_button_asks_first_naming_the_evaluation(alice_client, saved):
    html = alice_client.get(f"/t/alpha/evaluations/{saved.pk}/").content.decode()

    assert 'data-confirm="Delete the evaluation “Support bot”?' in html
