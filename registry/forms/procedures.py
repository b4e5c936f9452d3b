"""Procedure form with one treatment row per tumour, and the complication form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import fields_for_model

from registry import grading, selectors
from registry.forms.base import RegistryFormMixin, RegistryModelForm, version_field
from registry.models import Complication, Membership, Procedure, Tumour, TumourTreatment, User

PROCEDURE_FIELDS = [
    "performed_on",
    "approach",
    "image_guidance",
    "anaesthesia",
    "cryogen",
    "device",
    "operator",
    "intent",
    "consent_documented",
    "combined_with_resection",
    "adjuvant_tace",
    "length_of_stay_days",
]

TREATMENT_FIELDS = [
    "probes",
    "freeze_thaw_cycles",
    "total_freeze_minutes",
    "ice_ball_margin_mm",
    "technical_success",
]


def operators_at(site_id: int) -> QuerySet[User]:
    """Return the clinicians and site leads of a site, who may be a procedure's operator."""
    members = Membership.objects.filter(site_id=site_id, role__in=selectors.CLINICAL_ROLES)
    return User.objects.filter(pk__in=members.values("user_id")).order_by(
        "last_name", "first_name", "username"
    )


class ProcedureForm(RegistryModelForm):
    radio_fields = ("approach", "anaesthesia", "cryogen")

    class Meta:
        model = Procedure
        fields = PROCEDURE_FIELDS

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        operator = self.fields["operator"]
        assert isinstance(operator, forms.ModelChoiceField)
        operator.queryset = operators_at(self.instance.patient.site_id)
        operator.empty_label = "Not recorded"
        if not self.instance.pk and user is not None and operator.queryset.filter(pk=user.pk):
            self.initial["operator"] = user.pk
        self.fields["consent_documented"].label = "Consent documented"


class TreatmentRowForm(RegistryFormMixin, forms.Form):
    """Whether one tumour was treated in this procedure, and how."""

    radio_fields = ("technical_success",)

    treated = forms.BooleanField(required=False, label="Treated in this procedure")

    def __init__(
        self, data: Any = None, *, tumour: Tumour, treatment: TumourTreatment | None = None
    ) -> None:
        initial: dict[str, Any] = {"treated": treatment is not None}
        if treatment is not None:
            initial |= {name: getattr(treatment, name) for name in TREATMENT_FIELDS}
            initial["version"] = treatment.version
        super().__init__(data, initial=initial, prefix=f"tumour-{tumour.pk}")
        self.tumour = tumour
        self.treatment = treatment
        self.fields.update(fields_for_model(TumourTreatment, fields=TREATMENT_FIELDS))
        for field in self.fields.values():
            field.required = False
        if treatment is not None:
            self.fields["version"] = version_field()
        self.style_fields()
        self.fields["freeze_thaw_cycles"].initial = self.fields["freeze_thaw_cycles"].initial or 2

    @property
    def row_label(self) -> str:
        return f"Tumour {self.tumour.label}"

    @property
    def record(self) -> TumourTreatment | None:
        return self.treatment

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("treated"):
            if cleaned.get("probes") is None and "probes" not in self.errors:
                self.add_error("probes", "Enter the number of probes used for this tumour.")
            if not cleaned.get("technical_success"):
                self.add_error("technical_success", "Choose whether the ablation succeeded.")
        elif self.treatment is None and self._entered():
            self.add_error(
                "treated",
                "Tick “Treated in this procedure” to record these values, or clear them.",
            )
        return cleaned

    def _entered(self) -> bool:
        data = self.cleaned_data
        entered = [data.get(name) for name in ("probes", "total_freeze_minutes")]
        entered.append(data.get("ice_ball_margin_mm"))
        return any(value not in (None, "") for value in entered)

    def treatment_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in TREATMENT_FIELDS}
        if data["freeze_thaw_cycles"] is None:
            data["freeze_thaw_cycles"] = 2
        return data


COMPLICATION_FIELDS = [
    "event_type",
    "event_other",
    "category",
    "onset_on",
    "ctcae_grade",
    "clavien_dindo",
    "cirse_grade",
    "treatment",
    "resolved_on",
]


class ComplicationForm(RegistryModelForm):
    radio_fields = ("category", "ctcae_grade", "cirse_grade")
    blank_labels = {"cirse_grade": "Not graded"}

    class Meta:
        model = Complication
        fields = COMPLICATION_FIELDS
        widgets = {"treatment": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ctcae_grade"].descriptions = grading.CTCAE_V5  # type: ignore[attr-defined]
        self.fields["cirse_grade"].descriptions = grading.CIRSE  # type: ignore[attr-defined]
        self.fields[
            "ctcae_grade"
        ].help_text = "CTCAE v5.0. Grade 3 or worse is a major adverse event."
        self.fields["cirse_grade"].help_text = "Optional. CIRSE classification (2017)."
        self.fields["clavien_dindo"].help_text = "Optional."
