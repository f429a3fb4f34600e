from __future__ import annotations

import json

from django import forms

from probes.models import DEFAULT_PROBE_INTERVAL_MINUTES, PolicyModeChoice, RouteMigration
from probes.services.migrations import MAX_PROBE_INTERVAL_MINUTES
from routing.models import SHARE_VALIDATORS


class ShareForm(forms.Form):
    share = forms.IntegerField(label="Open-source share (%)", validators=SHARE_VALIDATORS)
    reason = forms.CharField(max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False)


class SuiteImportForm(forms.Form):
    file = forms.FileField(required=False, help_text="An exported suite (.json).")
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), required=False, label="Or paste the JSON"
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload is not None:
            if upload.size > 2_000_000:
                raise forms.ValidationError("The file is larger than 2 MB.")
            raw = upload.read()
            try:
                cleaned["payload"] = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("The file is not UTF-8 text.") from exc
        elif text.strip():
            cleaned["payload"] = text
        else:
            raise forms.ValidationError("Choose a file or paste the suite's JSON.")
        return cleaned


class MigrationSettingsForm(forms.Form):
    """The owner's migration settings; the service (shared with the API's PATCH) validates them too."""

    target_share = forms.IntegerField(label="Target share (%)", min_value=0, max_value=100)
    step = forms.IntegerField(label="Step (points)", min_value=1, max_value=100)
    threshold = forms.DecimalField(
        label="Quality threshold", min_value=0, max_value=1, max_digits=4, decimal_places=3
    )
    min_results = forms.IntegerField(
        label="Minimum results", min_value=0, max_value=10_000, help_text="Statistical mode only."
    )
    error_limit = forms.DecimalField(
        label="Error-rate limit", min_value=0, max_value=1, max_digits=4, decimal_places=3
    )
    max_failures = forms.IntegerField(label="Failures before 0 %", min_value=1, max_value=100)
    policy_mode = forms.ChoiceField(label="Policy", choices=PolicyModeChoice.choices)
    require_shadow = forms.BooleanField(label="Require shadow comparisons to hold too", required=False)
    interval_minutes = forms.IntegerField(
        label="Run probes every (minutes)", min_value=1, max_value=MAX_PROBE_INTERVAL_MINUTES
    )


def migration_settings_initial(migration: RouteMigration | None) -> dict[str, object]:
    """The form's values: the migration's settings, or the defaults of a new migration."""
    source = migration or RouteMigration()
    every = DEFAULT_PROBE_INTERVAL_MINUTES
    if migration is not None and migration.schedule is not None and migration.schedule.interval is not None:
        every = migration.schedule.interval.every
    initial: dict[str, object] = {
        field: getattr(source, field)
        for field in MigrationSettingsForm.base_fields
        if field != "interval_minutes"
    }
    initial["interval_minutes"] = every
    return initial


CHECKS_HELP = (
    'A JSON list of weighted checks, e.g. [{"type": "contains", "value": "refund", "weight": 2}]. '
    "Types: equals, contains, regex, json, number, agreement."
)


class ProbeForm(forms.Form):
    """One probe; its checks are JSON, validated by the same service as the API and the import."""

    name = forms.CharField(max_length=120)
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    task_type = forms.CharField(max_length=60, required=False, label="Task type")
    checks = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), help_text=CHECKS_HELP)
    max_tokens = forms.IntegerField(min_value=1, max_value=32_000, required=False, label="Max tokens")
    enabled = forms.BooleanField(required=False, initial=True)

    def clean_checks(self) -> object:
        raw = self.cleaned_data["checks"]
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the service's messages on their fields: ``checks[0].weight`` goes on the checks."""
        for key, messages in errors.items():
            field = key if key in self.fields else None
            prefix = ""
            if key.startswith("checks[") and "]" in key:
                index = int(key[len("checks[") : key.index("]")])
                field, prefix = "checks", f"Check {index + 1}{key[key.index(']') + 1 :].replace('.', ', ')}: "
            elif key in ("messages", "check", "type", "weight"):
                field = "checks" if key != "messages" else "prompt"
            for message in messages:
                self.add_error(field, prefix + message)


def probe_initial(probe: object) -> dict[str, object]:
    return {
        "name": getattr(probe, "name", ""),
        "prompt": getattr(probe, "prompt", ""),
        "task_type": getattr(probe, "task_type", ""),
        "checks": json.dumps(getattr(probe, "checks", []), indent=2),
        "max_tokens": getattr(probe, "max_tokens", None),
        "enabled": getattr(probe, "enabled", True),
    }
