"""Small forms for actions that need a reason: withdraw, restore, lock, unlock."""

from __future__ import annotations

from django import forms

from registry.forms.base import REASON_HELP


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500, help_text=REASON_HELP)


class SiteChoiceForm(forms.Form):
    site = forms.TypedChoiceField(coerce=int, label="Current site")


class PatientFilterForm(forms.Form):
    """The patient list's search and filters (GET); anything invalid is ignored."""

    q = forms.CharField(
        required=False,
        label="Search",
        max_length=50,
        help_text="Registry ID, hospital number or NHS number; spaces are ignored.",
    )
    site = forms.ChoiceField(required=False, label="Site")
    vital = forms.ChoiceField(
        required=False,
        label="Vital status",
        choices=[("", "Alive or dead"), ("alive", "Alive"), ("dead", "Dead")],
    )
    overdue = forms.BooleanField(required=False, label="Follow-up overdue only")
    withdrawn = forms.BooleanField(required=False, label="Withdrawn patients (to restore)")
