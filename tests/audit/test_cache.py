"""Cached results are shared through Redis and invalidated by any committed write:
a service (form) write, an admin change, a withdrawal, a bulk load, a benchmark edit."""

import datetime

import pytest
import redis
from django.conf import settings as django_settings
from django.http import HttpRequest

from audit import cache
from audit.models import BenchmarkFigure
from registry import services
from registry.signals import records_bulk_loaded
from tests.audit.builders import DAY0, treated_patient, withdraw


@pytest.fixture
def signed_in(client, site_a, clinician_a):
    treated_patient(site_a)
    client.force_login(clinician_a)
    return client


def _cohort_line(client):
    page = client.get("/dashboard/").content.decode()
    return page.split('<dt class="col-sm-2">Cohort</dt>', 1)[1].split("</dd>", 1)[0]


def test_postgresql_deployments_cache_in_redis(isolated_cache):
    config = django_settings.CACHES["default"]
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["KEY_PREFIX"] == isolated_cache


def test_dashboard_results_are_stored_under_the_tests_own_prefix(signed_in, isolated_cache):
    signed_in.get("/dashboard/")
    client = redis.Redis.from_url(django_settings.CACHES["default"]["LOCATION"])
    keys = [key.decode() for key in client.scan_iter(match=f"{isolated_cache}:*")]
    client.close()
    assert any("audit:data-version" in key for key in keys)
    assert len(keys) >= 2


def test_without_a_committed_write_the_dashboard_is_served_from_the_cache(signed_in, site_a):
    assert "1 patients" in _cohort_line(signed_in)
    treated_patient(site_a)  # never committed in a test transaction: no invalidation
    assert "1 patients" in _cohort_line(signed_in)


def test_a_service_write_invalidates_the_cached_dashboard(
    signed_in, site_a, clinician_a, django_capture_on_commit_callbacks
):
    assert "1 patients" in _cohort_line(signed_in)
    with django_capture_on_commit_callbacks(execute=True):
        patient = services.patient_create(
            by=clinician_a,
            site=site_a,
            data={
                "hospital_number": "H777",
                "date_of_birth": datetime.date(1960, 5, 1),
                "sex": "male",
                "primary_site": "colorectal",
            },
        )
        tumour = services.tumour_create(
            by=clinician_a,
            patient=patient,
            data={"label": "T1", "segment": 6, "max_diameter_mm": 22},
        )
        services.procedure_create(
            by=clinician_a,
            patient=patient,
            data={
                "performed_on": DAY0,
                "approach": "percutaneous",
                "image_guidance": "ct",
                "anaesthesia": "general",
                "cryogen": "argon",
                "intent": "primary",
                "consent_documented": True,
            },
            treatments=[{"tumour": tumour, "probes": 2}],
        )
    assert "2 patients" in _cohort_line(signed_in)


def test_a_withdrawal_invalidates_the_cached_dashboard(
    signed_in, site_a, clinician_a, django_capture_on_commit_callbacks
):
    patient, _, _ = treated_patient(site_a)
    cache.bump_data_version()
    assert "2 patients" in _cohort_line(signed_in)
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(patient, clinician_a)
    assert "1 patients" in _cohort_line(signed_in)


def _admin_form_data(response):
    """Return the POST data of an admin change page as it was shown, inlines included."""
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management[n].html_name: management[n].value() for n in management.fields})
        for inline in formset.formset.forms:
            data.update({inline[n].html_name: inline[n].value() for n in inline.fields})
    return {key: "" if value is None else value for key, value in data.items()}


def _mdt_row(client):
    page = client.get("/dashboard/").content.decode()
    return page.split('<tr data-criterion="mdt">', 1)[1].split("</tr>", 1)[0]


def test_an_admin_change_invalidates_the_cached_dashboard(
    client, site_a, registry_admin, django_capture_on_commit_callbacks
):
    patient, _, _ = treated_patient(site_a)
    client.force_login(registry_admin)
    assert "<td>1 of 1</td>" in _mdt_row(client)
    url = f"/admin/registry/patient/{patient.pk}/change/"
    data = _admin_form_data(client.get(url))
    data.update(mdt_date="", change_reason="MDT date entered against the wrong patient")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "<td>0 of 1</td>" in _mdt_row(client)


def test_a_benchmark_edit_invalidates_the_cached_dashboard(
    signed_in, django_capture_on_commit_callbacks
):
    assert "279/295 (94.6%)" in signed_in.get("/dashboard/").content.decode()
    figure = BenchmarkFigure.objects.get(measure="technical_success")
    with django_capture_on_commit_callbacks(execute=True):
        figure.numerator = 278
        figure._change_reason = "Test correction"
        figure.save()
    assert "278/295 (94.6%)" in signed_in.get("/dashboard/").content.decode()


def test_a_bulk_load_invalidates_the_cache(db, django_capture_on_commit_callbacks):
    before = cache.data_version()
    with django_capture_on_commit_callbacks(execute=True):
        records_bulk_loaded.send(sender=object, using="default")
    assert cache.data_version() != before


def test_a_rolled_back_write_or_a_sign_in_leaves_the_cache_alone(
    client, clinician_a, django_capture_on_commit_callbacks
):
    before = cache.data_version()
    with django_capture_on_commit_callbacks(execute=True):
        # Saves last_login; django-axes needs the request it throttles by.
        client.login(request=HttpRequest(), username="alice", password="correct-horse-battery")
    assert cache.data_version() == before


def test_the_dashboard_still_works_when_redis_is_down(client, site_a, registry_admin, settings):
    treated_patient(site_a)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    client.force_login(registry_admin)
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "1 patients" in response.content.decode()
    assert client.get("/dashboard/charts/survival.svg").status_code == 200
