"""Patients and their liver tumours."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from registry.choices import MetastasisTiming, PrimarySite, Segment, Sex, lobe_of_segment
from registry.models.accounts import Site
from registry.models.base import ClinicalRecord
from registry.validators import (
    normalise_nhs_number,
    validate_nhs_number,
    validate_not_in_future,
)

# Crockford's base 32 without I, L, O and U: nothing to misread over the phone.
_REGISTRY_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

MAX_AGE_YEARS = 120
NICE_MAX_DIAMETER_MM = 40  # NICE HTG241 2.2.3: maximum recommended tumour size 4 cm.


def new_registry_id() -> str:
    """Return a random, non-identifying registry ID such as CA-7K3M-9QXD."""
    chars = "".join(secrets.choice(_REGISTRY_ID_ALPHABET) for _ in range(8))
    return f"CA-{chars[:4]}-{chars[4:]}"


class NHSNumberField(models.CharField):
    """An optional NHS number, stored as ten digits or NULL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        if value is None:
            return None
        value = normalise_nhs_number(value)
        return value or None

    def formfield(self, **kwargs: Any) -> Any:
        # People type NHS numbers as "943 476 5919": let the form take the spaces
        # and leave the length and check-digit rules to the model's validator.
        kwargs["max_length"] = None
        return super().formfield(**kwargs)


class Patient(ClinicalRecord):
    """A person treated with cryotherapy for liver metastases at a site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="patients")
    registry_id = models.CharField(
        "registry ID",
        max_length=12,
        unique=True,
        default=new_registry_id,
        editable=False,
        help_text="Generated, non-identifying identifier used in the registry.",
    )
    nhs_number = NHSNumberField(
        "NHS number",
        null=True,
        blank=True,
        validators=[validate_nhs_number],
        help_text="Optional. Ten digits; spaces are ignored.",
    )
    hospital_number = models.CharField(
        max_length=20, help_text="The local hospital (MRN) number at this site."
    )
    date_of_birth = models.DateField(validators=[validate_not_in_future])
    sex = models.CharField(max_length=16, choices=Sex.choices)
    primary_site = models.CharField(
        "primary tumour site", max_length=20, choices=PrimarySite.choices
    )
    primary_diagnosis_date = models.DateField(
        "date of primary diagnosis", null=True, blank=True, validators=[validate_not_in_future]
    )
    metastasis_timing = models.CharField(
        "synchronous or metachronous metastases",
        max_length=16,
        choices=MetastasisTiming.choices,
        default=MetastasisTiming.NOT_KNOWN,
    )
    node_positive_primary = models.BooleanField(null=True, blank=True)
    extrahepatic_disease = models.BooleanField(
        "extrahepatic disease at baseline", null=True, blank=True
    )
    prior_hepatectomy = models.BooleanField(null=True, blank=True)
    prior_chemotherapy = models.BooleanField("prior systemic chemotherapy", null=True, blank=True)
    baseline_cea = models.DecimalField(
        "baseline CEA (ng/mL)",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    mdt_date = models.DateField(
        "date discussed at a hepatobiliary MDT",
        null=True,
        blank=True,
        validators=[validate_not_in_future],
        help_text="NICE HTG241 1.3: selection by a hepatobiliary multidisciplinary team.",
    )
    written_information_date = models.DateField(
        "date written information was given",
        null=True,
        blank=True,
        validators=[validate_not_in_future],
    )
    alternatives_discussed = models.BooleanField(
        "alternatives (other ablative treatments) discussed",
        null=True,
        blank=True,
        help_text="NICE HTG241 1.2: the patient understands other ablative treatments exist.",
    )
    next_follow_up_due = models.DateField(
        null=True,
        blank=True,
        editable=False,
        db_index=True,
        help_text="Derived: the next expected follow-up not yet covered by a contact; "
        "empty when none is expected (dead, lost to follow-up, schedule complete).",
    )
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["registry_id"]
        indexes = [
            # The patient list pages through a site's current patients by registry ID.
            models.Index(
                fields=["site", "registry_id"],
                condition=Q(withdrawn_at__isnull=True),
                name="patient_current_by_site",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=Q(nhs_number__isnull=False, withdrawn_at__isnull=True),
                name="unique_current_nhs_number",
                violation_error_message="This NHS number is already registered.",
            ),
            models.UniqueConstraint(
                fields=["site", "hospital_number"],
                condition=Q(withdrawn_at__isnull=True),
                name="unique_current_hospital_number_per_site",
                violation_error_message="This hospital number is already registered here.",
            ),
            models.CheckConstraint(
                condition=Q(baseline_cea__isnull=True) | Q(baseline_cea__gte=0),
                name="patient_baseline_cea_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(nhs_number__isnull=True) | Q(nhs_number__regex=r"^[0-9]{10}$"),
                name="patient_nhs_number_ten_digits",
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="patient_sex_valid"),
            models.CheckConstraint(
                condition=Q(primary_site__in=PrimarySite.values),
                name="patient_primary_site_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.registry_id

    def owning_patient_id(self) -> int:
        return self.pk

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def death_date(self) -> datetime.date | None:
        """Return the date of death recorded at a current follow-up, if any."""
        deaths = self.follow_ups.current().filter(vital_status="dead")
        return deaths.values_list("death_date", flat=True).first()

    def age_on(self, day: datetime.date) -> int:
        """Return the patient's age in whole years on a day."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        born = self.date_of_birth
        if born is not None:
            oldest = datetime.date(born.year + MAX_AGE_YEARS, born.month, 1)
            if oldest < timezone.localdate():
                errors["date_of_birth"] = (
                    f"This date of birth makes the patient older than {MAX_AGE_YEARS}."
                )
            for field in ("primary_diagnosis_date", "mdt_date", "written_information_date"):
                value = getattr(self, field)
                if value is not None and value < born:
                    errors[field] = "This date is before the patient's date of birth."
        if self.nhs_number and self._nhs_number_taken():
            errors["nhs_number"] = (
                "This NHS number is already registered in CryoAudit. If the patient moved "
                "between units, ask a registry admin to transfer the record."
            )
        if errors:
            raise ValidationError(errors)

    def _nhs_number_taken(self) -> bool:
        others = Patient.objects.filter(nhs_number=self.nhs_number, withdrawn_at__isnull=True)
        return others.exclude(pk=self.pk).exists() if self.pk else others.exists()


class Tumour(ClinicalRecord):
    """A liver metastasis (lesion): the unit of technical success and efficacy."""

    withdrawal_parents = ("patient",)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="tumours")
    label = models.CharField(
        max_length=20, help_text="How the team names this lesion, e.g. T1 or 'segment VI'."
    )
    segment = models.PositiveSmallIntegerField("Couinaud segment", choices=Segment.choices)
    max_diameter_mm = models.PositiveSmallIntegerField(
        "maximum diameter (mm)",
        validators=[
            MinValueValidator(1, "The maximum diameter must be at least 1 mm."),
            MaxValueValidator(200, "The maximum diameter must be at most 200 mm."),
        ],
    )
    detected_on = models.DateField(
        "date detected", null=True, blank=True, validators=[validate_not_in_future]
    )
    histology_confirmed = models.BooleanField(null=True, blank=True)
    size_exception_reason = models.TextField(
        "reason for treating a tumour over 4 cm",
        blank=True,
        help_text="NICE HTG241 2.2.3: the maximum recommended size is 4 cm.",
    )

    class Meta:
        ordering = ["patient", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "label"],
                condition=Q(withdrawn_at__isnull=True),
                name="unique_current_tumour_label_per_patient",
                violation_error_message="This patient already has a tumour with this label.",
            ),
            models.CheckConstraint(
                condition=Q(max_diameter_mm__gte=1, max_diameter_mm__lte=200),
                name="tumour_diameter_1_to_200_mm",
            ),
            models.CheckConstraint(
                condition=Q(segment__gte=1, segment__lte=8), name="tumour_segment_1_to_8"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} (segment {self.get_segment_display()}, {self.max_diameter_mm} mm)"

    def owning_patient_id(self) -> int:
        return self.patient_id

    @property
    def lobe(self) -> str:
        return lobe_of_segment(self.segment)

    @property
    def exceeds_nice_size(self) -> bool:
        """Tell whether the tumour is over the 4 cm NICE recommends as a maximum."""
        return self.max_diameter_mm is not None and self.max_diameter_mm > NICE_MAX_DIAMETER_MM

    def clean(self) -> None:
        errors: dict[str, str] = {}
        patient = self.patient if self.patient_id else None
        if patient and self.detected_on and self.detected_on < patient.date_of_birth:
            errors["detected_on"] = "This date is before the patient's date of birth."
        if errors:
            raise ValidationError(errors)
