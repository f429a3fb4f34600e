"""An owner opens a route's migration page, runs the probes now, watches the progress, and sees the
chart and the new row in the change history (a real Celery worker, real HTTP to the local upstream)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.probes.conftest import (  # noqa: F401  (fixtures)
    celery_app,
    probes_worker,
    route_factory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_runs_probes_now_and_sees_the_share_move(
    live_server,
    page,
    alice,
    team,
    route_factory,  # noqa: F811
    upstream,
    settings,
    celery_app,  # noqa: F811
    artifacts_dir,
):
    settings.PROBES_CONCURRENCY = 4
    upstream.app.latency_ms = 250  # 48 calls, four at a time: a few seconds of visible progress
    route = route_factory(os_model="local-os", probes=24)

    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/t/{team.slug}/routes/{route.pk}/migration/")
    assert page.locator("[data-testid=share]").inner_text() == "0 %"
    assert "has not changed yet" in page.locator("[data-testid=history]").inner_text()

    with probes_worker(celery_app):
        page.click("text=Run probes now")
        page.wait_for_selector("[data-testid=round-progress]")
        # The fragment polls the round: we see it part-way through.
        # Locators, not a JavaScript predicate: the pages' CSP forbids evaluating strings.
        expect(page.locator("[data-testid=round-progress]")).to_contain_text(
            re.compile(r"\b([1-9]|[1-3][0-9]|4[0-7]) of 48 calls"), timeout=20_000
        )
        page.screenshot(path=str(artifacts_dir / "migration-progress.png"))
        # When the round is applied the page reloads with the new share, chart and history.
        # Locator waits, not string predicates: the page's CSP forbids eval after the reload.
        expect(page.locator("[data-testid=share]")).to_have_text("10 %", timeout=30_000)
    deadline = time.monotonic() + 10
    while not page.evaluate("!!(document.getElementById('quality-chart') || {}).chart"):
        assert time.monotonic() < deadline, "the quality chart was not drawn"
        time.sleep(0.1)
    datasets = page.evaluate("document.getElementById('quality-chart').chart.data.datasets.map(d => d.label)")
    assert {"open source", "proprietary", "threshold", "open-source share (%)"} <= set(datasets)
    history = page.locator("[data-testid=history] tbody tr").first.inner_text()
    assert "probe round" in history and "0 %" in history and "10 %" in history
    page.locator("details.result").first.click()
    assert page.locator("details.result").first.locator("pre").count() == 2
    page.screenshot(path=str(artifacts_dir / "migration-page.png"), full_page=True)
