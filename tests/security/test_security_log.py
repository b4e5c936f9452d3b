"""The security log: sign-ins, failures, lockouts and refusals, stamped in UTC."""

from __future__ import annotations

import datetime
import logging
import re

import pytest

from registry.security.logs import UTCFormatter
from tests.security.conftest import sign_in

pytestmark = pytest.mark.django_db

UTC_STAMP = re.compile(r"at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00")


def events(caplog, name):
    return [
        r
        for r in caplog.records
        if r.name == "cryoaudit.security" and f"event={name} " in r.getMessage()
    ]


def test_login_and_logout_are_logged_with_user_address_and_utc_time(
    client, clinician_a, security_log
):
    sign_in(client, "alice", REMOTE_ADDR="192.0.2.10")
    client.post("/accounts/logout/")
    (login,) = events(security_log, "login")
    assert "user=alice" in login.getMessage()
    assert "ip=192.0.2.10" in login.getMessage()
    assert UTC_STAMP.search(login.getMessage())
    assert events(security_log, "logout")


def test_failed_login_is_logged_without_the_password(client, clinician_a, security_log):
    sign_in(client, "alice", "not-my-password-at-all")
    (failed,) = events(security_log, "login_failed")
    assert failed.levelno == logging.WARNING
    assert "user=alice" in failed.getMessage()
    assert "not-my-password" not in failed.getMessage()


def test_lockout_is_logged(client, clinician_a, security_log):
    for _ in range(5):
        sign_in(client, "alice", "wrong-password-here")
    assert events(security_log, "lockout")


def test_permission_refusal_is_logged(client, reviewer, security_log):
    client.force_login(reviewer)  # reviewers never see identifiable records
    response = client.get("/patients/")
    assert response.status_code == 403
    (refusal,) = events(security_log, "permission_denied")
    assert "user=greta" in refusal.getMessage()
    assert "path=/patients/" in refusal.getMessage()


def test_log_lines_carry_an_iso_8601_utc_timestamp():
    record = logging.LogRecord("cryoaudit.security", logging.INFO, __file__, 1, "x", None, None)
    record.created = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC).timestamp()
    formatter = UTCFormatter("%(asctime)s %(message)s")
    assert formatter.format(record) == "2026-03-29T01:30:00.000+00:00 x"


def test_the_configured_console_handler_writes_utc():
    handlers = [h for h in logging.getLogger().handlers if isinstance(h.formatter, UTCFormatter)]
    assert handlers, "the console handler should format timestamps in UTC"


def test_exports_are_logged_with_user_token_and_rows(reviewer, patient_a, security_log):
    from django.test import Client

    from tests.api.conftest import token_for

    token = token_for(reviewer)
    response = Client().get("/api/v1/patients/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    (export,) = events(security_log, "export")
    message = export.getMessage()
    assert "user=greta" in message
    assert f"token={token.split('.')[0]}" in message
    assert "path=/api/v1/patients/" in message
    assert UTC_STAMP.search(message)
