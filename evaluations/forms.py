"""Page forms. Value rules (priority lists, traffic bounds) are the models'; these forms only gather
input, so a page refuses exactly what the API and the admin refuse."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from catalog.models import ModelKind
from catalog.selectors import CatalogEntry
from catalog.vocabulary import OPEN_SOURCE, PRIORITIES, PRIORITY_LABELS, PROPRIETARY
from evaluations.costing import DEFAULT_DAYS_PER_MONTH, REQUIRED_USAGE_FIELDS, USAGE_FIELDS
from evaluations.models import Evaluation, PriorityProfile, UsagePattern, validate_priorities
from evaluations.requirements import FINE_TUNING_MINIMUMS, MAX_CONTEXT_REQUIREMENT, Requirements

PRIORITY_SLOTS = tuple(f"priority_{i}" for i in range(1, len(PRIORITIES) + 1))
PRIORITY_CHOICES = [("", "—"), *((p, PRIORITY_LABELS[p]) for p in PRIORITIES)]


class PrioritySlotsMixin(forms.Form):
    """Six select boxes, most important first; blanks are skipped, so [cost, —, speed] is [cost, speed]."""

    def add_priority_slots(self) -> None:
        for i, slot in enumerate(PRIORITY_SLOTS, 1):
            self.fields[slot] = forms.ChoiceField(
                label=f"Priority {i}", choices=PRIORITY_CHOICES, required=False
            )

    @property
    def priority_fields(self) -> list[forms.BoundField]:
        return [self[slot] for slot in PRIORITY_SLOTS]

    def clean_priorities(self, cleaned: dict[str, Any]) -> list[str]:
        priorities = [cleaned[slot] for slot in PRIORITY_SLOTS if cleaned.get(slot)]
        if not priorities:
            # At the first box, where the eye (and a screen reader) goes to fix it.
            self.add_error(PRIORITY_SLOTS[0], "At least one priority is required.")
            return priorities
        try:
            validate_priorities(priorities)
        except ValidationError as exc:
            self.add_error(None, exc)
        return priorities


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """A form's choice field, to set its choices when the form is built."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def priority_slot_values(priorities: Sequence[str]) -> dict[str, str]:
    return {slot: (priorities[i] if i < len(priorities) else "") for i, slot in enumerate(PRIORITY_SLOTS)}


class ProfileForm(PrioritySlotsMixin):
    name = forms.CharField(max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_priority_slots()

    @classmethod
    def for_profile(cls, profile: PriorityProfile, data: QueryDict | None = None) -> ProfileForm:
        return cls(data, initial={"name": profile.name, **priority_slot_values(profile.priorities)})

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        cleaned["priorities"] = self.clean_priorities(cleaned)
        return cleaned


class ProfileMoveForm(forms.Form):
    priority = forms.ChoiceField(choices=[(p, PRIORITY_LABELS[p]) for p in PRIORITIES])
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class RequirementsFormMixin(forms.Form):
    """Hard requirements as page fields; unticked boxes and blanks ask for nothing."""

    self_hostable = forms.BooleanField(required=False, label="Self-hostable")
    vision = forms.BooleanField(required=False, label="Vision")
    function_calling = forms.BooleanField(required=False, label="Native function calling")
    min_context = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_CONTEXT_REQUIREMENT, label="Minimum context (tokens)"
    )
    fine_tuning = forms.ChoiceField(
        required=False,
        label="Fine-tuning",
        choices=[("", "Any"), *((k, v) for k, v in FINE_TUNING_MINIMUMS.items())],
    )
    kind = forms.ChoiceField(required=False, label="Kind", choices=[("", "Any"), *ModelKind.choices])
    max_monthly_cost = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        label="Maximum monthly cost (USD)",
        help_text="Needs a usage pattern.",
    )

    def requirements(self) -> Requirements:
        data = self.cleaned_data
        return Requirements(
            self_hostable=bool(data.get("self_hostable")),
            min_context=data.get("min_context"),
            vision=bool(data.get("vision")),
            function_calling=bool(data.get("function_calling")),
            fine_tuning=data.get("fine_tuning") or "",
            kind=data.get("kind") or "",
            max_monthly_cost=data.get("max_monthly_cost"),
        )


class RecommendationForm(PrioritySlotsMixin, RequirementsFormMixin):
    """The recommendation page's inputs. A profile fills the priority boxes when none are chosen."""

    profile = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Profile")
    usage_pattern = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Usage pattern"
    )

    def __init__(
        self,
        data: QueryDict | None,
        *,
        profiles: Sequence[PriorityProfile],
        patterns: Sequence[UsagePattern],
        **kwargs: Any,
    ) -> None:
        self.profiles = {p.pk: p for p in profiles}
        self.patterns = {p.pk: p for p in patterns}
        # A profile fills the boxes only when the request has none (a link or the profile picker):
        # boxes sent blank are the user's choice, and blank everywhere is an error, not the profile.
        if data is not None and not any(slot in data for slot in PRIORITY_SLOTS):
            profile = self._lookup(self.profiles, data.get("profile"))
            if profile is not None:
                data = data.copy()
                data.update(priority_slot_values(profile.priorities))
                if "usage_pattern" not in data and profile.default_usage_pattern_id is not None:
                    data["usage_pattern"] = str(profile.default_usage_pattern_id)
        super().__init__(data, **kwargs)
        self.add_priority_slots()
        _choice_field(self, "profile").choices = [("", "—"), *((p.pk, p.name) for p in profiles)]
        _choice_field(self, "usage_pattern").choices = [("", "None"), *((p.pk, p.name) for p in patterns)]

    @staticmethod
    def _lookup(rows: dict[int, Any], raw: str | None) -> Any:
        try:
            return rows.get(int(raw or ""))
        except ValueError:
            return None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        cleaned["priorities"] = self.clean_priorities(cleaned)
        cleaned["profile"] = self.profiles.get(cleaned.get("profile"))  # type: ignore[arg-type]
        cleaned["usage_pattern"] = self.patterns.get(cleaned.get("usage_pattern"))  # type: ignore[arg-type]
        if cleaned.get("max_monthly_cost") is not None and cleaned["usage_pattern"] is None:
            self.add_error(
                "usage_pattern", "A maximum monthly cost needs a usage pattern to price the models."
            )
        return cleaned

    @property
    def profile_edited(self) -> bool:
        """True when a profile is loaded but the boxes no longer show its order."""
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return False
        profile = self.cleaned_data.get("profile")
        return profile is not None and profile.priorities != self.cleaned_data.get("priorities")


class EvaluationForm(RecommendationForm):
    name = forms.CharField(max_length=Evaluation._meta.get_field("name").max_length, label="Name")


class UsagePatternForm(forms.ModelForm):
    """Bounds come from the model's validators, with the same messages as the API and the admin."""

    class Meta:
        model = UsagePattern
        fields = ["name", *USAGE_FIELDS, "shut_down_idle_days"]

    def validate_unique(self) -> None:
        # The name is unique per team, and the team is not a form field: the service checks it.
        pass


class CostReportForm(forms.Form):
    """Pick a usage pattern or enter the figures; pick models (default: all active)."""

    usage_pattern = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Usage pattern"
    )
    daily_requests = forms.IntegerField(required=False)
    avg_input_tokens = forms.IntegerField(required=False, label="Average input tokens")
    avg_output_tokens = forms.IntegerField(required=False, label="Average output tokens")
    peak_concurrent = forms.IntegerField(required=False, label="Peak concurrent requests")
    days_per_month = forms.IntegerField(
        required=False,
        label="Days per month",
        widget=forms.NumberInput(attrs={"placeholder": str(DEFAULT_DAYS_PER_MONTH)}),
    )
    idle_days = forms.ChoiceField(
        required=False,
        label="On idle days",
        choices=[("shut_down", "Shut instances down"), ("keep_running", "Keep instances running")],
    )
    models = forms.TypedMultipleChoiceField(
        required=False, coerce=int, label="Models", widget=forms.CheckboxSelectMultiple
    )
    chart_open_source = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="Self-hosted model"
    )
    chart_proprietary = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, label="API model"
    )

    INLINE_FIELDS = REQUIRED_USAGE_FIELDS

    def __init__(
        self,
        data: QueryDict | None,
        *,
        patterns: Sequence[UsagePattern],
        options: Sequence[CatalogEntry],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.patterns = {p.pk: p for p in patterns}
        _choice_field(self, "usage_pattern").choices = [
            ("", "— enter figures below —"),
            *((p.pk, p.name) for p in patterns),
        ]
        _choice_field(self, "models").choices = [(o.pk, o.name) for o in options]
        _choice_field(self, "chart_open_source").choices = [
            ("", "Cheapest"),
            *((o.pk, o.name) for o in options if o.kind == OPEN_SOURCE),
        ]
        _choice_field(self, "chart_proprietary").choices = [
            ("", "Cheapest"),
            # Proprietary models, and open-source ones with a hosted API price.
            *(
                (o.pk, o.name if o.kind == PROPRIETARY else f"{o.name} (API)")
                for o in options
                if o.kind == PROPRIETARY
                or (o.input_price_per_mtok is not None and o.output_price_per_mtok is not None)
            ),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean returns cleaned_data
        cleaned["usage_pattern"] = self.patterns.get(cleaned.get("usage_pattern"))  # type: ignore[arg-type]
        if cleaned["usage_pattern"] is None:
            for name in self.INLINE_FIELDS:
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, "Enter a figure, or pick a usage pattern.")
        return cleaned

    def inline_usage(self) -> dict[str, Any]:
        fields = {name: self.cleaned_data[name] for name in self.INLINE_FIELDS}
        if self.cleaned_data.get("days_per_month") is not None:
            fields["days_per_month"] = self.cleaned_data["days_per_month"]
        fields["shut_down_idle_days"] = self.cleaned_data.get("idle_days") != "keep_running"
        return fields

    def chart_pair(self) -> tuple[int | None, int | None]:
        return self.cleaned_data.get("chart_open_source"), self.cleaned_data.get("chart_proprietary")


class CompareForm(forms.Form):
    a = forms.TypedChoiceField(coerce=int, label="First")
    b = forms.TypedChoiceField(coerce=int, label="Second")

    def __init__(self, data: QueryDict | None, *, evaluations: Sequence[Evaluation], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        choices = [(e.pk, f"{e.name} ({e.created_at:%Y-%m-%d})") for e in evaluations]
        _choice_field(self, "a").choices = choices
        _choice_field(self, "b").choices = choices


class EvaluationRenameForm(forms.Form):
    name = forms.CharField(max_length=Evaluation._meta.get_field("name").max_length, label="Name")
