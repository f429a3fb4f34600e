from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _first_ranked(page) -> str:
    return page.locator("[data-testid=ranking] tbody tr").first.get_attribute("data-model")


def test_editor_builds_a_profile_reorders_it_and_reads_the_cost_report(
    live_server, page, carol, team, artifacts_dir
):
    from catalog.services import catalog_load_article_models, catalog_prices_refresh

    catalog_load_article_models()
    catalog_prices_refresh()
    sign_in(page, live_server.url, "carol")

    # A profile for a startup racing to market, created on the profiles page.
    page.goto(f"{live_server.url}/t/{team.slug}/profiles/")
    page.fill("input[name=name]", "Startup")
    page.select_option("select[name=priority_1]", "time_to_market")
    page.select_option("select[name=priority_2]", "performance")
    page.select_option("select[name=priority_3]", "cost")
    page.click("text=Create profile")
    page.wait_for_selector("[data-testid=ranking]")
    assert _first_ranked(page) == "GPT-4 Turbo"
    assert (
        page.locator("[data-testid=ranking] tbody tr").first.locator("[data-testid=score]").inner_text()
        == "15.83"
    )

    # Cost becomes the first priority, one click at a time; htmx re-ranks in place.
    with page.expect_response(lambda r: r.url.endswith("/move/") and r.request.headers.get("hx-request")):
        page.click("[data-testid=up-cost]")
    expect(page.locator("[data-testid=priority-order] li").nth(1)).to_have_attribute("data-priority", "cost")
    # The swap replaced the button; focus is back on the same priority's button, ready to press again.
    expect(page.locator("#move-cost-up")).to_be_focused()
    with page.expect_response(lambda r: r.url.endswith("/move/") and r.request.headers.get("hx-request")):
        page.click("[data-testid=up-cost]")
    expect(page.locator("[data-testid=priority-order] li").first).to_have_attribute("data-priority", "cost")
    expect(page.locator("#move-cost-down")).to_be_focused()  # at the top: no up button
    assert _first_ranked(page) == "Mistral 7B"
    page.reload()
    assert page.locator("[data-testid=priority-order] li").first.get_attribute("data-priority") == "cost"

    # The article's traffic, then the cost report with its charts.
    page.click("nav >> text=Usage")
    page.fill("input[name=name]", "Article traffic")
    page.fill("input[name=daily_requests]", "10000")
    page.fill("input[name=avg_input_tokens]", "500")
    page.fill("input[name=avg_output_tokens]", "1000")
    page.fill("input[name=peak_concurrent]", "50")
    page.click("text=Add usage pattern")
    page.wait_for_selector("[data-testid=usage-patterns]")

    page.click("nav >> text=Cost report")
    page.wait_for_selector("[data-testid=cumulative-chart][data-drawn=true]")
    page.wait_for_selector("[data-testid=volume-chart][data-drawn=true]")
    assert "never breaks even" in page.inner_text("[data-testid=break-even-note]")
    llama = page.locator("[data-testid=cost-table] tr[data-model='Llama 2 70B'] [data-testid=monthly-total]")
    assert llama.inner_text() == "$22,584.00"

    # Charting Claude 3 Opus instead swaps the report in with htmx and draws the charts again.
    with page.expect_response(lambda r: "/cost-report/" in r.url and r.request.headers.get("hx-request")):
        page.select_option("select[name=chart_proprietary]", label="Claude 3 Opus")
    expect(page.locator("[data-testid=break-even-note]")).to_contain_text("recovering")
    page.wait_for_selector("[data-testid=cumulative-chart][data-drawn=true]")
    assert "chart_proprietary=" in page.url
    page.screenshot(path=str(artifacts_dir / "decision-journey.png"), full_page=True)
