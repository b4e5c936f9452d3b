"""Production settings pass Django's deployment checklist; unsafe ones are refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p9Vb-production-like-secret-key-for-the-deploy-check-0123456789abcdef",
    "ALLOWED_HOSTS": "cryoaudit.example.nhs.uk",
    "CSRF_TRUSTED_ORIGINS": "https://cryoaudit.example.nhs.uk",
    "DATABASE_URL": "postgres://cryoaudit:pw@db.invalid:5432/cryoaudit",
    "BEHIND_TLS_PROXY": "1",
}
# Variables the suite sets for itself that production would not have.
TEST_ONLY = {
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "MFA_ENFORCED",
    "SECURE_HSTS_SECONDS",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_flags_a_production_without_https_settings():
    result = manage(
        "check", "--deploy", **PRODUCTION, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0"
    )
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W004" in result.stderr + result.stdout


def test_two_factor_cannot_be_switched_off_outside_the_demo():
    refused = manage("check", **PRODUCTION, MFA_ENFORCED="0")
    assert refused.returncode != 0
    assert "MFA_ENFORCED=0 is allowed only with DEBUG on" in refused.stderr
    demo = manage("check", DEBUG="1", MFA_ENFORCED="0")
    assert demo.returncode == 0, demo.stderr
