"""What each exported table holds: explicit, read-only serializer fields.

These serializers are the single description of every exported column: the
JSON API renders them, the CSV export and the bundle take their columns and
cell formats from them, and the data dictionary is generated from them.

They read plain dicts from `QuerySet.values()` (see registry/api/tables.py),
never model instances, so nothing that is not listed here is ever loaded into
an exported row. Left out on purpose: NHS number, hospital number, date of
birth, registry ID (replaced by the pseudonym), every free-text field (device,
event_other, treatment, size_exception_reason, withdrawal_reason, tumour
label), people (operator, authors, governance lead name and e-mail) and
internal patient keys.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registry.api.pseudonyms import pseudonym
from registry.models import (
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Site,
    Tumour,
    TumourAssessment,
    TumourTreatment,
)

WITHDRAWN_HELP = (
    "True when this record, or a record it belongs to, was withdrawn (entered in "
    "error). Withdrawn rows are exported only with include_withdrawn=true."
)
UPDATED_HELP = (
    "When this record last changed (UTC); use with updated_since for incremental exports."
)


@extend_schema_field(
    {"type": "string", "pattern": "^[0-9a-f]{64}$", "minLength": 64, "maxLength": 64}
)
class PseudonymField(serializers.Field):
    """A patient's pseudonym, computed from the registry ID when the row is written."""

    kind = "pseudonym"

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        return pseudonym(value)


class ExportDecimalField(serializers.DecimalField):
    """Decimals as JSON numbers, not strings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["coerce_to_string"] = False
        super().__init__(*args, **kwargs)


class ExportChoiceField(serializers.ChoiceField):
    """A coded value; a blank code ("not recorded") is exported as null."""

    def to_representation(self, value: Any) -> Any:
        return None if value == "" else super().to_representation(value)


class ExportDateTimeField(serializers.DateTimeField):
    """Date-times in UTC, whatever the server's time zone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["default_timezone"] = datetime.UTC
        super().__init__(*args, **kwargs)


def _id_field(help_text: str, label: str = "ID") -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, label=label, help_text=help_text)


def _withdrawn_field() -> serializers.BooleanField:
    return serializers.BooleanField(read_only=True, help_text=WITHDRAWN_HELP)


class ExportSerializer(serializers.ModelSerializer):
    """Base of the export serializers: read-only, numbers as numbers, times in UTC."""

    serializer_choice_field = ExportChoiceField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DecimalField: ExportDecimalField,
        models.DateTimeField: ExportDateTimeField,
    }

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if model_field.blank and "choices" in kwargs:
            kwargs["allow_null"] = True  # A blank code is exported as null.
        return field_class, kwargs

    def get_extra_kwargs(self) -> dict[str, Any]:
        extra: dict[str, Any] = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra.setdefault(name, {})["read_only"] = True
        if "updated_at" in self.Meta.fields:
            extra["updated_at"].setdefault("help_text", UPDATED_HELP)
        return extra


class SiteExportSerializer(ExportSerializer):
    class Meta:
        model = Site
        fields = ["code", "name", "organisation", "governance_lead_informed_on"]


class PatientExportSerializer(ExportSerializer):
    pseudonym = PseudonymField(
        source="registry_id",
        help_text="The patient's pseudonym: HMAC-SHA256 of the registry ID under the "
        "export key, stable across exports made with the same key.",
    )
    site = serializers.CharField(
        source="site__code", read_only=True, help_text="Code of the patient's site."
    )
    age_at_first_procedure = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        label="Age at first procedure (years)",
        help_text="Whole years on the date of the first current procedure; replaces the "
        "date of birth. Empty before any procedure.",
    )
    signed_off = serializers.BooleanField(
        read_only=True, help_text="True when a site lead has signed off (locked) the record."
    )
    withdrawn = _withdrawn_field()

    class Meta:
        model = Patient
        fields = [
            "pseudonym",
            "site",
            "sex",
            "age_at_first_procedure",
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
            "signed_off",
            "withdrawn",
            "updated_at",
        ]


class TumourExportSerializer(ExportSerializer):
    id = _id_field(
        "Number of this tumour in the export; tumour treatments and assessments refer to it."
    )
    patient_pseudonym = PseudonymField(
        source="patient__registry_id", help_text="Pseudonym of the patient (see patients)."
    )
    withdrawn = _withdrawn_field()

    class Meta:
        model = Tumour
        fields = [
            "id",
            "patient_pseudonym",
            "segment",
            "max_diameter_mm",
            "detected_on",
            "histology_confirmed",
            "withdrawn",
            "updated_at",
        ]


class ProcedureExportSerializer(ExportSerializer):
    id = _id_field(
        "Number of this procedure in the export; treatments and complications refer to it."
    )
    patient_pseudonym = PseudonymField(
        source="patient__registry_id", help_text="Pseudonym of the patient (see patients)."
    )
    withdrawn = _withdrawn_field()

    class Meta:
        model = Procedure
        fields = [
            "id",
            "patient_pseudonym",
            "performed_on",
            "approach",
            "image_guidance",
            "anaesthesia",
            "cryogen",
            "intent",
            "consent_documented",
            "combined_with_resection",
            "adjuvant_tace",
            "length_of_stay_days",
            "withdrawn",
            "updated_at",
        ]
        extra_kwargs = {"performed_on": {"label": "Procedure date"}}


class TumourTreatmentExportSerializer(ExportSerializer):
    id = _id_field("Number of this tumour treatment in the export.")
    procedure_id = _id_field(
        "The procedure in which the tumour was treated (see procedures).", "Procedure ID"
    )
    tumour_id = _id_field("The tumour treated (see tumours).", "Tumour ID")
    patient_pseudonym = PseudonymField(
        source="procedure__patient__registry_id",
        help_text="Pseudonym of the patient (see patients).",
    )
    withdrawn = _withdrawn_field()

    class Meta:
        model = TumourTreatment
        fields = [
            "id",
            "procedure_id",
            "tumour_id",
            "patient_pseudonym",
            "probes",
            "freeze_thaw_cycles",
            "total_freeze_minutes",
            "ice_ball_margin_mm",
            "technical_success",
            "withdrawn",
            "updated_at",
        ]


class FollowUpExportSerializer(ExportSerializer):
    id = _id_field("Number of this follow-up in the export; tumour assessments refer to it.")
    patient_pseudonym = PseudonymField(
        source="patient__registry_id", help_text="Pseudonym of the patient (see patients)."
    )
    withdrawn = _withdrawn_field()

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "patient_pseudonym",
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
            "withdrawn",
            "updated_at",
        ]
        extra_kwargs = {"seen_on": {"label": "Follow-up date"}}


class TumourAssessmentExportSerializer(ExportSerializer):
    id = _id_field("Number of this tumour assessment in the export.")
    follow_up_id = _id_field(
        "The follow-up at which the tumour was assessed (see follow_ups).", "Follow-up ID"
    )
    tumour_id = _id_field("The tumour assessed (see tumours).", "Tumour ID")
    patient_pseudonym = PseudonymField(
        source="follow_up__patient__registry_id",
        help_text="Pseudonym of the patient (see patients).",
    )
    withdrawn = _withdrawn_field()

    class Meta:
        model = TumourAssessment
        fields = [
            "id",
            "follow_up_id",
            "tumour_id",
            "patient_pseudonym",
            "result",
            "withdrawn",
            "updated_at",
        ]


class ComplicationExportSerializer(ExportSerializer):
    id = _id_field("Number of this adverse event in the export.")
    procedure_id = _id_field(
        "The procedure after which the event happened (see procedures).", "Procedure ID"
    )
    patient_pseudonym = PseudonymField(
        source="procedure__patient__registry_id",
        help_text="Pseudonym of the patient (see patients).",
    )
    withdrawn = _withdrawn_field()

    class Meta:
        model = Complication
        fields = [
            "id",
            "procedure_id",
            "patient_pseudonym",
            "event_type",
            "category",
            "onset_on",
            "ctcae_grade",
            "clavien_dindo",
            "cirse_grade",
            "resolved_on",
            "withdrawn",
            "updated_at",
        ]


class DictionaryEntrySerializer(serializers.Serializer):
    """One exported column, as the data dictionary describes it."""

    table = serializers.CharField(help_text="The exported table (CSV file) holding the column.")
    name = serializers.CharField(help_text="The column name.")
    type = serializers.CharField(
        help_text="string, integer, decimal, boolean, date, datetime, code or pseudonym."
    )
    unit = serializers.CharField(help_text="Unit of measurement, empty when none.")
    allowed_values = serializers.DictField(
        child=serializers.CharField(),
        help_text="For coded columns: each stored code and its meaning.",
    )
    nullable = serializers.BooleanField(
        help_text="True when the column may be empty (null in JSON, or an empty code)."
    )
    definition = serializers.CharField(help_text="What the column means.")


class ErrorSerializer(serializers.Serializer):
    """An error answer: `detail`, or one list of messages per invalid parameter."""

    detail = serializers.CharField(required=False)
