"""Fixtures of the export API tests: a small two-site cohort full of identifiers.

Every identifier and free-text value here is distinctive, so the export scans
can prove none of them leaves through the API.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from rest_framework.test import APIClient

from registry.api import tokens
from registry.choices import EventType, Role, VitalStatus
from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    MembershipFactory,
    PatientFactory,
    ProcedureFactory,
    TumourAssessmentFactory,
    TumourFactory,
    TumourTreatmentFactory,
    UserFactory,
)

TODAY = datetime.date.today()
CANARY = "CANARY-FREE-TEXT"


@dataclass
class Cohort:
    """Seeded records per site code, and every secret that must not leave."""

    patients: dict[str, list] = field(default_factory=dict)
    records: dict[str, dict[str, list]] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)


@pytest.fixture(autouse=True)
def generous_export_rate(settings):
    """Keep the throttle out of the way (the throttling test sets its own rate)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"export": "100000/hour"},
    }


@pytest.fixture
def reviewer_b(site_b):
    user = UserFactory(username="vera", first_name="Vera", last_name="Reviewson")
    MembershipFactory(user=user, site=site_b, role=Role.GOVERNANCE_REVIEWER)
    return user


@pytest.fixture
def api():
    return APIClient()


def token_for(user):
    return tokens.api_token_create(user=user, name="tests").plain


def _seed_patient(site, n, operator, cohort):
    born = datetime.date(1940 + n, 1 + n % 12, 3 + n)
    patient = PatientFactory(
        site=site,
        hospital_number=f"MRN{site.code[-1]}{n:05d}X",
        date_of_birth=born,
    )
    tumour = TumourFactory(
        patient=patient,
        label=f"ZQXLABEL{n:03d}",
        max_diameter_mm=45,
        size_exception_reason=f"{CANARY} size reason {n}",
    )
    procedure = ProcedureFactory(
        patient=patient,
        performed_on=TODAY - datetime.timedelta(days=300 + n),
        device=f"{CANARY} device {n}",
        operator=operator,
    )
    TumourTreatmentFactory(procedure=procedure, tumour=tumour, ice_ball_margin_mm=5)
    follow_up = FollowUpFactory(patient=patient, seen_on=procedure.performed_on, cea=4)
    TumourAssessmentFactory(follow_up=follow_up, tumour=tumour)
    ComplicationFactory(
        procedure=procedure,
        event_type=EventType.OTHER,
        event_other=f"{CANARY} other event {n}",
        treatment=f"{CANARY} treatment {n}",
    )
    if n % 2:
        FollowUpFactory(
            patient=patient,
            seen_on=procedure.performed_on + datetime.timedelta(days=30),
            kind="death_notification",
            vital_status=VitalStatus.DEAD,
            death_date=procedure.performed_on + datetime.timedelta(days=29),
            death_cause="cancer",
        )
    nhs = str(patient.nhs_number)
    cohort.secrets |= {
        nhs,
        f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}",
        patient.hospital_number,
        patient.registry_id,
        tumour.label,
        born.isoformat(),
        born.strftime("%d/%m/%Y"),
    }
    return patient


@pytest.fixture
def cohort(site_a, site_b):
    """Three patients at site A and two at site B, each with one of every record."""
    cohort = Cohort()
    for site, count in ((site_a, 3), (site_b, 2)):
        operator = UserFactory(
            username=f"op-{site.code.lower()}",
            first_name="Octavia",
            last_name=f"Operator{site.code[-1]}",
            email=f"octavia.{site.code.lower()}@example.nhs.uk",
        )
        MembershipFactory(user=operator, site=site, role=Role.CLINICIAN)
        cohort.secrets |= {
            operator.last_name,
            operator.email,
            site.governance_lead_email,
            site.governance_lead_name,
        }
        base = 10 if site.code == "SITE-B" else 0
        cohort.patients[site.code] = [
            _seed_patient(site, base + n, operator, cohort) for n in range(count)
        ]
    for code, patients in cohort.patients.items():
        procedures = [p.procedures.get() for p in patients]
        cohort.records[code] = {
            "tumours": [p.tumours.get() for p in patients],
            "procedures": procedures,
            "tumour_treatments": [pr.treatments.get() for pr in procedures],
            "follow_ups": [f for p in patients for f in p.follow_ups.order_by("seen_on")],
            "tumour_assessments": [
                p.follow_ups.order_by("seen_on").first().assessments.get() for p in patients
            ],
            "complications": [pr.complications.get() for pr in procedures],
        }
    return cohort
