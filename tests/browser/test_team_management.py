from __future__ import annotations

import pytest

from portal.models import Membership
from tests.browser.conftest import sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_adds_a_member_then_removes_them_after_a_named_confirmation(live_server, page, alice, team):
    UserFactory(username="dave", email="dave@example.com")
    sign_in(page, live_server.url, "alice")

    page.goto(f"{live_server.url}/t/{team.slug}/")
    page.get_by_label("Username or email").fill("dave@example.com")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.click("text=Add member")
    page.wait_for_selector("tr[data-member=dave]")
    assert Membership.objects.get(team=team, user__username="dave").role == "editor"

    dialogs: list[str] = []

    def dismiss_then_accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    page.on("dialog", dismiss_then_accept)
    page.get_by_role("button", name="Remove dave").click()
    assert dialogs == ["Remove dave from Alpha?"]
    assert Membership.objects.filter(team=team, user__username="dave").exists()  # dismissed: nothing sent

    with page.expect_navigation():
        page.get_by_role("button", name="Remove dave").click()
    assert dialogs[-1] == "Remove dave from Alpha?"
    assert not Membership.objects.filter(team=team, user__username="dave").exists()
