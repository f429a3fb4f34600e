"""Each error sits at its field: the message is in the field's own error slot, which the input names
in aria-describedby, on every form; a result swapped in by htmx fills the slots out of band."""

from __future__ import annotations

import pytest

from tests.portal.pages import lived_in_team, scan_controls

pytestmark = pytest.mark.django_db


@pytest.fixture
def lived(team, alice, article_catalog):
    return lived_in_team(team=team, owner=alice, catalog=article_catalog)


def _error_at(html: str, name: str) -> str:
    """The text of the error slots the input called ``name`` is described by."""
    scanner = scan_controls(html)
    control = next(c for c in scanner.controls if c.attrs.get("name") == name)
    described = control.attrs.get("aria-describedby", "").split()
    return " ".join(scanner.ids.get(i, "") for i in described if i.endswith("_error"))


T = "/t/alpha"


@pytest.mark.parametrize(
    ("method", "url", "data", "field", "message"),
    [
        ("get", f"{T}/recommendations/", {"priority_1": "cost", "min_context": "-4"}, "min_context", "1"),
        (
            "get",
            f"{T}/recommendations/",
            {"priority_1": "", "kind": "x"},
            "priority_1",
            "At least one priority",
        ),
        (
            "get",
            f"{T}/cost-report/",
            {
                "daily_requests": "5",
                "avg_input_tokens": "1",
                "avg_output_tokens": "1",
                "peak_concurrent": "1",
                "days_per_month": "40",
            },
            "days_per_month",
            "31",
        ),
        ("post", f"{T}/profiles/", {"name": "P"}, "priority_1", "At least one priority is required."),
        (
            "post",
            f"{T}/usage-patterns/",
            {
                "name": "U",
                "daily_requests": "-1",
                "avg_input_tokens": "1",
                "avg_output_tokens": "1",
                "peak_concurrent": "1",
            },
            "daily_requests",
            "Daily requests cannot be negative.",
        ),
        (
            "post",
            f"{T}/routing/backends/new/",
            {"name": "B", "kind": "proprietary", "base_url": "ftp://x"},
            "base_url",
            "URL",
        ),
        (
            "post",
            f"{T}/routing/routes/new/",
            {"name": "r", "task_types": "analysis", "open_source_share": "200"},
            "open_source_share",
            "100",
        ),
        ("post", f"{T}/tokens/", {"name": "CI", "access": "read"}, "name", "already has a token named"),
    ],
)
def test_an_error_is_at_its_field(alice_client, lived, method, url, data, field, message):
    response = getattr(alice_client, method)(url, data)

    assert message in _error_at(response.content.decode(), field)


def test_a_result_swapped_in_fills_the_error_slots_out_of_band(alice_client, lived):
    fragment = alice_client.get(
        f"{T}/recommendations/", {"priority_1": "cost", "min_context": "-4"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    fixed = alice_client.get(
        f"{T}/recommendations/", {"priority_1": "cost", "min_context": "4000"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    scanner = scan_controls(fragment)
    assert 'id="id_min_context_error" hx-swap-oob="true"' in fragment and scanner.ids["id_min_context_error"]
    # Once fixed, the slot is swapped in empty, so the old message goes away.
    assert scan_controls(fixed).ids["id_min_context_error"] == ""


def test_request_log_filter_errors_name_the_field_in_words(alice_client, lived):
    html = alice_client.get(f"{T}/routing/", {"status_code": "9", "since": "yesterday"}).content.decode()

    assert '<a href="#id_status_code">Status code</a>:' in html and "<strong>status_code</strong>" not in html
    assert "Enter a valid date/time." in _error_at(html, "since")
