"""What every clinician form shares: native dates, readable choices, reason and version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

REASON_HELP = "Stored in the record's history with your name and the time."


class DateInput(forms.DateInput):
    """The browser's own date picker; it submits ISO dates (yyyy-mm-dd)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class YesNoUnknown(forms.RadioSelect):
    """Yes / No / Unknown radios for a yes-no question that may be unanswered."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, choices=[("true", "Yes"), ("false", "No"), ("unknown", "Unknown")])

    def format_value(self, value: Any) -> list[str]:
        mapping = {True: "true", False: "false", "True": "true", "False": "false"}
        if isinstance(value, str) and value in ("true", "false", "unknown"):
            return [value]
        return [mapping.get(value, "unknown")]


def version_field() -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1, label="Version"
    )


def reason_field() -> forms.CharField:
    return forms.CharField(label="Reason for change", max_length=500, help_text=REASON_HELP)


class RegistryFormMixin:
    """Render fields for fast, forgiving entry.

    Dates use the browser's date input, yes-no questions become Yes/No/Unknown
    radios, and the fields named in `radio_fields` become radio groups (the
    empty choice relabelled with `blank_labels`, or dropped when required).
    """

    fields: dict[str, forms.Field]
    radio_fields: tuple[str, ...] = ()
    blank_labels: Mapping[str, str] = {}

    def style_fields(self) -> None:
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
            elif isinstance(field, forms.NullBooleanField):
                field.widget = YesNoUnknown()
            elif name in self.radio_fields and isinstance(field, forms.ChoiceField):
                field.widget = forms.RadioSelect()
                field.choices = self._radio_choices(name, field)

    def _radio_choices(self, name: str, field: forms.ChoiceField) -> list[tuple[Any, Any]]:
        choices: list[tuple[Any, Any]] = []
        for value, label in list(field.choices):  # type: ignore[arg-type]
            if value in ("", None):
                if field.required:
                    continue
                label = self.blank_labels.get(name, "Not recorded")
            choices.append((value, label))
        return choices


class RegistryModelForm(RegistryFormMixin, forms.ModelForm):
    """A model form for a clinical record; `editing` adds the version and the reason."""

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_fields()
        if editing:
            self.fields["version"] = version_field()
            self.fields["version"].initial = self.instance.version
            self.fields["reason"] = reason_field()


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's validation error on the form: at its field, else at the top.

    Messages of fields the form does not show (e.g. a row's tumour) are written
    to make sense on their own, so they go to the top as they are.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def refresh_version(form: forms.BaseForm, version: int) -> None:
    """Let a re-rendered form carry the record's current version after a stale edit."""
    data = form.data.copy()  # type: ignore[attr-defined]
    data[form.add_prefix("version")] = str(version)
    form.data = data


def without_errors(*forms_: Any) -> None:
    """Show submitted forms again without judging them (e.g. after "Add another row")."""
    for item in forms_:
        if isinstance(item, forms.BaseFormSet):
            without_errors(*item.forms)
            item._errors = [ErrorDict() for _ in item.forms]  # type: ignore[attr-defined]
            item._non_form_errors = item.error_class()  # type: ignore[attr-defined]
        else:
            item._errors = ErrorDict()
