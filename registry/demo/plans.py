"""Plain records of one synthetic patient's course, before any database is involved.

Plans refer to each other by position (a treatment names its tumour by index in
the patient's tumour list; a procedure names its operator by index in the
site's operator list), so the loader can map them to primary keys after each
bulk insert.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from registry.choices import VitalStatus


@dataclass
class TumourPlan:
    label: str
    segment: int
    max_diameter_mm: int
    detected_on: datetime.date | None
    histology_confirmed: bool | None
    size_exception_reason: str = ""


@dataclass
class TreatmentPlan:
    tumour: int  # index into PatientPlan.tumours
    probes: int
    freeze_thaw_cycles: int
    total_freeze_minutes: Decimal | None
    ice_ball_margin_mm: Decimal | None
    technical_success: str


@dataclass
class ComplicationPlan:
    event_type: str
    category: str
    onset_on: datetime.date
    ctcae_grade: int
    clavien_dindo: str
    cirse_grade: int | None
    treatment: str
    resolved_on: datetime.date | None
    event_other: str = ""


@dataclass
class ProcedurePlan:
    performed_on: datetime.date
    approach: str
    image_guidance: str
    anaesthesia: str
    cryogen: str
    device: str
    operator: int  # index into the site's operators
    intent: str
    consent_documented: bool
    combined_with_resection: bool
    adjuvant_tace: bool
    length_of_stay_days: int | None
    treatments: list[TreatmentPlan] = field(default_factory=list)
    complications: list[ComplicationPlan] = field(default_factory=list)


@dataclass
class AssessmentPlan:
    tumour: int  # index into PatientPlan.tumours
    result: str


@dataclass
class FollowUpPlan:
    seen_on: datetime.date
    kind: str
    imaging_modality: str = ""
    cea: Decimal | None = None
    recist: str = ""
    new_intrahepatic_disease: bool | None = None
    extrahepatic_disease: bool | None = None
    vital_status: str = VitalStatus.ALIVE
    death_date: datetime.date | None = None
    death_cause: str = ""
    lost_to_follow_up: bool = False
    assessments: list[AssessmentPlan] = field(default_factory=list)


@dataclass
class PatientPlan:
    site: int  # index into the demo sites
    registry_id: str
    nhs_number: str | None
    hospital_number: str
    date_of_birth: datetime.date
    sex: str
    primary_site: str
    primary_diagnosis_date: datetime.date | None
    metastasis_timing: str
    node_positive_primary: bool | None
    extrahepatic_disease: bool | None
    prior_hepatectomy: bool | None
    prior_chemotherapy: bool | None
    baseline_cea: Decimal | None
    mdt_date: datetime.date | None
    written_information_date: datetime.date | None
    alternatives_discussed: bool | None
    tumours: list[TumourPlan] = field(default_factory=list)
    procedures: list[ProcedurePlan] = field(default_factory=list)
    follow_ups: list[FollowUpPlan] = field(default_factory=list)
