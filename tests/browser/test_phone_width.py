"""At a phone's width (390 px) no page scrolls sideways: tables scroll in their own box and the menu
folds behind a button."""

from __future__ import annotations

import pytest

from evaluations.services import profile_create, usage_pattern_create
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# The elements that stick out, to say in the failure which ones they are.
WIDER_THAN_THE_SCREEN = (
    '() => [...document.querySelectorAll("body *")]'
    ".filter(e => e.getBoundingClientRect().right > 391).slice(0, 6)"
    '.map(e => e.tagName + "." + e.className + "#" + (e.getAttribute("data-testid") || ""))'
)


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_no_main_page_scrolls_sideways_at_390_px(
    live_server, phone, alice, team, article_catalog, artifacts_dir
):
    profile = profile_create(team=team, name="Startup", priorities=["cost", "time_to_market", "performance"])
    usage_pattern_create(
        team=team,
        name="Article",
        daily_requests=10_000,
        avg_input_tokens=500,
        avg_output_tokens=1_000,
        peak_concurrent=50,
    )
    sign_in(phone, live_server.url, "alice")
    pages = [
        "/",
        "/catalog/",
        "/catalog/matrix/",
        f"/catalog/models/{article_catalog['Llama 2 70B'].pk}/",
        "/t/alpha/",
        "/t/alpha/tokens/",
        "/t/alpha/profiles/",
        f"/t/alpha/profiles/{profile.pk}/",
        "/t/alpha/recommendations/?priority_1=cost&priority_2=performance",
        "/t/alpha/usage-patterns/",
        "/t/alpha/cost-report/",
        "/t/alpha/evaluations/",
        "/t/alpha/routing/",
    ]
    overflowing = {}
    for path in pages:
        phone.goto(live_server.url + path)
        phone.wait_for_load_state("load")
        widths = phone.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if widths[0] > widths[1]:
            overflowing[path] = [
                *widths,
                phone.evaluate(WIDER_THAN_THE_SCREEN),
            ]
            phone.screenshot(
                path=str(artifacts_dir / f"phone-overflow-{len(overflowing)}.png"), full_page=True
            )
    assert overflowing == {}


def test_the_menu_folds_behind_a_button_at_390_px(live_server, phone, alice, team):
    sign_in(phone, live_server.url, "alice")
    phone.goto(f"{live_server.url}/t/alpha/")

    menu = phone.get_by_role("button", name="Menu")
    assert menu.is_visible()
    assert not phone.locator("#site-nav").is_visible()
    menu.click()
    assert phone.locator("#site-nav").is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    assert phone.get_by_role("link", name="Cost report").is_visible()
