from __future__ import annotations

from django import forms

from portal.models import Role, TokenAccess


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What uses this token, e.g. 'CI pipeline'.")
    access = forms.ChoiceField(choices=TokenAccess.choices, initial=TokenAccess.READ)


class MemberAddForm(forms.Form):
    username_or_email = forms.CharField(max_length=254, label="Username or email")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER, label="Role")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")
