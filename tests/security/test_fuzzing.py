"""Hypothesis fuzzing of the data-entry forms and the write services.

Whatever is typed into any field of any form (dates out of range, huge or
negative numbers, unknown choices, control characters, any Unicode), the
answer is the saved record or the form again with field-level messages:
never a 500, never an unhandled exception, never a half-written record.
The services, which the admin and any future importer call directly, raise
ValidationError with field-level messages for the same inputs.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import services
from registry.models import (
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Tumour,
    TumourAssessment,
    TumourTreatment,
)
from tests.forms.helpers import form_data

pytestmark = pytest.mark.django_db

MODELS = (Patient, Tumour, Procedure, TumourTreatment, FollowUp, TumourAssessment, Complication)
# FUZZ_EXAMPLES=500 explores further with fresh random examples; by default the
# same 25 examples per test run every time, so CI stays reproducible and quick.
EXPLORE = int(os.environ.get("FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXPLORE or 25,
    deadline=None,
    derandomize=not EXPLORE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What a person (or a script) might put into a form field.
DATES = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.sampled_from(["0000-01-01", "2024-02-30", "10000-01-01", "31/12/2024", "yesterday"]),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e400", "-0", "0x1F", "1,5", " 7 ", "½"]),
)
TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(["\x00", "a\x00b", "<script>alert(1)</script>", "' OR 1=1 --", "\u202e"]),
)
VALUE = st.one_of(DATES, NUMBERS, TEXT, st.just(""))


def snapshot() -> list[list[Any]]:
    return [sorted(model.objects.values_list("pk", "version", "withdrawn_at")) for model in MODELS]


def rolled_back(check):
    """Run one example inside a savepoint that is always rolled back (examples stay independent)."""

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            check()
            raise Rollback
    except Rollback:
        pass


FORMS = {
    "new patient": "/patients/new/",
    "edit patient": "/patients/{patient}/edit/",
    "new procedure": "/patients/{patient}/procedures/new/",
    "edit procedure": "/procedures/{procedure}/edit/",
    "new follow-up": "/patients/{patient}/follow-ups/new/",
    "edit follow-up": "/follow-ups/{follow_up}/edit/",
    "new adverse event": "/procedures/{procedure}/complications/new/",
    "edit adverse event": "/complications/{complication}/edit/",
}


@pytest.mark.parametrize("form", FORMS)
def test_any_input_to_any_form_is_saved_or_explained(client, clinician_a, full_case, form):
    procedure = full_case.procedures.get()
    url = FORMS[form].format(
        patient=full_case.pk,
        procedure=procedure.pk,
        follow_up=full_case.follow_ups.order_by("seen_on").first().pk,
        complication=Complication.objects.get().pk,
    )
    client.force_login(clinician_a)
    base = form_data(client.get(url))
    fields = sorted(base)

    @FUZZ
    @given(changes=st.dictionaries(st.sampled_from(fields), VALUE, min_size=1, max_size=6))
    def check_form(changes):
        def example():
            before = snapshot()
            response = client.post(url, {**base, **changes})
            assert response.status_code in (200, 302), response.status_code
            if response.status_code == 200:
                page = response.content.decode()
                assert "is-invalid" in page or "alert-danger" in page, "refused without a message"
                assert snapshot() == before, "a refused form changed the registry"
            else:
                for model in MODELS:  # whatever was saved passes every rule
                    for record in model.objects.all():
                        record.full_clean()

        rolled_back(example)

    check_form()


PATIENT_FIELDS = {
    "hospital_number": TEXT,
    "nhs_number": st.one_of(TEXT, NUMBERS),
    "date_of_birth": st.one_of(st.dates(), st.none()),
    "sex": TEXT,
    "primary_site": TEXT,
    "baseline_cea": st.one_of(
        st.decimals(allow_nan=True, allow_infinity=True), st.floats(), st.none()
    ),
    "mdt_date": st.one_of(st.dates(), st.none()),
    "node_positive_primary": st.one_of(st.booleans(), st.none(), TEXT),
}


@FUZZ
@given(data=st.fixed_dictionaries({}, optional=PATIENT_FIELDS))
def test_the_patient_service_refuses_bad_input_field_by_field(data, clinician_a, site_a):
    def example():
        before = snapshot()
        try:
            services.patient_create(by=clinician_a, site=site_a, data=data)
        except ValidationError as error:
            assert error.message_dict, "a refusal names its fields"
            assert set(error.message_dict) <= {*PATIENT_FIELDS, "__all__", *_patient_fields()}
            assert snapshot() == before
        else:
            Patient.objects.latest("pk").full_clean()

    rolled_back(example)


def _patient_fields() -> set[str]:
    return {field.name for field in Patient._meta.get_fields()}


TREATMENT_ROW = st.fixed_dictionaries(
    {},
    optional={
        "probes": st.one_of(st.integers(-(2**40), 2**40), st.none(), TEXT),
        "technical_success": st.one_of(st.booleans(), st.none(), TEXT),
        "freeze_thaw_cycles": st.one_of(st.integers(-(2**40), 2**40), st.none()),
        "total_freeze_minutes": st.one_of(st.decimals(allow_nan=True), st.floats(), st.none()),
    },
)


@FUZZ
@given(
    performed_on=st.one_of(st.dates(), st.none()),
    rows=st.lists(TREATMENT_ROW, min_size=1, max_size=3),
)
def test_a_procedure_with_any_rows_is_all_or_nothing(
    performed_on, rows, clinician_a, treated_patient_a
):
    tumour = treated_patient_a.tumours.get()

    def example():
        before = snapshot()
        try:
            services.procedure_create(
                by=clinician_a,
                patient=treated_patient_a,
                data={
                    "performed_on": performed_on,
                    "approach": "percutaneous",
                    "image_guidance": "ct",
                    "anaesthesia": "general",
                    "cryogen": "argon",
                    "intent": "primary",
                    "consent_documented": True,
                },
                treatments=[{"tumour": tumour, **row} for row in rows],
            )
        except ValidationError as error:
            assert error.message_dict
            assert snapshot() == before, "a refused procedure left rows behind"

    rolled_back(example)
