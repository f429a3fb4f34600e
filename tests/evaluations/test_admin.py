"""Staff see every team's decision rows in the admin; saved evaluations there are read-only."""

from __future__ import annotations

import pytest

from evaluations.services import evaluation_create

pytestmark = pytest.mark.django_db


def test_staff_open_the_changelists_filtered_by_team(
    staff_client, team, alice, startup_profile, article_usage
):
    evaluation = evaluation_create(team=team, name="Saved", created_by=alice, priorities=["cost"])
    for url in [
        "/admin/evaluations/priorityprofile/",
        f"/admin/evaluations/priorityprofile/?team__id__exact={team.pk}",
        f"/admin/evaluations/priorityprofile/{startup_profile.pk}/change/",
        "/admin/evaluations/usagepattern/",
        f"/admin/evaluations/usagepattern/{article_usage.pk}/change/",
        "/admin/evaluations/evaluation/",
        f"/admin/evaluations/evaluation/{evaluation.pk}/change/",
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_saved_evaluations_cannot_be_added_in_the_admin(staff_client):
    assert staff_client.get("/admin/evaluations/evaluation/add/").status_code == 403


def test_admin_refuses_a_bad_priority_list(staff_client, team):
    response = staff_client.post(
        "/admin/evaluations/priorityprofile/add/",
        {"team": team.pk, "name": "Bad", "priorities": '["cost", "cost"]'},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["priorities"] == ["Priorities must not repeat: cost."]


def test_members_who_are_not_staff_are_sent_to_the_admin_login(alice_client):
    response = alice_client.get("/admin/evaluations/priorityprofile/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
