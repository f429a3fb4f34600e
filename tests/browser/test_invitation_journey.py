"""An owner invites by link; a signed-out visitor opens it, signs up and lands in the team."""

from __future__ import annotations

import pytest

from portal.models import Membership
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invited_visitor_signs_up_and_lands_in_the_team(live_server, browser, page, alice, team):
    sign_in(page, live_server.url, "alice")
    page.goto(f"{live_server.url}/t/{team.slug}/")
    page.get_by_label("Role of the invited member").select_option("editor")
    page.get_by_label("Valid for (days)").fill("3")
    with page.expect_navigation():
        page.get_by_role("button", name="Create invitation link").click()
    link = page.inner_text("[data-testid=invitation-link]").strip()
    assert link.startswith(f"{live_server.url}/invite/")
    assert "open" in page.inner_text("[data-testid=invitations]")

    # Someone without an account, in a browser of their own.
    visitor_context = browser.new_context(viewport={"width": 1280, "height": 900})
    visitor = visitor_context.new_page()
    visitor.set_default_timeout(10_000)
    try:
        visitor.goto(link)
        assert "You are invited to join as editor" in visitor.inner_text("main")
        visitor.get_by_label("Username").fill("erin")
        visitor.get_by_label("Password", exact=True).fill("a long enough passphrase 42")
        visitor.get_by_label("Password again").fill("a different passphrase 42")
        with visitor.expect_navigation():
            visitor.get_by_role("button", name="Create account and join").click()
        # The mistake is told at its field, which names it.
        again = visitor.get_by_label("Password again")
        described = again.get_attribute("aria-describedby") or ""
        assert any(
            "type the same password twice" in visitor.inner_text(f"[id='{i}']")
            for i in described.split()
            if visitor.locator(f"[id='{i}']").count()
        )
        assert not Membership.objects.filter(user__username="erin").exists()

        visitor.get_by_label("Password", exact=True).fill("a long enough passphrase 42")
        visitor.get_by_label("Password again").fill("a long enough passphrase 42")
        with visitor.expect_navigation():
            visitor.get_by_role("button", name="Create account and join").click()

        assert visitor.url == f"{live_server.url}/t/{team.slug}/"
        assert "Welcome to Alpha: you joined as editor." in visitor.inner_text("main")
        assert "erin" in visitor.inner_text("header")  # signed in as the new account
        membership = Membership.objects.get(user__username="erin")
        assert (membership.team, membership.role) == (team, "editor")

        # Home tells the new member where to start.
        visitor.goto(f"{live_server.url}/")
        assert "Start here" in visitor.inner_text("[data-testid=next-steps]")
    finally:
        visitor_context.close()

    page.reload()
    assert "used by erin" in page.inner_text("[data-testid=invitations]")
