"""Messages speak the user's words: no page, form error, requirement reason, saved snapshot or API
message shows a field's code name (``time_to_market``, ``instance_hourly_cost``) where its words
("time to market", "hourly instance cost") belong. API error keys stay the field keys."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.apps import apps

from catalog.models import ModelOption
from catalog.vocabulary import PRIORITIES
from evaluations.costing import USAGE_FIELDS
from evaluations.models import Evaluation
from evaluations.services import usage_pattern_create
from tests.portal.pages import lived_in_team, page_urls

pytestmark = pytest.mark.django_db

REQUIREMENT_KEYS = ("self_hostable", "min_context", "function_calling", "fine_tuning", "max_monthly_cost")


def _code_names() -> set[str]:
    """Every field name with an underscore in the project's models, plus the API's own keys."""
    names = {*PRIORITIES, *USAGE_FIELDS, *REQUIREMENT_KEYS, "usage_pattern", "open_source", "read_write"}
    for model in apps.get_models():
        if model._meta.app_label in ("catalog", "evaluations", "routing", "portal"):
            names |= {f.name for f in model._meta.get_fields()}
    return {name for name in names if "_" in name}


CODE_NAMES = _code_names()
CODE_NAME = re.compile(r"\b(" + "|".join(sorted(map(re.escape, CODE_NAMES), key=len, reverse=True)) + r")\b")


class _VisibleText(HTMLParser):
    """The text a reader sees: no scripts, styles, or literal code (curl lines, JSON examples)."""

    HIDDEN = {"script", "style", "code", "pre", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        for name, value in attrs:  # what assistive technology reads out, and tooltips
            if name in ("aria-label", "title", "placeholder", "data-confirm", "data-announce") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def code_names_in_html(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return sorted({m.group(0) for m in CODE_NAME.finditer(" ".join(parser.parts))})


def _messages(body: Any) -> list[str]:
    """Every message string in an API error body (not its keys)."""
    if isinstance(body, dict):
        return [m for value in body.values() for m in _messages(value)]
    if isinstance(body, list):
        return [m for value in body for m in _messages(value)]
    return [str(body)]


QUOTED = re.compile(r"'[^']*'")


def code_names_in_messages(body: Any) -> list[str]:
    """Code names in message text; a value quoted as a client sends it ('time_to_market') is the
    API's own spelling, not a field name, and is left out."""
    texts = [QUOTED.sub("", text) for text in _messages(body)]
    return sorted({m.group(0) for text in texts for m in CODE_NAME.finditer(text)})


@pytest.fixture
def lived(team, alice, article_catalog):
    return lived_in_team(team=team, owner=alice, catalog=article_catalog)


def test_no_page_shows_a_code_name(alice_client, lived, article_catalog):
    found = {}
    for url in page_urls(lived, article_catalog):
        names = code_names_in_html(alice_client.get(url).content.decode())
        if names:
            found[url] = names
    assert found == {}


def test_form_errors_use_words_and_sit_at_their_fields(alice_client, lived, article_catalog):
    t = "/t/alpha"
    posts = [
        (f"{t}/profiles/", {"name": "", "priority_1": "cost", "priority_2": "cost"}),
        (f"{t}/usage-patterns/", {"name": "x", "daily_requests": "-1", "avg_input_tokens": "9999999999"}),
        (f"{t}/routing/backends/new/", {"name": "", "kind": "proprietary", "base_url": "ftp://x"}),
        (f"{t}/routing/routes/new/", {"name": "a b", "task_types": "analysis", "open_source_share": "200"}),
        (f"{t}/tokens/", {"name": "CI", "access": "read"}),
        (f"{t}/invitations/", {"role": "editor", "days_valid": "999"}),
        (f"{t}/members/add/", {"username_or_email": "nobody", "role": "editor"}),
    ]
    gets = [
        f"{t}/recommendations/?priority_1=cost&min_context=-4&max_monthly_cost=5",
        f"{t}/cost-report/?daily_requests=-1&avg_input_tokens=x&peak_concurrent=0&days_per_month=40",
        f"{t}/routing/?status=abc&since=yesterday",
    ]
    found = {}
    for url, data in posts:
        response = alice_client.post(url, data)
        assert response.status_code == 400, url  # the form is shown again with its errors
        html = response.content.decode()
        if names := code_names_in_html(html):
            found[url] = names
    for url in gets:
        if names := code_names_in_html(alice_client.get(url).content.decode()):
            found[url] = names
    assert found == {}


def test_requirement_reasons_and_cost_notes_use_words(alice_client, lived, article_catalog):
    body = alice_client.post(
        "/api/recommendations/",
        {
            "priorities": ["time_to_market", "data_privacy"],
            "usage_pattern": lived.usage.pk,
            "require": {"max_monthly_cost": "100000", "min_context": 50_000, "fine_tuning": "full"},
        },
        content_type="application/json",
    ).json()
    report = alice_client.post(
        "/api/cost-reports/", {"usage_pattern": lived.usage.pk}, content_type="application/json"
    ).json()

    texts = [r["reason"] for r in body["results"]] + [x for e in body["excluded"] for x in e["reasons"]]
    texts += report["notes"]
    assert code_names_in_messages(texts) == []
    assert any("hourly instance cost" in note for note in report["notes"])  # Mistral 7B self-hosted


@pytest.mark.parametrize(
    ("url", "payload"),
    [
        ("/api/recommendations/", {"priorities": ["time_to_market", "time_to_market"]}),
        ("/api/recommendations/", {"priorities": ["speed"]}),
        ("/api/recommendations/", {"priorities": ["cost"], "require": {"max_monthly_cost": "5"}}),
        (
            "/api/recommendations/",
            {"priorities": ["cost"], "require": {"min_context": -1, "fine_tuning": "x"}},
        ),
        ("/api/recommendations/", {"priorities": ["cost"], "usage": {"daily_requests": -1}}),
        ("/api/cost-reports/", {"usage": {"daily_requests": 1, "avg_input_tokens": -1}}),
        ("/api/cost-reports/", {}),
        ("/api/usage-patterns/", {"name": "x", "daily_requests": 1, "peak_concurrent": 0}),
        ("/api/profiles/", {"name": "x", "priorities": ["data_privacy", "data_privacy"]}),
        ("/api/backends/", {"name": "x", "kind": "open_source", "base_url": "nope"}),
        ("/api/routes/", {"name": "x", "task_types": ["a"], "open_source_share": 101}),
    ],
)
def test_api_messages_keep_field_keys_and_speak_words(alice_client, lived, url, payload):
    response = alice_client.post(url, payload, content_type="application/json")

    assert 400 <= response.status_code < 500, response.content
    assert code_names_in_messages(response.json()) == []


def test_a_saved_snapshot_reads_in_words(alice_client, lived, team):
    ModelOption.objects.filter(name="Llama 2 70B").update(setup_hours=None)
    pattern = usage_pattern_create(
        team=team, name="Tiny", daily_requests=1, avg_input_tokens=1, avg_output_tokens=1, peak_concurrent=1
    )
    alice_client.post(
        f"/t/alpha/evaluations/new/?priority_1=time_to_market&usage_pattern={pattern.pk}"
        f"&max_monthly_cost={Decimal('1')}",
        {"name": "Tiny one"},
    )
    evaluation = Evaluation.objects.get(name="Tiny one")

    html = alice_client.get(f"/t/alpha/evaluations/{evaluation.pk}/").content.decode()
    csv_text = alice_client.get(f"/t/alpha/evaluations/{evaluation.pk}/csv/").content.decode()

    assert "missing setup hours" in html  # Llama 2 70B, excluded: its cost is unknown
    assert code_names_in_html(html) == []
    # The CSV's rows (its header aside) are read by people too.
    assert code_names_in_messages(csv_text.splitlines()[1:]) == []


def test_a_snapshot_saved_with_code_names_reads_in_words(alice_client, lived):
    stored = dict(lived.evaluation.snapshot)
    stored["schema_version"] = 3
    stored["recommendation"] = {
        **stored["recommendation"],
        "excluded": [
            {
                "model": {"id": 999, "name": "Old model", "kind": "open_source"},
                "reasons": ["Monthly cost unknown: missing instance_hourly_cost, setup_hours."],
            }
        ],
    }
    stored["cost_report"] = {
        **stored["cost_report"],
        "notes": ["Mistral 7B: not priced, missing setup_hours."],
    }
    Evaluation.objects.filter(pk=lived.evaluation.pk).update(snapshot=stored)

    html = alice_client.get(f"/t/alpha/evaluations/{lived.evaluation.pk}/").content.decode()

    assert "Monthly cost unknown: missing hourly instance cost, setup hours." in html
    assert "Mistral 7B: not priced, missing setup hours." in html
    assert code_names_in_html(html) == []
