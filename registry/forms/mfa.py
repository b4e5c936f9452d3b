"""Two-factor forms: a code from the authenticator app, or a backup code."""

from __future__ import annotations

from typing import Any

from django import forms

from registry.security.mfa import normalise_token


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code shown by your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = normalise_token(self.cleaned_data["token"])
        if not token.isalnum():
            raise forms.ValidationError("Enter the code with letters and digits only.")
        return token

    def reject(self, *args: Any) -> None:
        self.add_error("token", "That code is not valid. Check the clock on your phone and retry.")
