"""Sessions expire; cookies, HSTS, CSP, framing and caching headers are strict."""

from __future__ import annotations

import time

import pytest

from registry.security.sessions import ACTIVITY_KEY, AUTH_TIME_KEY
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db


def age_session(client, *, idle: int = 0, since_login: int = 0):
    session = client.session
    now = int(time.time())
    session[ACTIVITY_KEY] = now - idle
    session[AUTH_TIME_KEY] = now - since_login
    session.save()


def test_thirty_idle_minutes_sign_the_user_out(client, clinician_a):
    client.force_login(clinician_a)
    age_session(client, idle=29 * 60, since_login=29 * 60)
    assert client.get("/patients/").status_code == 200
    age_session(client, idle=30 * 60, since_login=30 * 60)
    response = client.get("/patients/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "signed out after 30 minutes without activity" in page


def test_activity_keeps_the_session_alive(client, clinician_a):
    client.force_login(clinician_a)
    age_session(client, idle=25 * 60, since_login=3 * 3600)
    client.get("/patients/")
    assert int(time.time()) - client.session[ACTIVITY_KEY] < 5


def test_twelve_hours_after_sign_in_the_session_ends_however_active(client, clinician_a):
    client.force_login(clinician_a)
    age_session(client, idle=0, since_login=12 * 3600)
    assert client.get("/patients/")["Location"].startswith("/accounts/login/")


def test_session_and_csrf_cookies_are_secure_httponly_and_samesite(client, clinician_a):
    client.get("/accounts/login/")
    response = sign_in(client, "alice")
    for name in ("sessionid", "csrftoken"):
        cookie = response.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name
    # The cookie lives no longer than the absolute session limit.
    assert response.cookies["sessionid"]["max-age"] in ("", 12 * 3600)


def test_https_responses_carry_a_one_year_hsts_header(client):
    response = client.get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")


def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_pages_forbid_framing_and_inline_code(client, clinician_a, treated_patient_a):
    client.force_login(clinician_a)
    response = client.get(f"/patients/{treated_patient_a.pk}/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = {
        name: value
        for name, _, value in (
            part.partition(" ") for part in response["Content-Security-Policy"].split("; ")
        )
    }
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path", ["/patients/", "/patients/{pk}/", "/patients/{pk}/history/", "/worklist/"]
)
def test_pages_for_signed_in_users_are_never_cached(client, lead_a, treated_patient_a, path):
    client.force_login(lead_a)
    response = client.get(path.format(pk=treated_patient_a.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_static_files_stay_cacheable(client, clinician_a):
    client.force_login(clinician_a)
    response = client.get("/static/css/cryoaudit.css")
    assert "no-store" not in response.get("Cache-Control", "")


def csp_of(response) -> dict[str, str]:
    return {
        name: value
        for name, _, value in (
            part.partition(" ") for part in response["Content-Security-Policy"].split("; ")
        )
    }


def test_the_only_policy_exception_is_inline_styles_on_the_redoc_page(client, reviewer):
    client.force_login(reviewer)
    swagger = csp_of(client.get("/api/v1/docs/"))
    assert "unsafe" not in " ".join(swagger.values())
    redoc = csp_of(client.get("/api/v1/redoc/"))
    assert redoc["style-src"] == "'self' 'unsafe-inline'"
    assert redoc["script-src"] == "'self'"
    assert "unsafe" not in " ".join(v for k, v in redoc.items() if k != "style-src")
