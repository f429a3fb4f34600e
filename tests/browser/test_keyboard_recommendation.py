"""The recommendation form by keyboard alone: tab to the priority lists, choose with the arrow keys
(stepping through options neither re-ranks nor adds history), submit, read the ranking where focus
lands."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The options of a priority list, in order: "—" then the six priorities.
OPTIONS = ["", "cost", "performance", "customization", "data_privacy", "time_to_market", "maintenance"]


def _focused(page) -> dict:
    return page.evaluate(
        "() => ({name: document.activeElement.name || '', id: document.activeElement.id || '',"
        " text: document.activeElement.innerText || '', tag: document.activeElement.tagName})"
    )


def _tab_to(page, predicate, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if predicate(_focused(page)):
            return
    raise AssertionError(f"Tab never reached the control; focus is on {_focused(page)}")


def _choose(page, priority: str) -> None:
    """Step down the focused list with the arrow key until it shows ``priority``."""
    for _ in range(OPTIONS.index(priority)):
        page.keyboard.press("ArrowDown")


def test_a_keyboard_user_ranks_the_catalog_and_lands_on_the_ranking(live_server, page, carol, team):
    from catalog.services import catalog_load_article_models, catalog_prices_refresh

    catalog_load_article_models()
    catalog_prices_refresh()
    sign_in(page, live_server.url, "carol")
    page.goto(f"{live_server.url}/t/{team.slug}/recommendations/")
    reranks: list[str] = []

    def count(request) -> None:
        if "/recommendations/" in request.url and request.headers.get("hx-request"):
            reranks.append(request.url)

    page.on("request", count)
    history = page.evaluate("history.length")

    _tab_to(page, lambda f: f["name"] == "priority_1")
    _choose(page, "time_to_market")  # five keypresses
    page.wait_for_timeout(1_000)  # longer than the form's 600 ms delay
    assert page.eval_on_selector("select[name=priority_1]", "s => s.value") == "time_to_market"
    assert reranks == [] and page.evaluate("history.length") == history
    assert "priority_1" not in page.url

    for slot, priority in (("priority_2", "performance"), ("priority_3", "cost")):
        page.keyboard.press("Tab")  # leaving the list applies its choice, once
        assert _focused(page)["name"] == slot
        _choose(page, priority)
    page.wait_for_timeout(1_000)
    assert len(reranks) == 1  # priority 1 on leaving it; priority 3 is still held

    _tab_to(page, lambda f: f["text"].strip() == "Rank models")
    with page.expect_response(lambda r: "/recommendations/" in r.url and r.request.headers.get("hx-request")):
        page.keyboard.press("Enter")
    expect(page.locator("#ranking-heading")).to_be_focused()

    first = page.locator("[data-testid=ranking] tbody tr").first
    # Time to market, performance, cost: GPT-4 Turbo 10 + 9/2 + 4/3 = 15.83, the article's figure.
    assert first.get_attribute("data-model") == "GPT-4 Turbo"
    assert first.locator("[data-testid=score]").inner_text() == "15.83"
    assert "priority_1=time_to_market&priority_2=performance&priority_3=cost" in page.url
    # At most one re-rank per list chosen plus the submit, never one per keypress (eight).
    assert len(reranks) <= 4
    assert page.evaluate("history.length") - history <= 4
    assert "Ranking updated: 5 models, first GPT-4 Turbo." in page.inner_text("#live-status")
