"""Patient and tumour forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from registry.forms.base import RegistryModelForm, version_field
from registry.models import Patient, Tumour
from registry.validators import normalise_nhs_number

PATIENT_FIELDS = [
    "hospital_number",
    "nhs_number",
    "date_of_birth",
    "sex",
    "primary_site",
    "primary_diagnosis_date",
    "metastasis_timing",
    "node_positive_primary",
    "extrahepatic_disease",
    "prior_hepatectomy",
    "prior_chemotherapy",
    "baseline_cea",
    "mdt_date",
    "written_information_date",
    "alternatives_discussed",
]

TUMOUR_FIELDS = [
    "label",
    "segment",
    "max_diameter_mm",
    "detected_on",
    "histology_confirmed",
    "size_exception_reason",
]


class PatientForm(RegistryModelForm):
    radio_fields = ("sex", "metastasis_timing")

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS

    def clean_nhs_number(self) -> str | None:
        value = self.cleaned_data.get("nhs_number")
        return normalise_nhs_number(value) or None if value else None


class TumourForm(RegistryModelForm):
    """One tumour row; existing rows carry their version."""

    class Meta:
        model = Tumour
        fields = TUMOUR_FIELDS
        widgets = {"size_exception_reason": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = version_field()
            self.fields["version"].initial = self.instance.version
        self.fields["label"].widget.attrs.setdefault("placeholder", "e.g. T1")

    @property
    def row_label(self) -> str:
        label = self.instance.label if self.instance.pk else self["label"].value()
        return f"Tumour {label}" if label else "New tumour"


class BaseTumourFormSet(forms.BaseModelFormSet):
    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove (entered in error)"


def tumour_formset(
    *, data: Any = None, queryset: QuerySet[Tumour] | None = None, extra: int = 2
) -> Any:
    """Return the tumour rows: the patient's tumours (editable) and `extra` empty rows."""
    formset_class = forms.modelformset_factory(
        Tumour,
        form=TumourForm,
        formset=BaseTumourFormSet,
        extra=extra,
        can_delete=queryset is not None,
        can_delete_extra=False,
    )
    return formset_class(
        data=data,
        queryset=queryset if queryset is not None else Tumour.objects.none(),
        prefix="tumours",
    )


def with_extra_row(data: Any, prefix: str) -> Any:
    """Return submitted data with one more (empty) row, for "Add another tumour"."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(min(int(data.get(key, 0)) + 1, 50))
    except ValueError:
        data[key] = "1"
    return data
