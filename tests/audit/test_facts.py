"""The SQL derivation of a cohort (audit.facts) gives exactly what the per-unit rules
(audit.reference) give: on a demo cohort with every kind of edge case added, for
every scope, period and setting, the whole dashboard is the same, float for float."""

import dataclasses

import pytest

from audit import selectors
from audit.cohort import build_cohort
from audit.dashboard import Dashboard, build_dashboard
from audit.definitions import audit_settings
from audit.metrics import make_period, read_tally
from audit.reference import tally_of_cohort
from registry.demo.seeding import SeedOptions, seed
from registry.models import Site
from tests.audit.builders import (
    AS_OF,
    DAY0,
    complication,
    days,
    death,
    follow_up,
    retreat,
    treated_patient,
    withdraw,
)
from tests.factories import (
    FollowUpFactory,
    PatientFactory,
    ProcedureFactory,
    TumourFactory,
    TumourTreatmentFactory,
    UserFactory,
)

CA, RUT, LTP, NA = "complete_ablation", "residual_unablated", "local_progression", "not_assessed"


def _withdrawn_records(site, admin):
    """One of each record withdrawn, each under an otherwise counted patient."""
    patient, _, _ = treated_patient(site, on=DAY0 + days(3), diameters=(30,))
    withdraw(patient, admin)  # the patient and everything under it
    patient, procedure, (tumour, other) = treated_patient(site, diameters=(22, 41))
    second = retreat(patient, [tumour], on=DAY0 + days(40))
    withdraw(second, admin)  # a procedure: its treatment goes with it
    withdraw(other, admin)  # a tumour: its treatment and assessments go with it
    visit = follow_up(patient, on=DAY0 + days(90), results=[(tumour, RUT)], recist="pd")
    withdraw(visit, admin)  # a follow-up: its assessments go with it
    kept = follow_up(patient, on=DAY0 + days(100), results=[(tumour, CA)], recist="sd")
    withdraw(kept.assessments.get(), admin)  # an assessment alone
    withdraw(complication(procedure, grade=4), admin)
    _, procedure, _ = treated_patient(site, on=DAY0 + days(5))
    withdraw(procedure.treatments.get(), admin)  # a treatment alone


def _efficacy_and_progression(site):
    """Re-treatments, same-day assessments, progression after ablation, death."""
    patient, _, (tumour,) = treated_patient(site, on=DAY0 + days(7), diameters=(45,))
    retreat(patient, [tumour], on=DAY0 + days(30))  # re-treated before its assessment
    follow_up(patient, on=DAY0 + days(90), results=[(tumour, CA)], new_intrahepatic_disease=None)
    follow_up(patient, on=DAY0 + days(400), results=[(tumour, LTP)], extrahepatic_disease=True)
    patient, _, (tumour,) = treated_patient(site, on=DAY0 + days(8), segment=1)
    retreat(patient, [tumour], on=DAY0 + days(8), approach="open")  # same day, other approach
    follow_up(patient, on=DAY0 + days(70), results=[(tumour, RUT)])
    follow_up(patient, on=DAY0 + days(70), results=[(tumour, CA)])  # same day: CA first
    follow_up(patient, on=DAY0 + days(200), results=[(tumour, NA)], recist="ne")
    death(patient, on=DAY0 + days(300))
    patient, _, (tumour,) = treated_patient(site, on=DAY0 + days(9), segment=3)
    follow_up(patient, on=DAY0 + days(20), results=[(tumour, LTP)])  # before any ablation
    follow_up(patient, on=DAY0 + days(250), results=[(tumour, CA)])  # outside the window
    follow_up(patient, on=DAY0 + days(251), results=[(tumour, LTP)], recist="cr")


def _complications_and_deaths(site):
    """Grades, side effects, the 30-day edge and deaths recorded two ways."""
    _, procedure, _ = treated_patient(site, on=DAY0 + days(11))
    complication(procedure, after_days=30, grade=3)
    complication(procedure, after_days=2, grade=4, category="side_effect")
    _, procedure, _ = treated_patient(site, on=DAY0 + days(12))
    complication(procedure, after_days=31, grade=3)  # after the window
    complication(procedure, after_days=3, grade=2)
    _, procedure, _ = treated_patient(site, on=DAY0 + days(13))
    complication(procedure, after_days=5, grade=5)  # fatal, no follow-up says so
    patient, procedure, _ = treated_patient(site, on=DAY0 + days(14))
    complication(procedure, after_days=20, grade=5)
    death(patient, on=DAY0 + days(45))  # the follow-up's date wins
    _, procedure, _ = treated_patient(site, on=AS_OF - days(10))  # window not over


def _patients_and_data_items(site):
    """Missing items, CEA, operators and units with nothing to count."""
    nameless = UserFactory(username="op-nameless", first_name="", last_name="")
    twin_a = UserFactory(username="op-twin-a", first_name="Ann", last_name="Lee")
    twin_b = UserFactory(username="op-twin-b", first_name="Ann", last_name="Lee")
    for operator in (nameless, twin_a, twin_b, None):
        _, procedure, _ = treated_patient(site, on=DAY0 + days(16), operator=operator)
        complication(procedure, grade=3)
    patient, _, (tumour,) = treated_patient(
        site,
        on=DAY0 + days(17),
        diameters=(52,),
        baseline_cea=25,
        mdt_date=None,
        written_information_date=DAY0 + days(18),  # after the procedure
        alternatives_discussed=None,
    )
    tumour.size_exception_reason = " \n\u00a0"  # blank: no reason recorded
    tumour.save()
    FollowUpFactory(patient=patient, seen_on=DAY0 + days(80), cea=4)  # CEA normalised
    FollowUpFactory(patient=patient, seen_on=DAY0 + days(80), cea=9)  # same day, later id
    patient, _, (tumour,) = treated_patient(site, on=DAY0 + days(19), diameters=(48,))
    tumour.size_exception_reason = "Patient declined resection"
    tumour.save()
    patient.baseline_cea = None
    patient.save()
    treated_patient(site, on=DAY0 + days(21), technical_success="unknown")
    treated_patient(site, on=DAY0 + days(22), primary_site="melanoma", approach="laparoscopic")
    untreated = PatientFactory(site=site)  # registered, never treated
    TumourFactory(patient=untreated)
    patient = PatientFactory(site=site)
    ProcedureFactory(patient=patient, performed_on=DAY0 + days(23))  # no tumour treated
    patient, procedure, _ = treated_patient(site, on=DAY0 + days(24))
    TumourTreatmentFactory(procedure=procedure, tumour=TumourFactory(patient=patient, label="X"))


@pytest.fixture
def varied_registry(registry_admin):
    """A demo cohort at three sites, with the edge cases added at one of them."""
    seed(SeedOptions(patients=60, sites=3, seed=20240607, as_of=AS_OF))
    site = Site.objects.order_by("code").first()
    _withdrawn_records(site, registry_admin)
    _efficacy_and_progression(site)
    _complications_and_deaths(site)
    _patients_and_data_items(site)
    return site


def _dashboards(site_ids, period):
    config = audit_settings()
    figures, publications = selectors.published_figures()
    cohort = build_cohort(selectors.registry_data(site_ids=site_ids), period)
    reference = tally_of_cohort(cohort, config)
    fast = read_tally(site_ids=site_ids, period=period, config=config)
    assert fast.counts == reference.counts
    assert (fast.n_patients, fast.n_tumours, fast.n_procedures) == (
        reference.n_patients,
        reference.n_tumours,
        reference.n_procedures,
    )
    return (
        build_dashboard(fast, figures, publications, config),
        build_dashboard(reference, figures, publications, config),
    )


def _assert_same(fast: Dashboard, reference: Dashboard):
    assert reference.n_patients > 0
    for field in dataclasses.fields(Dashboard):
        assert getattr(fast, field.name) == getattr(reference, field.name), field.name


PERIODS = {
    "open": (None, None, AS_OF),
    "cut": (DAY0 + days(10), AS_OF - days(200), AS_OF),
    "earlier data date": (None, None, AS_OF - days(150)),
}


@pytest.mark.parametrize("period", PERIODS.values(), ids=PERIODS.keys())
@pytest.mark.parametrize("scope", ["every site", "edge-case site", "other sites"])
def test_sql_facts_give_the_reference_results(varied_registry, scope, period):
    others = list(Site.objects.exclude(pk=varied_registry.pk).values_list("pk", flat=True))
    site_ids = {"every site": None, "edge-case site": [varied_registry.pk], "other sites": others}
    _assert_same(*_dashboards(site_ids[scope], make_period(*period)))


def test_sql_facts_follow_the_audit_settings(varied_registry, settings):
    settings.AUDIT_EFFICACY_WINDOW_DAYS = (30, 120)
    settings.AUDIT_CEA_UPPER_LIMIT = 10.0
    settings.AUDIT_FOLLOW_UP_DAYS = 60
    settings.FOLLOW_UP_WINDOW_DAYS = 14
    _assert_same(*_dashboards(None, make_period(None, None, AS_OF)))


def test_a_site_without_patients_has_an_empty_tally(site_b):
    period = make_period(None, None, AS_OF)
    tally = read_tally(site_ids=[site_b.pk], period=period, config=audit_settings())
    assert (tally.n_patients, tally.n_tumours, tally.n_procedures) == (0, 0, 0)
    assert tally.counts.overdue == ((0, 0, 0),)


def test_other_databases_are_read_with_the_reference_rules(varied_registry, monkeypatch):
    """The SQLite demo has no facts query: its tally comes from the per-unit rules."""
    period = make_period(None, None, AS_OF)
    config = audit_settings()
    facts = read_tally(site_ids=None, period=period, config=config)
    monkeypatch.setattr(selectors, "facts_supported", lambda: False)
    monkeypatch.setattr(selectors, "cohort_facts", None)  # never called
    reference = read_tally(site_ids=None, period=period, config=config)
    assert reference.counts == facts.counts
    assert reference.n_tumours == facts.n_tumours
