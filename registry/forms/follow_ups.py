"""Follow-up form with one assessment row per treated tumour."""

from __future__ import annotations

from typing import Any

from django import forms

from registry.choices import AssessmentResult
from registry.forms.base import RegistryFormMixin, RegistryModelForm, version_field
from registry.models import FollowUp, Tumour, TumourAssessment

FOLLOW_UP_FIELDS = [
    "seen_on",
    "kind",
    "imaging_modality",
    "cea",
    "recist",
    "new_intrahepatic_disease",
    "extrahepatic_disease",
    "vital_status",
    "death_date",
    "death_cause",
    "lost_to_follow_up",
]


class FollowUpForm(RegistryModelForm):
    radio_fields = ("kind", "vital_status")

    class Meta:
        model = FollowUp
        fields = FOLLOW_UP_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_on"].label = "Date of follow-up"
        self.fields["death_date"].help_text = "Only when the patient died."
        self.fields["recist"].help_text = "Optional. Overall response on imaging."


class AssessmentRowForm(RegistryFormMixin, forms.Form):
    """What imaging showed at one treated tumour (blank: not recorded at this follow-up)."""

    result = forms.ChoiceField(
        required=False,
        widget=forms.RadioSelect,
        choices=[("", "Not recorded"), *AssessmentResult.choices],
    )

    def __init__(
        self, data: Any = None, *, tumour: Tumour, assessment: TumourAssessment | None = None
    ) -> None:
        initial: dict[str, Any] = {}
        if assessment is not None:
            initial = {"result": assessment.result, "version": assessment.version}
        super().__init__(data, initial=initial, prefix=f"tumour-{tumour.pk}")
        self.tumour = tumour
        self.assessment = assessment
        self.fields["result"].label = f"Tumour {tumour.label}"
        if assessment is not None:
            self.fields["version"] = version_field()
            self.fields["result"].choices = [  # type: ignore[attr-defined]
                ("", "Remove (entered in error)"),
                *AssessmentResult.choices,
            ]

    @property
    def row_label(self) -> str:
        return f"Tumour {self.tumour.label}"

    @property
    def record(self) -> TumourAssessment | None:
        return self.assessment
