"""Fixtures for the security suite: sign-in through the real login form."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP

from tests.conftest import verified_login  # noqa: F401 - re-exported for the tests here
from tests.forms.conftest import full_case  # noqa: F401 - shared fixture

PASSWORD = "correct-horse-battery"  # tests/factories.py UserFactory
LOGIN = "/accounts/login/"


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    """Post the login form as a browser would; return the response."""
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def current_code(device) -> str:
    """Return the code the user's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def security_log(caplog):
    """Capture the cryoaudit.security log at INFO and above."""
    caplog.set_level("INFO", logger="cryoaudit.security")
    return caplog
