"""Page forms for routing. They gather input; the rules are the services', so a page refuses exactly
what the API refuses. Backend choices come from the team's own backends only."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models

from catalog.models import ModelKind, ModelOption
from routing.models import MAX_SHADOW_RATE, Backend, Route

BACKEND_MODEL_FIELDS = [
    "name",
    "kind",
    "protocol",
    "base_url",
    "upstream_model",
    "catalog_model",
    "connect_timeout_s",
    "timeout_s",
    "enabled",
    "api_key_env",
]


def _formfield(field: models.Field) -> forms.Field:
    formfield = (
        field.formfield(assume_scheme="https") if isinstance(field, models.URLField) else field.formfield()
    )
    assert formfield is not None  # only editable fields are listed
    return formfield


class BackendForm(forms.Form):
    """A backend. The key field is write-only: it is never filled in, and left blank it keeps the
    stored key."""

    def __init__(self, *args: Any, backend: Backend | None = None, **kwargs: Any) -> None:
        if backend is not None and not kwargs.get("data") and not (args and args[0] is not None):
            kwargs["initial"] = {
                **forms.model_to_dict(backend, fields=BACKEND_MODEL_FIELDS),
                "catalog_model": backend.catalog_model_id,
            }
        super().__init__(*args, **kwargs)
        self.fields.update(
            forms.fields_for_model(Backend, fields=BACKEND_MODEL_FIELDS, formfield_callback=_formfield)
        )
        catalog = self.fields["catalog_model"]
        assert isinstance(catalog, forms.ModelChoiceField)
        catalog.queryset = (
            ModelOption.objects.filter(is_active=True).only("id", "name", "kind").order_by("name")
        )
        self.fields["api_key"] = forms.CharField(
            label="API key",
            required=False,
            max_length=2000,
            strip=True,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
            help_text=(
                "Stored encrypted and never shown again. Leave blank to keep the stored key."
                if backend is not None and backend.has_api_key
                else "Stored encrypted and never shown again."
            ),
        )
        if backend is not None:
            self.fields["clear_api_key"] = forms.BooleanField(label="Remove the stored key", required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if not data.get("api_key"):
            data["api_key"] = None
        return data


class TaskTypesField(forms.CharField):
    """Task types typed as a comma-separated list; the service checks and normalises them."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value


class RouteForm(forms.Form):
    name = forms.SlugField(max_length=60, help_text="Callers may send it as the request's model.")
    task_types = TaskTypesField(
        required=False, max_length=2000, help_text="Comma-separated, e.g. analysis, reasoning, creative."
    )
    is_default = forms.BooleanField(
        label="Default route", required=False, help_text="Catches unknown or missing task types."
    )
    proprietary_backend = forms.ModelChoiceField(queryset=Backend.objects.none(), required=False)
    open_source_backend = forms.ModelChoiceField(queryset=Backend.objects.none(), required=False)
    open_source_share = forms.IntegerField(
        label="Open-source share (%)", min_value=0, max_value=100, initial=0
    )
    shadow_rate = forms.DecimalField(
        label="Shadow sample rate",
        min_value=Decimal("0"),
        max_value=MAX_SHADOW_RATE,
        max_digits=4,
        decimal_places=3,
        initial=Decimal("0"),
        help_text="0 to 0.10 of proprietary-served requests also sent to the open-source backend.",
    )
    share_reason = forms.CharField(
        label="Why the share changes", required=False, max_length=300, help_text="Recorded in the history."
    )

    def __init__(
        self,
        *args: Any,
        proprietary: Sequence[Backend] = (),
        open_source: Sequence[Backend] = (),
        route: Route | None = None,
        **kwargs: Any,
    ) -> None:
        if route is not None and not (args and args[0] is not None) and not kwargs.get("data"):
            kwargs["initial"] = {
                "name": route.name,
                "task_types": route.task_types,
                "is_default": route.is_default,
                "proprietary_backend": route.proprietary_backend_id,
                "open_source_backend": route.open_source_backend_id,
                "open_source_share": route.open_source_share,
                "shadow_rate": route.shadow_rate,
            }
        super().__init__(*args, **kwargs)
        for name, backends in (("proprietary_backend", proprietary), ("open_source_backend", open_source)):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            ids = [b.pk for b in backends]
            field.queryset = Backend.objects.filter(pk__in=ids).order_by("name")
            field.choices = [("", "—"), *((b.pk, b.name) for b in backends)]  # no query to render
        if route is None:
            del self.fields["share_reason"]


class ShareForm(forms.Form):
    open_source_share = forms.IntegerField(label="Open-source share (%)", min_value=0, max_value=100)
    reason = forms.CharField(required=False, max_length=300)


class DefaultsForm(forms.Form):
    proprietary_backend = forms.ModelChoiceField(queryset=Backend.objects.none())
    open_source_backend = forms.ModelChoiceField(queryset=Backend.objects.none())

    def __init__(self, *args: Any, team_backends: Sequence[Backend] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, kind in (
            ("proprietary_backend", ModelKind.PROPRIETARY),
            ("open_source_backend", ModelKind.OPEN_SOURCE),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            backends = [b for b in team_backends if b.kind == kind]
            field.queryset = Backend.objects.filter(pk__in=[b.pk for b in backends])
            field.choices = [("", "—"), *((b.pk, b.name) for b in backends)]


class BudgetForm(forms.Form):
    monthly_limit_usd = forms.DecimalField(
        label="Monthly limit (USD)",
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text="Leave empty for no limit. Requests past the limit are refused until the month ends.",
    )


class PairBackendForm(forms.Form):
    """Where to reach a compared model the team has no backend for yet."""

    base_url = forms.URLField(label="Base URL", max_length=300, assume_scheme="https")
    protocol = forms.ChoiceField(choices=Backend._meta.get_field("protocol").choices)  # type: ignore[arg-type]
    upstream_model = forms.CharField(label="Upstream model name", required=False, max_length=200)
    api_key = forms.CharField(
        label="API key",
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again.",
    )
    api_key_env = forms.CharField(label="or API key environment variable", required=False, max_length=100)
