"""Saved evaluations carry the version of their snapshot's shape; one saved in an older shape is
upgraded when read, so it still shows, compares and exports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluations.models import Evaluation
from evaluations.selectors import evaluation_get
from evaluations.services import evaluation_create
from evaluations.snapshots import SNAPSHOT_VERSION, snapshot_upgrade

pytestmark = pytest.mark.django_db

# Saved by the portal before snapshots had a version: the article catalog, the startup profile, the
# article's traffic, and a minimum context of 8,000 tokens.
V1_SNAPSHOT = json.loads((Path(__file__).parent / "data" / "evaluation_snapshot_v1.json").read_text())


@pytest.fixture
def old_evaluation(team, alice) -> Evaluation:
    evaluation = Evaluation.objects.create(
        team=team, name="Q3 decision", priorities=V1_SNAPSHOT["recommendation"]["priorities"], snapshot={}
    )
    # Written as stored rows were, bypassing the model's field conversion on the way in.
    Evaluation.objects.filter(pk=evaluation.pk).update(snapshot=V1_SNAPSHOT)
    return evaluation


def test_the_stored_snapshot_is_the_old_shape():
    assert "schema_version" not in V1_SNAPSHOT
    assert SNAPSHOT_VERSION == 4


def test_an_old_snapshot_is_read_in_the_current_shape(team, old_evaluation):
    snapshot = evaluation_get(team=team, evaluation_id=old_evaluation.pk).snapshot

    assert snapshot["schema_version"] == 4
    # Version 2 -> 3: the best possible score, and results without a reason or a cost at the usage.
    assert snapshot["recommendation"]["max_score"] == "18.33"  # 10 x (1 + 1/2 + 1/3)
    assert snapshot["recommendation"]["cost_from_usage"] is False
    assert [r["reason"] for r in snapshot["recommendation"]["results"]] == [""] * len(
        V1_SNAPSHOT["recommendation"]["results"]
    )
    assert {r["cost_score_from"] for r in snapshot["recommendation"]["results"]} == {"catalog"}
    assert snapshot["cost_report"]["usage"] == {
        **V1_SNAPSHOT["cost_report"]["usage"],
        "shut_down_idle_days": True,
        "billed_days": V1_SNAPSHOT["cost_report"]["usage"].get("days_per_month", 30),
    }
    assert snapshot["cost_report"]["comparisons"] == V1_SNAPSHOT["cost_report"]["comparisons"]
    stored = Evaluation.objects.filter(pk=old_evaluation.pk).values_list(
        "snapshot__recommendation", flat=True
    )
    assert stored.get() == V1_SNAPSHOT["recommendation"]  # a key read from inside is left alone


def test_an_old_snapshot_shows_on_the_page_in_the_api_and_in_csv(alice_client, old_evaluation):
    page = alice_client.get(f"/t/alpha/evaluations/{old_evaluation.pk}/")
    api = alice_client.get(f"/api/evaluations/{old_evaluation.pk}/")
    export = alice_client.get(f"/t/alpha/evaluations/{old_evaluation.pk}/csv/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Minimum context 8,000 tokens" in html and "$10,500.00" in html and "15.83" in html
    assert api.json()["snapshot"]["schema_version"] == 4
    assert [r["score"] for r in api.json()["snapshot"]["recommendation"]["results"]] == [
        r["score"] for r in V1_SNAPSHOT["recommendation"]["results"]
    ]
    rows = export.content.decode().splitlines()
    assert rows[1].startswith("ranked,1,GPT-4 Turbo,Proprietary,15.83,")
    assert rows[-1].startswith("excluded,,Mistral 7B,Open source,")


def test_missing_keys_of_the_first_shape_are_filled_in():
    minimal = {"recommendation": V1_SNAPSHOT["recommendation"]}

    upgraded = snapshot_upgrade(minimal)

    assert {k: v for k, v in upgraded.items() if k != "recommendation"} == {
        "profile_name": None,
        "usage_pattern_name": None,
        "cost_report": None,
        "schema_version": 4,
    }
    assert minimal == {"recommendation": V1_SNAPSHOT["recommendation"]}  # the input is not changed


def test_a_snapshot_from_a_newer_portal_is_refused():
    with pytest.raises(ValueError, match=r"Unknown snapshot version 5; this portal reads up to 4\."):
        snapshot_upgrade({**V1_SNAPSHOT, "schema_version": 5})


def test_a_version_3_result_says_it_was_priced_its_usual_way():
    def result(name: str, kind: str, cost_from: str) -> dict:
        model = {"id": len(name), "name": name, "kind": kind}
        return {"model": model, "monthly_cost": None, "cost_score_from": cost_from}

    v3 = {
        "schema_version": 3,
        "recommendation": {
            "results": [
                result("Llama 2 70B", "open_source", "usage"),
                result("GPT-4 Turbo", "proprietary", "usage"),
                result("Mistral 7B", "open_source", "catalog"),
            ]
        },
    }

    upgraded = snapshot_upgrade(v3)["recommendation"]["results"]

    assert [(r["cost_basis"], r["cost_label"]) for r in upgraded] == [
        ("self_hosted", "Llama 2 70B"),
        ("api", "GPT-4 Turbo"),
        (None, "Mistral 7B"),
    ]


def test_new_evaluations_are_saved_in_the_current_shape(team, alice, startup_profile, article_catalog):
    evaluation_create(team=team, name="Now", created_by=alice, profile=startup_profile)

    stored = Evaluation.objects.filter(name="Now").values_list("snapshot__schema_version", flat=True)
    assert stored.get() == SNAPSHOT_VERSION
