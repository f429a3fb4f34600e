from __future__ import annotations

from django import forms

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
