"""manage.py seed_demo: a valid, deterministic, idempotent and plausible demo cohort."""

import datetime
import io
import statistics

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Model
from django.db.models.functions import Greatest
from django.http import HttpRequest
from django.test import override_settings

from registry import services
from registry.choices import AssessmentResult as Result
from registry.choices import CauseOfDeath, Intent, Role, VitalStatus
from registry.demo import CHANGE_REASON, DEMO_PASSWORD, seeding
from registry.demo.copying import CopyLoader
from registry.demo.loader import LOADED_MODELS
from registry.models import (
    Complication,
    FollowUp,
    Membership,
    Patient,
    Procedure,
    Site,
    Tumour,
    TumourAssessment,
    TumourTreatment,
    User,
)
from registry.signals import records_bulk_loaded
from registry.validators import is_valid_nhs_number

AS_OF = datetime.date(2026, 1, 31)
# With this seed a 12-patient cohort takes every path of the generator (checked below),
# so validating each of its rows stays quick yet covers them all.
COVERAGE_SEED = 1258
SMALL = {"patients": 40, "sites": 2, "as_of": AS_OF}
ALL_MODELS: tuple[type[Model], ...] = (Site, Membership, *LOADED_MODELS)
# How a row's foreign keys are compared between two databases (primary keys differ).
NATURAL_KEYS = {
    Site: ("code",),
    User: ("username",),
    Patient: ("registry_id",),
    Tumour: ("patient__registry_id", "label"),
    Procedure: ("patient__registry_id", "performed_on"),
    FollowUp: ("patient__registry_id", "seen_on", "kind"),
}
# Parents that each model's clean() reads, fetched up front to keep the check quick.
PARENTS = {
    Membership: ("user", "site"),
    Tumour: ("patient",),
    Procedure: ("patient", "operator"),
    TumourTreatment: ("procedure__patient", "tumour"),
    Complication: ("procedure",),
    FollowUp: ("patient",),
    TumourAssessment: ("follow_up", "tumour"),
}
XU_SURVIVAL = {1: 0.78, 2: 0.62}


@pytest.fixture(scope="module", autouse=True)
def fast_password_hashing():
    # The demo hashes one password; PBKDF2 at full strength would dominate the run.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def snapshot() -> dict[str, list[str]]:
    """Return every demo row's values, with foreign keys as natural keys."""
    rows = {}
    for model in ALL_MODELS:
        names = []
        for field in model._meta.concrete_fields:
            if field.primary_key or field.name in {"created_at", "updated_at"}:
                continue
            if field.is_relation:
                assert field.related_model is not None
                keys = NATURAL_KEYS[field.related_model]
                names += [f"{field.name}__{key}" for key in keys]
            else:
                names.append(field.name)
        rows[model.__name__] = sorted(map(repr, model.objects.values_list(*names)))
    return rows


def seed_and_snapshot(**options) -> dict[str, list[str]]:
    """Seed into a clean database, read it back, and undo the seeding."""
    with transaction.atomic():
        seed(**options)
        rows = snapshot()
        transaction.set_rollback(True)
    return rows


def test_every_seeded_row_passes_full_clean(db):
    seed(patients=12, sites=2, seed=COVERAGE_SEED, as_of=AS_OF)
    paths = {
        "cancer death": FollowUp.objects.filter(death_cause=CauseOfDeath.CANCER),
        "procedure death": FollowUp.objects.filter(death_cause=CauseOfDeath.PROCEDURE_RELATED),
        "lost to follow-up": FollowUp.objects.filter(lost_to_follow_up=True),
        "residual tumour": TumourAssessment.objects.filter(result=Result.RESIDUAL_UNABLATED),
        "local progression": TumourAssessment.objects.filter(result=Result.LOCAL_PROGRESSION),
        "re-treatment": Procedure.objects.filter(intent=Intent.RETREATMENT),
        "delayed event": Complication.objects.filter(
            onset_on__gt=F("procedure__performed_on") + datetime.timedelta(days=30)
        ),
        "tumour over 4 cm": Tumour.objects.filter(max_diameter_mm__gt=40),
        "tumour found at follow-up": Tumour.objects.annotate(
            first=Min("patient__procedures__performed_on")
        ).filter(detected_on__gt=F("first")),
    }
    assert [name for name, rows in paths.items() if not rows.exists()] == []
    failures = []
    for model in ALL_MODELS:
        for row in model.objects.select_related(*PARENTS.get(model, ())):
            try:
                row.full_clean()
            except ValidationError as error:
                failures.append(f"{model.__name__} {row.pk}: {error}")
    assert failures == []


def test_nothing_is_dated_after_the_as_of_date(db):
    seed(**SMALL)
    dated = {
        Patient: ("mdt_date", "written_information_date"),
        Tumour: ("detected_on",),
        Procedure: ("performed_on",),
        Complication: ("onset_on", "resolved_on"),
        FollowUp: ("seen_on", "death_date"),
    }
    for model, names in dated.items():
        latest = model.objects.aggregate(*[Max(name) for name in names]).values()
        assert max(filter(None, latest)) <= AS_OF, model.__name__


def test_same_seed_size_and_date_give_identical_cohorts(db):
    first = seed_and_snapshot(**SMALL, seed=7)
    second = seed_and_snapshot(**SMALL, seed=7)
    other = seed_and_snapshot(**SMALL, seed=8)
    assert first == second
    assert len(first["Patient"]) == 40
    assert first["Patient"] != other["Patient"]


def test_registry_ids_and_nhs_numbers_are_well_formed(db):
    seed(**SMALL)
    registry_ids = Patient.objects.values_list("registry_id", flat=True)
    assert all(len(value) == 12 and value.startswith("CA-") for value in registry_ids)
    numbers = [n for n in Patient.objects.values_list("nhs_number", flat=True) if n]
    assert numbers and all(n.startswith("999") and is_valid_nhs_number(n) for n in numbers)


def test_second_run_adds_nothing_and_prints_the_logins_again(db):
    seed(**SMALL)
    counts = {model: model.objects.count() for model in ALL_MODELS}
    output = seed(**SMALL)
    assert "already seeded" in output
    assert "clinician2" in output and DEMO_PASSWORD in output
    assert {model: model.objects.count() for model in ALL_MODELS} == counts


def test_every_record_has_a_creation_history_row_with_the_reason(db):
    seed(**SMALL)
    for model in ALL_MODELS:
        history = model.history.filter(history_type="+", history_change_reason=CHANGE_REASON)
        recorded = set(history.values_list("id", flat=True))
        assert recorded == set(model.objects.values_list("pk", flat=True)), model.__name__


def history_mismatches() -> list[str]:
    """Return the records whose creation history row is not an exact copy of them."""
    admin = User.objects.get(username="admin")
    mismatches = []
    for model in ALL_MODELS:
        names = [field.attname for field in model._meta.concrete_fields]
        live = {row[0]: row for row in model.objects.values_list(*names)}
        history = model.history.filter(
            history_type="+", history_change_reason=CHANGE_REASON, history_user=admin
        )
        copies = {row[0]: row for row in history.values_list(*names)}
        if history.count() != len(live) or copies != live:
            mismatches.append(model.__name__)
    return mismatches


@pytest.mark.parametrize("copy", [True, False], ids=["copy", "bulk_create"])
def test_every_history_row_is_an_exact_copy_of_its_record(db, copy):
    seeding.seed(
        seeding.SeedOptions(patients=12, sites=2, seed=COVERAGE_SEED, as_of=AS_OF), copy=copy
    )
    assert history_mismatches() == []


def test_copy_and_bulk_create_write_the_same_cohort(db):
    options = seeding.SeedOptions(patients=40, sites=3, seed=COVERAGE_SEED, as_of=AS_OF)
    cohorts = []
    for copy in (True, False):
        with transaction.atomic():
            seeding.seed(options, copy=copy)
            cohorts.append(snapshot())
            transaction.set_rollback(True)
    assert cohorts[0] == cohorts[1]
    assert len(cohorts[0]["TumourAssessment"]) > 40


def test_next_follow_up_due_matches_what_the_services_compute(db):
    seed(patients=25, sites=2, seed=1258)
    stored = dict(Patient.objects.values_list("pk", "next_follow_up_due"))
    assert stored == services.next_follow_up_due_of(stored)
    assert any(stored.values())


def test_demo_logins_hold_their_roles_and_can_sign_in(db, client):
    output = seed(**SMALL)
    assert "http://127.0.0.1:8000/" in output

    def roles(username):
        memberships = Membership.objects.filter(user__username=username)
        return set(memberships.values_list("site__code", "role"))

    assert roles("clinician") == {("NHU", Role.CLINICIAN)}
    assert roles("clinician2") == {("SMH", Role.CLINICIAN)}
    assert roles("lead") == {("NHU", Role.SITE_LEAD)}
    reviewing = Role.GOVERNANCE_REVIEWER
    assert roles("reviewer") == {("NHU", reviewing), ("SMH", reviewing)}
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    for username in ("clinician", "clinician2", "lead", "reviewer", "admin"):
        # django-axes throttles by address, so authenticate() needs a request.
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
        client.logout()
    operator = Procedure.objects.first().operator
    assert not client.login(
        request=HttpRequest(), username=operator.username, password=DEMO_PASSWORD
    )


# --- The default cohort (300 patients) against the published figures ---------


def kaplan_meier(times: list[tuple[int, bool]], day: float) -> float:
    """Return the product-limit survival at a day from (days, died) pairs."""
    survival = 1.0
    for death_day in sorted({t for t, died in times if died and t <= day}):
        at_risk = sum(1 for t, _ in times if t >= death_day)
        deaths = sum(1 for t, died in times if died and t == death_day)
        survival *= 1 - deaths / at_risk
    return survival


def survival_times() -> list[tuple[int, bool]]:
    """Return each patient's days from first procedure to death or last contact."""
    dead = FollowUp.objects.filter(vital_status=VitalStatus.DEAD)
    deaths = dict(dead.values_list("patient_id", "death_date"))
    patients = Patient.objects.annotate(
        first=Min("procedures__performed_on"),
        # PostgreSQL's GREATEST skips the NULL of a patient without follow-ups.
        last=Greatest(Max("procedures__performed_on"), Max("follow_ups__seen_on")),
    )
    return [
        ((deaths[pk] - first).days, True) if pk in deaths else ((last - first).days, False)
        for pk, first, last in patients.values_list("pk", "first", "last")
    ]


def measure() -> dict[str, float]:
    diameters = list(Tumour.objects.values_list("max_diameter_mm", flat=True))
    procedures = Procedure.objects.count()
    times = survival_times()
    repeat = Patient.objects.annotate(n=Count("procedures")).filter(n__gt=1).count()
    major = Procedure.objects.filter(complications__ctcae_grade__gte=3).distinct().count()
    any_event = Procedure.objects.filter(complications__isnull=False).distinct().count()
    return {
        "median_diameter": statistics.median(diameters),
        "over_40mm": sum(d > 40 for d in diameters),
        "km_1": kaplan_meier(times, 365.25),
        "km_2": kaplan_meier(times, 2 * 365.25),
        "major_events": major / procedures,
        "any_events": any_event / procedures,
        "repeat_patients": repeat / Patient.objects.count(),
        "patients": Patient.objects.count(),
        "sites_uninformed": Site.objects.filter(governance_lead_informed_on=None).count(),
    }


@pytest.fixture(scope="module")
def default_cohort(django_db_setup, django_db_blocker):
    """Seed the default cohort once for the module, measure it, and roll it back."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed(as_of=AS_OF)
        figures = measure()
        transaction.set_rollback(True)
    return figures


def test_default_cohort_has_300_patients_and_one_site_to_flag(default_cohort):
    assert default_cohort["patients"] == 300
    assert default_cohort["sites_uninformed"] == 1


def test_tumour_diameters_centre_near_22_mm_with_some_over_4_cm(default_cohort):
    assert 18 <= default_cohort["median_diameter"] <= 26
    assert default_cohort["over_40mm"] > 0


@pytest.mark.parametrize("year", [1, 2])
def test_survival_follows_xu_2008(default_cohort, year):
    assert default_cohort[f"km_{year}"] == pytest.approx(XU_SURVIVAL[year], abs=0.08)


def test_adverse_event_rates_are_near_glazer_2017(default_cohort):
    assert 0.06 <= default_cohort["major_events"] <= 0.16
    assert 0.25 <= default_cohort["any_events"] <= 0.42


def test_repeat_procedures_in_35_to_55_percent_of_patients(default_cohort):
    assert 0.35 <= default_cohort["repeat_patients"] <= 0.55


def test_seeding_tells_the_dashboards_the_data_changed(db, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs["using"]))

    records_bulk_loaded.connect(receiver)
    try:
        seed(patients=3, sites=2, seed=7)
    finally:
        records_bulk_loaded.disconnect(receiver)
    # The suite runs on PostgreSQL, where the cohort is streamed with COPY.
    assert received == [(CopyLoader, "default")]
