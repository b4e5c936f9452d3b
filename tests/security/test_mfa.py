"""Two-factor sign-in: who needs it, enrolment, verification, backup codes."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import verified_login
from tests.security.conftest import current_code, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.mfa]

SETUP = "/accounts/mfa/setup/"
VERIFY = "/accounts/mfa/verify/"


def enrol(client, user):
    """Sign in with the password and enrol an authenticator; return device and codes."""
    sign_in(client, user.username)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"token": current_code(device), "next": "/"})
    assert response.status_code == 200
    codes = re.findall(r"<code>(\w{5}-\w{5})</code>", response.content.decode())
    return device, codes


@pytest.mark.parametrize("persona", ["lead_a", "reviewer", "registry_admin"])
def test_leads_reviewers_and_admins_must_enrol_before_anything_else(client, persona, request):
    user = request.getfixturevalue(persona)
    sign_in(client, user.username)
    for path in ["/", "/patients/", "/admin/", "/worklist/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP + "?next=")


def test_clinicians_need_no_second_factor_by_default(client, clinician_a):
    sign_in(client, "alice")
    assert client.get("/patients/").status_code == 200


def test_a_setting_extends_two_factor_to_clinicians(client, clinician_a, settings):
    settings.MFA_REQUIRED_FOR_CLINICIANS = True
    sign_in(client, "alice")
    assert client.get("/patients/")["Location"].startswith(SETUP)


def test_enrolment_shows_the_key_as_uri_and_qr_image_and_backup_codes_once(client, lead_a):
    sign_in(client, "lena")
    page = client.get(SETUP)
    assert page.status_code == 200
    body = page.content.decode()
    assert "otpauth://totp/CryoAudit" in body
    assert 'src="/accounts/mfa/setup/qr.svg"' in body
    qr = client.get("/accounts/mfa/setup/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr.content.lstrip().startswith(b"<?xml") or b"<svg" in qr.content[:200]

    device = TOTPDevice.objects.get(user=lead_a, confirmed=False)
    wrong = client.post(SETUP, {"token": "000000"})
    assert "That code is not valid" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # each failure delays the next try
    device.throttle_reset()

    done = client.post(SETUP, {"token": current_code(device)})
    codes = re.findall(r"<code>(\w{5}-\w{5})</code>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/patients/").status_code == 200  # verified for this session
    # The codes are not shown again: the page offers new ones instead.
    again = client.get("/accounts/mfa/backup-codes/").content.decode()
    assert "You have 10 unused backup codes" in again
    assert codes[0] not in again


def test_after_the_password_the_second_factor_is_asked(client, lead_a):
    device, _ = enrol(client, lead_a)
    client.post("/accounts/logout/")
    sign_in(client, "lena")
    response = client.get("/patients/")
    assert response["Location"] == VERIFY + "?next=%2Fpatients%2F"
    bad = client.post(VERIFY, {"token": "123456", "next": "/patients/"})
    assert bad.status_code == 200 and "That code is not valid" in bad.content.decode()
    device.refresh_from_db()
    device.throttle_reset(commit=False)  # the failure above delays the next try briefly
    device.last_t = -1  # enrolment used this 30-second step; a new sign-in may reuse it here
    device.save()
    ok = client.post(VERIFY, {"token": current_code(device), "next": "/patients/"})
    assert ok["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200


def test_a_backup_code_works_once(client, lead_a):
    _, codes = enrol(client, lead_a)
    for attempt in ("first", "second"):
        client.post("/accounts/logout/")
        sign_in(client, "lena")
        response = client.post(VERIFY, {"token": codes[0], "next": "/patients/"})
        if attempt == "first":
            assert response["Location"] == "/patients/"
        else:
            assert response.status_code == 200  # refused: the code was used
    assert StaticToken.objects.filter(device__user=lead_a).count() == 9


def test_verify_refuses_an_offsite_next(client, lead_a):
    _, codes = enrol(client, lead_a)
    client.post("/accounts/logout/")
    sign_in(client, "lena")
    response = client.post(VERIFY, {"token": codes[1], "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_password_alone_cannot_register_a_new_authenticator(client, lead_a):
    enrol(client, lead_a)
    client.post("/accounts/logout/")
    sign_in(client, "lena")  # a thief with the password only
    assert client.get(SETUP)["Location"].startswith(VERIFY)
    assert client.get("/accounts/mfa/setup/qr.svg").status_code == 403
    assert client.post(SETUP, {"token": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=lead_a).count() == 1


def test_new_backup_codes_replace_the_old_ones(client, lead_a):
    _, old = enrol(client, lead_a)
    response = client.post("/accounts/mfa/backup-codes/")
    new = re.findall(r"<code>(\w{5}-\w{5})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=lead_a).count() == 10


def test_an_unverified_session_cannot_reach_the_api(client, lead_a):
    sign_in(client, "lena")
    response = client.get("/api/v1/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "Two-factor" in response.json()["detail"]


def test_verified_sessions_pass(client, registry_admin):
    verified_login(client, registry_admin)
    assert client.get("/admin/").status_code == 200


def test_the_switch_is_off_only_for_the_debug_demo(settings):
    from registry.security.checks import mfa_enforced_outside_demo

    settings.MFA_ENFORCED = False
    settings.DEBUG = True
    assert mfa_enforced_outside_demo(None) == []
    settings.DEBUG = False
    (error,) = mfa_enforced_outside_demo(None)
    assert error.id == "cryoaudit.E001"


def test_the_export_api_needs_a_verified_session_or_a_token(client, reviewer):
    from tests.api.conftest import token_for

    sign_in(client, "greta")
    refused = client.get("/api/v1/sites/")
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("Two-factor")
    verified_login(client, reviewer)
    assert client.get("/api/v1/sites/").status_code == 200
    # A personal token is its own credential (issued by a verified registry admin).
    token = token_for(reviewer)
    tokened = Client().get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert tokened.status_code == 200


def test_api_tokens_are_issued_only_by_verified_admins(client, registry_admin):
    sign_in(client, "rita")
    response = client.get("/admin/registry/apitoken/add/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    verified_login(client, registry_admin)
    assert client.get("/admin/registry/apitoken/add/").status_code == 200
