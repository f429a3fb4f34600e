from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_signs_in_opens_the_matrix_and_filters_by_kind(live_server, page, alice, team, artifacts_dir):
    from catalog.services import catalog_load_article_models

    catalog_load_article_models()
    sign_in(page, live_server.url, "alice")

    page.click("text=Capability matrix")
    header = page.locator("[data-testid=capability-matrix] thead th")
    assert header.all_inner_texts() == [
        "Capability",
        "Claude 3 Opus",
        "GPT-4 Turbo",
        "Llama 2 70B",
        "Mistral 7B",
        "Mixtral 8x7B",
    ]

    with page.expect_response(lambda r: "/catalog/matrix/" in r.url and r.request.headers.get("hx-request")):
        page.select_option("select[name=kind]", "open_source")
    expect(page.locator("[data-testid=capability-matrix] thead th")).to_have_count(4)
    assert header.all_inner_texts() == ["Capability", "Llama 2 70B", "Mistral 7B", "Mixtral 8x7B"]
    assert page.url.endswith("/catalog/matrix/?kind=open_source")
    row = page.locator("tr", has=page.locator("th", has_text="Self-hosting"))
    assert row.locator("td").all_inner_texts() == ["Yes", "unknown", "Yes"]
    page.screenshot(path=str(artifacts_dir / "capability-matrix.png"), full_page=True)
