from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_creates_the_default_routes_sets_a_share_and_sees_it_recorded(
    live_server, page, alice, team, artifacts_dir
):
    from catalog.models import ModelOption
    from catalog.services import catalog_load_article_models
    from routing.models import Route, ShareChange
    from routing.services import backend_create

    catalog_load_article_models()

    backend_create(
        team=team,
        name="OpenAI",
        kind="proprietary",
        base_url="https://api.openai.com/v1",
        catalog_model=ModelOption.objects.get(name="GPT-4 Turbo"),
        api_key="sk-browser-secret",
    )
    backend_create(
        team=team,
        name="Llama",
        kind="open_source",
        base_url="http://llama.internal/v1",
        catalog_model=ModelOption.objects.get(name="Llama 2 70B"),
    )
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/t/{team.slug}/routing/")
    assert "sk-browser-secret" not in page.content()

    # A new team starts from the article's rule.
    page.select_option("[data-testid=defaults-form] select[name=proprietary_backend]", label="OpenAI")
    page.select_option("[data-testid=defaults-form] select[name=open_source_backend]", label="Llama")
    page.click("text=Create the default routes")
    page.wait_for_selector("[data-route=complex-tasks]")
    assert page.locator("[data-route=complex-tasks] [data-testid=share]").inner_text() == "0 %"

    # The owner moves a tenth of the complex tasks to open source; htmx swaps the routes in place.
    form = page.locator("[data-testid=share-form-complex-tasks]")
    form.locator("input[name=open_source_share]").fill("10")
    form.locator("input[name=reason]").fill("Start the migration")
    with page.expect_response(lambda r: r.url.endswith("/share/") and r.request.headers.get("hx-request")):
        form.locator("button").click()
    share = "[data-route=complex-tasks] [data-testid=share]"
    expect(page.locator(share)).to_have_text("10 %")
    history = page.locator("[data-testid=share-history] tbody tr").first.inner_text()
    assert "0 % → 10 %" in history and "alice" in history and "Start the migration" in history
    page.screenshot(path=str(artifacts_dir / "routing-share.png"), full_page=True)

    route = Route.objects.get(team=team, name="complex-tasks")
    assert route.open_source_share == 10
    assert ShareChange.objects.filter(route=route, to_share=10, changed_by=alice).exists()

    # A reload shows the same: the change is stored, not just drawn.
    page.reload()
    assert page.locator("[data-route=complex-tasks] [data-testid=share]").inner_text() == "10 %"
