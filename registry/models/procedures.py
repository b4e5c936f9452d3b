"""Cryotherapy procedures (sessions), the tumours they treat, and their adverse events."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from registry.choices import (
    Anaesthesia,
    Approach,
    CirseGrade,
    ClavienDindo,
    Cryogen,
    CtcaeGrade,
    EventCategory,
    EventTiming,
    EventType,
    ImageGuidance,
    Intent,
    Role,
    TechnicalSuccess,
)
from registry.models.base import ClinicalRecord
from registry.models.patients import Patient, Tumour
from registry.validators import validate_not_in_future

MAJOR_CTCAE_GRADE = 3  # "Major" adverse event: CTCAE grade 3 or worse (Glazer 2017 grade 3-5).
PERIPROCEDURAL_DAYS = 30


class Procedure(ClinicalRecord):
    """One cryotherapy session: the unit of adverse events and mortality."""

    withdrawal_parents = ("patient",)

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="procedures")
    performed_on = models.DateField("date", validators=[validate_not_in_future])
    approach = models.CharField(max_length=16, choices=Approach.choices)
    image_guidance = models.CharField(max_length=20, choices=ImageGuidance.choices)
    anaesthesia = models.CharField(max_length=16, choices=Anaesthesia.choices)
    cryogen = models.CharField(max_length=16, choices=Cryogen.choices)
    device = models.CharField(max_length=100, blank=True, help_text="Cryoablation system used.")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="procedures_operated",
        help_text="The clinician who performed the ablation.",
    )
    intent = models.CharField(max_length=32, choices=Intent.choices)
    consent_documented = models.BooleanField(default=False)
    combined_with_resection = models.BooleanField(default=False)
    adjuvant_tace = models.BooleanField("adjuvant TACE", default=False)
    length_of_stay_days = models.PositiveSmallIntegerField(
        "length of stay (days)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(365, "A length of stay over 365 days is not plausible.")],
    )

    class Meta:
        ordering = ["patient", "performed_on", "pk"]
        indexes = [models.Index(fields=["performed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(length_of_stay_days__isnull=True) | Q(length_of_stay_days__lte=365),
                name="procedure_length_of_stay_plausible",
            ),
            models.CheckConstraint(
                condition=Q(approach__in=Approach.values), name="procedure_approach_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_approach_display()} cryotherapy on {self.performed_on:%d/%m/%Y}"

    def owning_patient_id(self) -> int:
        return self.patient_id

    def clean(self) -> None:
        if not self.patient_id or self.performed_on is None:
            return
        errors: dict[str, str] = {}
        patient = self.patient
        if self.performed_on < patient.date_of_birth:
            errors["performed_on"] = "This date is before the patient's date of birth."
        death = patient.death_date()
        if death is not None and self.performed_on > death:
            errors["performed_on"] = (
                f"The patient's death is recorded on {death:%d/%m/%Y}, before this date."
            )
        if self.pk:
            self._check_later_records(errors)
        if self.operator_id and not self._operator_works_at_site():
            errors["operator"] = "The operator must be a clinician or site lead of this site."
        if errors:
            raise ValidationError(errors)

    def _check_later_records(self, errors: dict[str, str]) -> None:
        """Refuse a new date that would put this procedure after its own events."""
        earliest = (
            self.complications.current()
            .filter(onset_on__lt=self.performed_on)
            .order_by("onset_on")
            .first()
        )
        if earliest is not None:
            errors["performed_on"] = (
                f"A complication of this procedure started on {earliest.onset_on:%d/%m/%Y}, "
                "before this date."
            )
            return
        others = self.patient.procedures.current().exclude(pk=self.pk)
        if others.filter(performed_on__lte=self.performed_on).exists():
            return  # Not the first procedure, so follow-ups still have one before them.
        follow_up = (
            self.patient.follow_ups.current()
            .filter(seen_on__lt=self.performed_on)
            .order_by("seen_on")
            .first()
        )
        if follow_up is not None:
            errors["performed_on"] = (
                f"A follow-up on {follow_up.seen_on:%d/%m/%Y} would then come before "
                "the patient's first procedure."
            )

    def _operator_works_at_site(self) -> bool:
        assert self.operator is not None
        return self.operator.memberships.filter(
            site_id=self.patient.site_id, role__in=[Role.CLINICIAN, Role.SITE_LEAD]
        ).exists()


class TumourTreatment(ClinicalRecord):
    """One tumour treated in one procedure: the unit of technical success."""

    withdrawal_parents = ("procedure", "tumour", "procedure__patient")

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="treatments")
    tumour = models.ForeignKey(Tumour, on_delete=models.PROTECT, related_name="treatments")
    probes = models.PositiveSmallIntegerField(
        "number of probes",
        validators=[MinValueValidator(1), MaxValueValidator(25)],
    )
    freeze_thaw_cycles = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], default=2
    )
    total_freeze_minutes = models.DecimalField(
        "total freeze time (minutes)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    ice_ball_margin_mm = models.DecimalField(
        "ice-ball margin (mm)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    technical_success = models.CharField(
        max_length=8,
        choices=TechnicalSuccess.choices,
        default=TechnicalSuccess.UNKNOWN,
        help_text="Tumour treated per protocol and covered by the ice ball on "
        "intraprocedural or immediate imaging (Ahmed et al. 2014).",
    )

    class Meta:
        ordering = ["procedure", "tumour"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "tumour"],
                condition=Q(withdrawn_at__isnull=True),
                name="unique_current_treatment_per_procedure_and_tumour",
                violation_error_message="This tumour is already recorded in this procedure.",
            ),
            models.CheckConstraint(
                condition=Q(probes__gte=1, probes__lte=25), name="treatment_probes_1_to_25"
            ),
            models.CheckConstraint(
                condition=Q(freeze_thaw_cycles__gte=1, freeze_thaw_cycles__lte=5),
                name="treatment_cycles_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tumour.label} in {self.procedure}"

    def owning_patient_id(self) -> int:
        return self.procedure.patient_id

    def clean(self) -> None:
        if not self.procedure_id or not self.tumour_id:
            return
        errors: dict[str, str] = {}
        if self.tumour.patient_id != self.procedure.patient_id:
            errors["tumour"] = "This tumour belongs to another patient."
        elif self.tumour.detected_on and self.tumour.detected_on > self.procedure.performed_on:
            errors["tumour"] = (
                f"This tumour was detected on {self.tumour.detected_on:%d/%m/%Y}, "
                "after this procedure."
            )
        if errors:
            raise ValidationError(errors)


class Complication(ClinicalRecord):
    """An adverse event (side effect or complication) after a procedure."""

    withdrawal_parents = ("procedure", "procedure__patient")

    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="complications")
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    event_other = models.CharField(
        "other event (describe)", max_length=200, blank=True, help_text="Required for 'Other'."
    )
    category = models.CharField(
        max_length=16,
        choices=EventCategory.choices,
        default=EventCategory.COMPLICATION,
        help_text="Side effects (pain, post-ablation syndrome, asymptomatic effusion) are "
        "recorded separately from complications (Ahmed et al. 2014).",
    )
    onset_on = models.DateField("onset date", validators=[validate_not_in_future])
    ctcae_grade = models.PositiveSmallIntegerField("CTCAE v5 grade", choices=CtcaeGrade.choices)
    clavien_dindo = models.CharField(
        "Clavien-Dindo grade", max_length=4, choices=ClavienDindo.choices, blank=True
    )
    cirse_grade = models.PositiveSmallIntegerField(
        "CIRSE grade", choices=CirseGrade.choices, null=True, blank=True
    )
    treatment = models.TextField("treatment given", blank=True)
    resolved_on = models.DateField(
        "date resolved", null=True, blank=True, validators=[validate_not_in_future]
    )

    class Meta:
        ordering = ["procedure", "onset_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ctcae_grade__gte=1, ctcae_grade__lte=5),
                name="complication_ctcae_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(cirse_grade__isnull=True) | Q(cirse_grade__gte=1, cirse_grade__lte=6),
                name="complication_cirse_1_to_6",
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("onset_on")),
                name="complication_resolved_after_onset",
            ),
        ]

    def __str__(self) -> str:
        name = self.event_other if self.event_type == EventType.OTHER else self.event_label
        return f"{name} (CTCAE {self.ctcae_grade})"

    def owning_patient_id(self) -> int:
        return self.procedure.patient_id

    @property
    def event_label(self) -> str:
        return str(EventType(self.event_type).label)

    @property
    def is_major(self) -> bool:
        """Tell whether this is a major event: CTCAE grade 3 or worse."""
        return self.ctcae_grade >= MAJOR_CTCAE_GRADE

    @property
    def timing(self) -> str | None:
        """Return immediate (same day), periprocedural (<= 30 days) or delayed."""
        if self.onset_on is None or not self.procedure_id:
            return None
        days = (self.onset_on - self.procedure.performed_on).days
        if days <= 0:
            return EventTiming.IMMEDIATE
        if days <= PERIPROCEDURAL_DAYS:
            return EventTiming.PERIPROCEDURAL
        return EventTiming.DELAYED

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.event_type == EventType.OTHER and not self.event_other.strip():
            errors["event_other"] = "Describe the event when the type is 'Other'."
        if self.onset_on and self.procedure_id and self.onset_on < self.procedure.performed_on:
            errors["onset_on"] = (
                f"The onset is before the procedure ({self.procedure.performed_on:%d/%m/%Y})."
            )
        if self.onset_on and self.resolved_on and self.resolved_on < self.onset_on:
            errors["resolved_on"] = "The event cannot resolve before its onset."
        self._check_grades(errors)
        if errors:
            raise ValidationError(errors)

    def _check_grades(self, errors: dict[str, str]) -> None:
        """Keep the grading systems and the event type telling the same story."""
        fatal = self.ctcae_grade == CtcaeGrade.DEATH
        if self.event_type == EventType.DEATH and self.ctcae_grade and not fatal:
            errors["ctcae_grade"] = "A death is CTCAE grade 5."
        if self.clavien_dindo and (self.clavien_dindo == ClavienDindo.V) != fatal:
            errors["clavien_dindo"] = "Clavien-Dindo V (death) goes with CTCAE grade 5 only."
        if self.cirse_grade and (self.cirse_grade == CirseGrade.DEATH) != fatal:
            errors["cirse_grade"] = "CIRSE grade 6 (death) goes with CTCAE grade 5 only."
        if fatal and self.resolved_on:
            errors["resolved_on"] = "A fatal event has no date resolved."
