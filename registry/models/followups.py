"""Follow-up contacts and the per-tumour imaging assessments made at them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from registry.choices import (
    AssessmentResult,
    CauseOfDeath,
    FollowUpKind,
    ImagingModality,
    Recist,
    VitalStatus,
)
from registry.models.base import ClinicalRecord
from registry.models.patients import Patient, Tumour
from registry.validators import validate_not_in_future


class FollowUp(ClinicalRecord):
    """A contact after cryotherapy: clinic, imaging, telephone or death notification."""

    withdrawal_parents = ("patient",)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="follow_ups")
    seen_on = models.DateField("date", validators=[validate_not_in_future])
    kind = models.CharField(max_length=20, choices=FollowUpKind.choices)
    imaging_modality = models.CharField(max_length=8, choices=ImagingModality.choices, blank=True)
    cea = models.DecimalField(
        "CEA (ng/mL)",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, "CEA cannot be negative.")],
    )
    recist = models.CharField(
        "RECIST 1.1 overall response", max_length=2, choices=Recist.choices, blank=True
    )
    new_intrahepatic_disease = models.BooleanField(null=True, blank=True)
    extrahepatic_disease = models.BooleanField(null=True, blank=True)
    vital_status = models.CharField(
        max_length=8, choices=VitalStatus.choices, default=VitalStatus.ALIVE
    )
    death_date = models.DateField(null=True, blank=True, validators=[validate_not_in_future])
    death_cause = models.CharField(
        "cause of death", max_length=20, choices=CauseOfDeath.choices, blank=True
    )
    lost_to_follow_up = models.BooleanField(
        default=False, help_text="No further contact is expected (e.g. moved away)."
    )

    class Meta:
        ordering = ["patient", "seen_on", "pk"]
        indexes = [models.Index(fields=["patient", "seen_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(vital_status=VitalStatus.DEAD, withdrawn_at__isnull=True),
                name="one_current_death_per_patient",
                violation_error_message="This patient's death is already recorded.",
            ),
            models.CheckConstraint(
                condition=Q(cea__isnull=True) | Q(cea__gte=0), name="follow_up_cea_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    Q(vital_status=VitalStatus.DEAD, death_date__isnull=False)
                    | Q(vital_status=VitalStatus.ALIVE, death_date__isnull=True)
                ),
                name="follow_up_death_date_iff_dead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} follow-up on {self.seen_on:%d/%m/%Y}"

    def owning_patient_id(self) -> int:
        return self.patient_id

    @property
    def is_death(self) -> bool:
        return self.vital_status == VitalStatus.DEAD

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self._check_vital_status(errors)
        if self.kind == FollowUpKind.IMAGING and not self.imaging_modality:
            errors["imaging_modality"] = "Choose the imaging modality of an imaging follow-up."
        if self.patient_id and self.seen_on:
            self._check_against_procedures(errors)
        if errors:
            raise ValidationError(errors)

    def _check_vital_status(self, errors: dict[str, str]) -> None:
        if self.kind == FollowUpKind.DEATH_NOTIFICATION and not self.is_death:
            errors["vital_status"] = "A death notification records the patient as dead."
        if self.is_death:
            if self.death_date is None:
                errors["death_date"] = "Enter the date of death."
            elif self.seen_on and self.death_date > self.seen_on:
                errors["death_date"] = "The date of death is after the date of this follow-up."
            if not self.death_cause:
                errors["death_cause"] = "Choose the cause of death (or 'Unknown')."
        else:
            if self.death_date is not None:
                errors["death_date"] = "A date of death goes with vital status 'Dead'."
            if self.death_cause:
                errors["death_cause"] = "A cause of death goes with vital status 'Dead'."

    def _check_against_procedures(self, errors: dict[str, str]) -> None:
        procedures = self.patient.procedures.current()
        first = procedures.order_by("performed_on").first()
        if first is None:
            errors["seen_on"] = "Record the patient's cryotherapy procedure before a follow-up."
            return
        if self.seen_on < first.performed_on:
            errors["seen_on"] = (
                f"This date is before the patient's first procedure "
                f"({first.performed_on:%d/%m/%Y})."
            )
        deaths = self.patient.follow_ups.current().filter(vital_status=VitalStatus.DEAD)
        if self.pk:
            deaths = deaths.exclude(pk=self.pk)
        recorded = deaths.first()
        if recorded is not None and self.is_death:
            errors["vital_status"] = (
                f"The patient's death is already recorded (follow-up on "
                f"{recorded.seen_on:%d/%m/%Y})."
            )
        elif recorded is not None and recorded.death_date and self.seen_on > recorded.death_date:
            errors["seen_on"] = (
                f"The patient's death is recorded on {recorded.death_date:%d/%m/%Y}, "
                "before this date."
            )
        if self.is_death and self.death_date:
            last = procedures.order_by("-performed_on").first()
            if last is not None and self.death_date < last.performed_on:
                errors["death_date"] = (
                    f"The date of death is before a procedure ({last.performed_on:%d/%m/%Y})."
                )


class TumourAssessment(ClinicalRecord):
    """What follow-up imaging showed at one treated tumour."""

    withdrawal_parents = ("follow_up", "tumour", "follow_up__patient")

    follow_up = models.ForeignKey(FollowUp, on_delete=models.PROTECT, related_name="assessments")
    tumour = models.ForeignKey(Tumour, on_delete=models.PROTECT, related_name="assessments")
    result = models.CharField(max_length=20, choices=AssessmentResult.choices)

    class Meta:
        ordering = ["follow_up", "tumour"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "tumour"],
                condition=Q(withdrawn_at__isnull=True),
                name="unique_current_assessment_per_follow_up_and_tumour",
                violation_error_message="This tumour is already assessed at this follow-up.",
            ),
            models.CheckConstraint(
                condition=Q(result__in=AssessmentResult.values), name="assessment_result_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tumour.label}: {self.get_result_display()}"

    def owning_patient_id(self) -> int:
        return self.follow_up.patient_id

    def clean(self) -> None:
        if not self.follow_up_id or not self.tumour_id:
            return
        if self.tumour.patient_id != self.follow_up.patient_id:
            raise ValidationError({"tumour": "This tumour belongs to another patient."})
        treated = self.tumour.treatments.current().filter(
            procedure__performed_on__lte=self.follow_up.seen_on
        )
        if not treated.exists():
            raise ValidationError(
                {"tumour": "This tumour had no cryotherapy on or before this follow-up."}
            )
