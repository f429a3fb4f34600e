from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from portal.models import Role, TokenAccess


def form_add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on a page's form: at the field it names, else above the form.
    The pages of every app report service errors through this one function."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses this token, e.g. 'CI pipeline'.")
    access = forms.ChoiceField(choices=TokenAccess.choices, initial=TokenAccess.READ)


class MemberAddForm(forms.Form):
    username_or_email = forms.CharField(max_length=254, label="Username or email")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, label="Role")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class InvitationForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, label="Role of the invited member")
    days_valid = forms.IntegerField(
        min_value=1,
        max_value=30,
        initial=7,
        label="Valid for (days)",
        error_messages={
            "min_value": "An invitation lasts between 1 and 30 days.",
            "max_value": "An invitation lasts between 1 and 30 days.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the team page also holds the add-member form, which has a role too.
        kwargs.setdefault("auto_id", "invite_%s")
        super().__init__(*args, **kwargs)


class InvitationSignUpForm(forms.Form):
    """Username and password for the account an invitation creates; the service checks that the
    username is free and the password strong enough."""

    username = forms.CharField(
        max_length=150, label="Username", widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password1 = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ: type the same password twice.")
        return cleaned
