"""Settings come from the environment, with safe defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.TIME_ZONE, s.USE_TZ, s.DATABASES['default']['ENGINE'], "
    "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.AUTH_USER_MODEL)"
)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_is_off_and_secret_key_required_by_default():
    result = run_python(PRINT_SETTINGS)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_settings_read_from_the_environment():
    result = run_python(
        PRINT_SETTINGS,
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://app:pw@db.example:5432/cryoaudit",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "Europe/London",
        "True",
        "django.db.backends.postgresql",
        "True",
        "registry.User",
    ]


def test_demo_defaults_to_an_embedded_sqlite_database():
    result = run_python(PRINT_SETTINGS, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.sqlite3" in result.stdout


@pytest.mark.parametrize("flag", ["0", "false", "no"])
def test_debug_flag_spellings_turn_it_off(flag):
    result = run_python(PRINT_SETTINGS, DEBUG=flag)
    assert "SECRET_KEY must be set" in result.stderr


def test_suite_stops_at_once_with_advice_when_postgresql_is_unreachable(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TEST_DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/cryoaudit"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_settings.py", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    output = result.stdout + result.stderr
    assert "could not reach it" in output
    assert "TEST_DATABASE_URL" in output
