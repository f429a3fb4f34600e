from __future__ import annotations

from django import forms

from portal.models import TokenAccess


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses this token, e.g. 'CI pipeline'.")
    access = forms.ChoiceField(choices=TokenAccess.choices, initial=TokenAccess.READ)
