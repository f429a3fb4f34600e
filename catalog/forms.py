from __future__ import annotations

from django import forms

from catalog.models import ModelKind


class KindFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "All kinds"), *ModelKind.choices], required=False)
