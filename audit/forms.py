"""The dashboard's filter: sites the user may see and a period of procedure dates."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet

from registry.models import Site

EARLIEST = datetime.date(1980, 1, 1)
LATEST = datetime.date(2100, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"


class DashboardFilterForm(forms.Form):
    """Choose sites (only the user's) and procedure dates; empty means all of them."""

    site = forms.ModelMultipleChoiceField(
        label="Sites",
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every site you may see.",
    )
    start = forms.DateField(
        label="Procedures from",
        required=False,
        widget=DateInput(format="%Y-%m-%d"),
        help_text="First day, inclusive.",
    )
    end = forms.DateField(
        label="Procedures to",
        required=False,
        widget=DateInput(format="%Y-%m-%d"),
        help_text="Last day, inclusive.",
    )

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def _clean_date(self, name: str) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                f"Enter a date between {EARLIEST:%d/%m/%Y} and {LATEST:%d/%m/%Y}."
            )
        return day

    def clean_start(self) -> datetime.date | None:
        return self._clean_date("start")

    def clean_end(self) -> datetime.date | None:
        return self._clean_date("end")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end of the period is before its start.")
        return cleaned

    def chosen_site_ids(self, visible: set[int] | None) -> list[int] | None:
        """Return the ticked sites, or every visible site (None: all) when none is ticked."""
        chosen = self.cleaned_data.get("site")
        if chosen:
            return sorted(site.pk for site in chosen)
        return None if visible is None else sorted(visible)
