"""The pages keep their Content-Security-Policy: every script comes from a static file, the charts,
htmx, the API docs and the admin all work under it (the page fixture fails on any violation)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_and_admin_run_under_the_policy(live_server, page, staff, alice, team):
    sign_in(page, live_server.url, "alice")
    team_page = page.goto(f"{live_server.url}/t/{team.slug}/")
    assert "script-src 'self'" in team_page.headers["content-security-policy"]
    assert "no-store" in team_page.headers["cache-control"]
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Modelwise API" in page.inner_text(".swagger-ui .info .title")

    page.context.clear_cookies()
    sign_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/admin/catalog/modeloption/")
    page.wait_for_selector("#changelist")


def test_an_injected_inline_script_is_refused_and_reported(live_server, browser, alice, team):
    context = browser.new_context()
    page = context.new_page()
    reported: list[str] = []
    page.on("console", lambda message: reported.append(message.text))
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/t/{team.slug}/")
    # A script injected into the page's markup (as an injection attack would) does not run.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = true';"
        " document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.ran === true") is False
    assert any("Content Security Policy" in text for text in reported), reported
    context.close()
