from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry

from catalog.models import ModelOption

pytestmark = pytest.mark.django_db


def test_staff_open_changelist_add_and_change_pages(staff_client, article_catalog):
    gpt4 = article_catalog["GPT-4 Turbo"]
    for url in [
        "/admin/catalog/modeloption/",
        "/admin/catalog/modeloption/add/",
        f"/admin/catalog/modeloption/{gpt4.pk}/change/",
        f"/admin/catalog/modeloption/{gpt4.pk}/history/",
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_changelist_filters_by_kind_and_capability_and_searches(staff_client, article_catalog):
    response = staff_client.get("/admin/catalog/modeloption/", {"kind": "open_source", "vision__exact": "0"})
    names = {m.name for m in response.context["cl"].result_list}
    assert names == {"Llama 2 70B", "Mixtral 8x7B"}
    response = staff_client.get("/admin/catalog/modeloption/", {"q": "claude"})
    assert [m.name for m in response.context["cl"].result_list] == ["Claude 3 Opus"]


def test_non_staff_members_are_sent_to_the_admin_login(alice_client, article_catalog):
    gpt4 = article_catalog["GPT-4 Turbo"]
    for url in [
        "/admin/catalog/modeloption/",
        "/admin/catalog/modeloption/add/",
        f"/admin/catalog/modeloption/{gpt4.pk}/change/",
    ]:
        response = alice_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_change_is_recorded_in_the_history(staff_client, article_catalog):
    gpt4 = article_catalog["GPT-4 Turbo"]
    data = {f.name: getattr(gpt4, f.name) for f in ModelOption._meta.fields if f.editable and f.name != "id"}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["score_cost"] = 6
    data["is_active"] = "on"
    response = staff_client.post(f"/admin/catalog/modeloption/{gpt4.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    gpt4.refresh_from_db()
    assert gpt4.score_cost == 6
    assert LogEntry.objects.filter(object_id=str(gpt4.pk)).count() == 1


def test_refresh_prices_action_reports_changes(staff_client, article_catalog):
    ModelOption.objects.filter(name="Claude 3 Opus").update(input_price_per_mtok=None)
    response = staff_client.post(
        "/admin/catalog/modeloption/",
        {"action": "refresh_prices", "_selected_action": [m.pk for m in article_catalog.values()]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "Prices refreshed: 1 changed, 3 unchanged, 1 not found in genai-prices." in texts
    assert any(t.startswith("changed Claude 3 Opus") for t in texts)
    assert any(t.startswith("unknown Llama 2 70B") for t in texts)
