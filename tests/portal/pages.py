"""Every page of the portal, for tests that scan them all: a team with one of everything, and the
URLs that show it (forms with and without errors)."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from evaluations.models import Evaluation, PriorityProfile, UsagePattern
from evaluations.services import evaluation_create, profile_create, usage_pattern_create
from portal.models import Team
from portal.services import api_token_create, invitation_create
from routing.models import Backend, Route
from routing.services import backend_create, routing_defaults_create


@dataclass(frozen=True)
class LivedIn:
    team: Team
    profile: PriorityProfile
    usage: UsagePattern
    evaluation: Evaluation
    backend: Backend
    route: Route
    invitation_secret: str


def lived_in_team(*, team: Team, owner, catalog: dict) -> LivedIn:
    """A team with a profile, a usage pattern, a saved evaluation, two backends, routes, a token and
    an open invitation."""
    profile = profile_create(team=team, name="Startup", priorities=["time_to_market", "performance", "cost"])
    usage = usage_pattern_create(
        team=team,
        name="Article traffic",
        daily_requests=10_000,
        avg_input_tokens=500,
        avg_output_tokens=1_000,
        peak_concurrent=50,
    )
    evaluation = evaluation_create(
        team=team, name="Support bot", created_by=owner, profile=profile, usage_pattern=usage
    )
    proprietary = backend_create(
        team=team,
        name="OpenAI",
        kind="proprietary",
        base_url="https://api.openai.com/v1",
        upstream_model="gpt-4-turbo",
        catalog_model=catalog["GPT-4 Turbo"],
        api_key="sk-test-123456789",
    )
    open_source = backend_create(
        team=team,
        name="Llama",
        kind="open_source",
        base_url="http://llama.internal:8000/v1",
        upstream_model="llama-2-70b",
        catalog_model=catalog["Llama 2 70B"],
    )
    routes = routing_defaults_create(team=team, proprietary=proprietary, open_source=open_source)
    api_token_create(team=team, name="CI", access="read", created_by=owner)
    _, secret = invitation_create(team=team, role="editor", created_by=owner)
    return LivedIn(team, profile, usage, evaluation, proprietary, routes[0], secret)


def page_urls(lived: LivedIn, catalog: dict) -> list[str]:
    """Every page an owner can open, with a usage so the cost figures show."""
    t = f"/t/{lived.team.slug}"
    return [
        "/",
        f"{t}/",
        f"{t}/tokens/",
        f"{t}/profiles/",
        f"{t}/profiles/{lived.profile.pk}/",
        f"{t}/profiles/{lived.profile.pk}/edit/",
        f"{t}/recommendations/?profile={lived.profile.pk}&usage_pattern={lived.usage.pk}",
        f"{t}/usage-patterns/",
        f"{t}/usage-patterns/{lived.usage.pk}/edit/",
        f"{t}/cost-report/?usage_pattern={lived.usage.pk}",
        f"{t}/evaluations/",
        f"{t}/evaluations/{lived.evaluation.pk}/",
        f"{t}/evaluations/{lived.evaluation.pk}/edit/",
        f"{t}/evaluations/compare/?a={lived.evaluation.pk}&b={lived.evaluation.pk}",
        f"{t}/routing/",
        f"{t}/routing/backends/new/",
        f"{t}/routing/backends/{lived.backend.pk}/edit/",
        f"{t}/routing/routes/new/",
        f"{t}/routing/routes/{lived.route.pk}/edit/",
        f"{t}/routing/routes/pair/?open_source_model={catalog['Mixtral 8x7B'].pk}"
        f"&proprietary_model={catalog['Claude 3 Opus'].pk}",
        f"{t}/migrations/",
        f"{t}/routes/{lived.route.pk}/migration/",
        f"{t}/routes/{lived.route.pk}/probes/",
        "/catalog/",
        "/catalog/matrix/",
        f"/catalog/models/{catalog['Mixtral 8x7B'].pk}/",
    ]


CONTROLS = {"input", "select", "textarea", "button", "a"}
VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr", "area", "base", "embed"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    label: str = ""
    row: bool = False  # inside a table row or list item


class ControlScanner(HTMLParser):
    """The form controls of a page, each with the accessible name it would get: aria-label, the
    text of a label around it or naming it, or (buttons) its own text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.controls: list[Control] = []
        self.labels_for: dict[str, str] = {}
        self.ids: dict[str, str] = {}
        self._labels: list[tuple[list[str], list[Control]]] = []
        self._button: Control | None = None
        self._rows = 0
        self._in_select = 0
        self._text_capture: list[tuple[str, str, list[str]]] = []  # (tag, id, texts) of open elements

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag in ("tr", "li"):
            self._rows += 1
        if tag == "select":
            self._in_select += 1
        if tag == "label":
            self._labels.append(([], []))
            if "for" in attrs:
                self._labels[-1][1].append(Control("label-for", attrs))
        if "id" in attrs and tag not in VOID:
            self._text_capture.append((tag, attrs["id"], []))
        if tag in CONTROLS:
            if tag == "input" and attrs.get("type") in ("hidden",):
                return
            if tag == "a" and "href" not in attrs:
                return
            control = Control(tag, attrs, row=self._rows > 0)
            if tag == "input" and attrs.get("type") in ("submit", "button"):
                control.text = attrs.get("value", "")
            self.controls.append(control)
            for _, inside in self._labels:
                if tag != "a":
                    inside.append(control)
            if tag in ("button", "a"):
                self._button = control

    def handle_endtag(self, tag: str) -> None:
        if tag in ("tr", "li"):
            self._rows -= 1
        if tag == "select":
            self._in_select -= 1
        if tag in ("button", "a"):
            self._button = None
        if tag == "label" and self._labels:
            texts, inside = self._labels.pop()
            text = " ".join("".join(texts).split())
            for control in inside:
                if control.tag == "label-for":
                    self.labels_for[control.attrs["for"]] = text
                elif not control.label:
                    control.label = text
        for i in range(len(self._text_capture) - 1, -1, -1):
            if self._text_capture[i][0] == tag:
                _, element_id, texts = self._text_capture.pop(i)
                self.ids.setdefault(element_id, " ".join("".join(texts).split()))
                break

    def handle_data(self, data: str) -> None:
        if self._in_select:
            return  # a label's name leaves out the options of a list inside it
        for texts, _ in self._labels:
            texts.append(data)
        if self._button is not None:
            self._button.text += data
        for _, _, texts in self._text_capture:
            texts.append(data)

    def name_of(self, control: Control) -> str:
        """The accessible name, as a browser would compute it for these simple cases."""
        if control.attrs.get("aria-label"):
            return control.attrs["aria-label"]
        if control.attrs.get("aria-labelledby"):
            return " ".join(self.ids.get(i, "") for i in control.attrs["aria-labelledby"].split())
        if control.tag in ("button", "a") or control.attrs.get("type") in ("submit", "button"):
            return " ".join(control.text.split())
        if control.attrs.get("id") in self.labels_for:
            return self.labels_for[control.attrs["id"]]
        return control.label


def scan_controls(html: str) -> ControlScanner:
    scanner = ControlScanner()
    scanner.feed(html)
    scanner.close()
    return scanner
