"""Published series and their figures: the benchmarks local results are compared with.

The figures are data, not code: a data migration loads every figure of the
project's reference document (audit/data/published_series.json) with a history
row, and registry admins correct or extend them in the admin site, each change
kept in the history with its author and reason.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from audit.benchmarks import FigureText, figure_text
from audit.definitions import ALL, SUBGROUP_CHOICES, Arm, PublishedMeasure, Unit, ValueUnit

# A published percentage may differ from its own k/n by rounding (Glazer 2017 prints
# 33.8% for 80/236 = 33.9%); more than this is a transcription error.
PERCENT_TOLERANCE = Decimal("0.5")


class Provenance(models.TextChoices):
    SEED = "seed", "Checked against the source document"
    LITERATURE = "literature", "From the cited paper's published abstract"


class Publication(models.Model):
    """A published series (or guidance document) that reports benchmark figures."""

    short_name = models.CharField(
        max_length=40, unique=True, help_text='How the dashboard cites it, e.g. "Xu 2008".'
    )
    citation = models.TextField(help_text="Full reference: authors, title, journal, year.")
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    cohort = models.TextField("cohort description")
    n_patients = models.PositiveIntegerField("patients", null=True, blank=True)
    n_tumours = models.PositiveIntegerField("tumours", null=True, blank=True)
    n_procedures = models.PositiveIntegerField("procedures", null=True, blank=True)
    approach = models.CharField(max_length=200, blank=True)
    source_location = models.CharField(
        "where in the text", max_length=200, help_text="e.g. abstract, Results."
    )
    provenance = models.CharField(max_length=16, choices=Provenance.choices)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["year", "short_name"]

    def __str__(self) -> str:
        return self.short_name


class BenchmarkFigure(models.Model):
    """One published number: a rate, a survival, a median or a relative risk."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="figures")
    measure = models.CharField(max_length=40, choices=PublishedMeasure.choices)
    unit = models.CharField("unit of analysis", max_length=16, choices=Unit.choices)
    subgroup = models.CharField(max_length=40, choices=SUBGROUP_CHOICES, default=ALL)
    arm = models.CharField(
        max_length=32,
        choices=Arm.choices,
        default=Arm.CRYOTHERAPY,
        help_text="Only cryotherapy series are tested against local results; "
        "the other arms are shown for context.",
    )
    cohort = models.CharField(
        max_length=200, blank=True, help_text="The group this figure describes, as published."
    )
    time_point = models.CharField(max_length=120, blank=True, help_text="As published.")
    horizon_months = models.DecimalField(
        "time point (months)",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Where a curve is read, e.g. 12 for 1-year survival.",
    )
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    value_unit = models.CharField(max_length=16, choices=ValueUnit.choices, default="percent")
    value_decimals = models.PositiveSmallIntegerField(
        "decimals as published", default=1, validators=[MaxValueValidator(2)]
    )
    range_low = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    range_high = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    ci_low = models.DecimalField(
        "published 95% CI low", max_digits=7, decimal_places=2, null=True, blank=True
    )
    ci_high = models.DecimalField(
        "published 95% CI high", max_digits=7, decimal_places=2, null=True, blank=True
    )
    source_location = models.CharField("where in the text", max_length=200)
    note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["publication__year", "publication__short_name", "measure", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(numerator__isnull=True)
                | Q(denominator__isnull=True)
                | Q(numerator__lte=models.F("denominator")),
                name="figure_numerator_not_above_denominator",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False) | Q(range_low__isnull=False),
                name="figure_has_value_or_range",
            ),
            models.CheckConstraint(
                condition=~Q(value_unit="percent")
                | Q(value__isnull=True)
                | Q(value__gte=0, value__lte=100),
                name="figure_percent_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(ci_low__isnull=True)
                | Q(ci_high__isnull=True)
                | Q(ci_low__lte=models.F("ci_high")),
                name="figure_ci_ordered",
            ),
            models.CheckConstraint(
                condition=Q(range_low__isnull=True)
                | Q(range_high__isnull=True)
                | Q(range_low__lte=models.F("range_high")),
                name="figure_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.publication}: {self.get_measure_display()} {self.display}"

    @property
    def display(self) -> str:
        """Return the figure as published, e.g. '279/295 (94.6%)' or '29 months'."""
        return figure_text(
            FigureText(
                numerator=self.numerator,
                denominator=self.denominator,
                value=self.value,
                value_unit=self.value_unit,
                decimals=self.value_decimals,
                range_low=self.range_low,
                range_high=self.range_high,
                ci_low=self.ci_low,
                ci_high=self.ci_high,
            )
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.value is None and self.range_low is None:
            errors["value"] = "Enter the published value (or a published range)."
        if (self.range_low is None) != (self.range_high is None):
            errors["range_high"] = "Enter both ends of the published range, or neither."
        if self.numerator is not None and self.denominator is not None:
            if self.numerator > self.denominator:
                errors["numerator"] = "The numerator cannot exceed the denominator."
            elif self.denominator and self.value is not None and self.value_unit == "percent":
                calculated = Decimal(100 * self.numerator) / Decimal(self.denominator)
                if abs(calculated - self.value) > PERCENT_TOLERANCE:
                    errors["value"] = (
                        f"{self.numerator}/{self.denominator} is {calculated:.1f}%, "
                        f"not {self.value}%: check the transcription."
                    )
        if self.value_unit == "percent" and self.value is not None and not 0 <= self.value <= 100:
            errors["value"] = "A percentage lies between 0 and 100."
        if errors:
            raise ValidationError(errors)
