"""Nobody sees another site's patients: every read goes through a scoped selector."""

import pytest
from django.http import Http404

from registry import selectors
from registry.choices import Role
from tests.factories import (
    ComplicationFactory,
    FollowUpFactory,
    MembershipFactory,
    PatientFactory,
    TumourAssessmentFactory,
)

GETTERS = {
    "patient": (selectors.get_patient_for, lambda p: p),
    "tumour": (selectors.get_tumour_for, lambda p: p.tumours.get()),
    "procedure": (selectors.get_procedure_for, lambda p: p.procedures.get()),
    "treatment": (selectors.get_treatment_for, lambda p: p.procedures.get().treatments.get()),
    "follow-up": (selectors.get_follow_up_for, lambda p: p.follow_ups.get()),
    "assessment": (
        selectors.get_assessment_for,
        lambda p: p.follow_ups.get().assessments.get(),
    ),
    "complication": (
        selectors.get_complication_for,
        lambda p: p.procedures.get().complications.get(),
    ),
}


@pytest.fixture
def full_record_a(treated_patient_a):
    """Site A's patient with one of every kind of record."""
    procedure = treated_patient_a.procedures.get()
    follow_up = FollowUpFactory(patient=treated_patient_a, seen_on=procedure.performed_on)
    TumourAssessmentFactory(follow_up=follow_up, tumour=treated_patient_a.tumours.get())
    ComplicationFactory(procedure=procedure)
    return treated_patient_a


@pytest.mark.parametrize("kind", GETTERS)
def test_clinician_of_site_a_reads_every_record_of_site_a(full_record_a, clinician_a, kind):
    getter, pick = GETTERS[kind]
    record = pick(full_record_a)
    assert getter(clinician_a, record.pk) == record


@pytest.mark.parametrize("kind", GETTERS)
def test_clinician_of_site_b_gets_not_found_for_site_a_records(full_record_a, clinician_b, kind):
    getter, pick = GETTERS[kind]
    with pytest.raises(Http404):
        getter(clinician_b, pick(full_record_a).pk)


@pytest.mark.parametrize("kind", GETTERS)
def test_governance_reviewer_gets_no_identifiable_records(full_record_a, reviewer, kind):
    getter, pick = GETTERS[kind]
    with pytest.raises(Http404):
        getter(reviewer, pick(full_record_a).pk)


@pytest.mark.parametrize("kind", GETTERS)
def test_site_lead_and_registry_admin_read_site_a_records(
    full_record_a, lead_a, registry_admin, kind
):
    getter, pick = GETTERS[kind]
    record = pick(full_record_a)
    assert getter(lead_a, record.pk) == record
    assert getter(registry_admin, record.pk) == record


def test_patient_lists_hold_only_the_users_sites(
    site_a, site_b, clinician_a, clinician_b, registry_admin
):
    mine = PatientFactory(site=site_a)
    theirs = PatientFactory(site=site_b)

    assert list(selectors.patients_for(clinician_a)) == [mine]
    assert list(selectors.patients_for(clinician_b)) == [theirs]
    assert set(selectors.patients_for(registry_admin)) == {mine, theirs}


def test_nonsense_ids_are_not_found_rather_than_errors(clinician_a):
    for value in ("abc", None, -1, "1; drop table"):
        with pytest.raises(Http404):
            selectors.get_patient_for(clinician_a, value)


def test_inactive_user_sees_nothing(patient_a, clinician_a):
    clinician_a.is_active = False
    clinician_a.save()
    assert not selectors.patients_for(clinician_a).exists()


def test_sites_for_lists_memberships_by_role(site_a, site_b, reviewer, lead_a):
    assert set(selectors.sites_for(reviewer)) == {site_a, site_b}
    assert not selectors.sites_for(reviewer, roles=selectors.CLINICAL_ROLES).exists()
    assert list(selectors.sites_for(lead_a, roles=selectors.LEAD_ROLES)) == [site_a]


def test_a_users_sites_are_read_once_and_reread_after_a_membership_changes(
    clinician_a, site_a, site_b, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert selectors.site_ids_for(clinician_a) == {site_a.pk}
        assert selectors.can_edit_site(clinician_a, site_a)
        assert selectors.roles_at(clinician_a, site_b) == set()

    joined = MembershipFactory(user=clinician_a, site=site_b, role=Role.CLINICIAN)
    assert selectors.site_ids_for(clinician_a) == {site_a.pk, site_b.pk}

    joined.delete()
    assert selectors.site_ids_for(clinician_a) == {site_a.pk}
