"""A lost or unreachable database is a clear 503 and leaves nothing half-written."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

import psycopg
from django.db import connection
from django.test import Client

from registry import services
from registry.models import Procedure, TumourTreatment
from tests.factories import TumourFactory
from tests.forms.helpers import submit

DAY = (datetime.date.today() - datetime.timedelta(days=3)).isoformat()
PROCEDURE = {
    "performed_on": DAY,
    "approach": "percutaneous",
    "image_guidance": "ct",
    "anaesthesia": "general",
    "cryogen": "argon",
    "intent": "primary",
    "consent_documented": "on",
}


def terminate_own_backend() -> None:
    """Kill this connection's PostgreSQL backend from a second connection, as a crash would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_killed_mid_save_gives_503_and_no_partial_rows(
    transactional_db, client, clinician_a, patient_a, monkeypatch
):
    tumours = [TumourFactory(patient=patient_a, label=f"T{n}") for n in (1, 2, 3)]
    rows: dict[str, str] = {}
    for tumour in tumours:
        p = f"tumour-{tumour.pk}-"
        rows |= {p + "treated": "on", p + "probes": "3", p + "technical_success": "yes"}
    client.force_login(clinician_a)

    real_create = services.record_create
    calls = []

    def dying_create(**kwargs):
        calls.append(type(kwargs["record"]).__name__)
        if len(calls) == 3:  # the procedure and one treatment are written: now the crash
            terminate_own_backend()
        return real_create(**kwargs)

    monkeypatch.setattr(services, "record_create", dying_create)
    response = submit(client, f"/patients/{patient_a.pk}/procedures/new/", PROCEDURE | rows)

    assert calls == ["Procedure", "TumourTreatment", "TumourTreatment"]
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert "Nothing was saved" in page
    assert "Traceback" not in page
    assert response["Retry-After"] == "30"
    # All or nothing: neither the procedure nor the treatment written before the crash.
    assert not Procedure.objects.exists()
    assert not TumourTreatment.objects.exists()
    assert not Procedure.history.exists()
    # The next request reconnects and works.
    monkeypatch.setattr(services, "record_create", real_create)
    assert client.get(f"/patients/{patient_a.pk}/").status_code == 200


@contextmanager
def database_down():
    """Point the connection at a closed port, as if PostgreSQL had stopped."""
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_an_unreachable_database_gives_a_503_page(transactional_db, clinician_a):
    client = Client(raise_request_exception=False)
    client.force_login(clinician_a)
    with database_down():
        response = client.get("/patients/")
    assert response.status_code == 503
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert "Traceback" not in page
    assert client.get("/patients/").status_code == 200  # back once the database is


def test_an_unreachable_database_gives_json_under_the_api(transactional_db, clinician_a):
    client = Client(raise_request_exception=False)
    client.force_login(clinician_a)
    with database_down():
        response = client.get("/api/v1/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "cannot be reached" in response.json()["detail"]
