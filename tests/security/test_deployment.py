"""The deployment files agree with the settings: every variable documented, compose sane."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def setting_variables() -> set[str]:
    """Every environment variable config/settings.py reads."""
    source = (ROOT / "config" / "settings.py").read_text()
    return set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z_0-9]+)\"", source))


def test_every_setting_variable_is_in_env_example():
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z_0-9]+)=", example, flags=re.M))
    missing = setting_variables() - documented
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_compose_runs_postgres_with_a_health_check_and_volume_and_the_app_under_gunicorn():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    db, web = compose["services"]["db"], compose["services"]["web"]
    assert db["image"] == "postgres:15"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.startswith("pgdata:") for volume in db["volumes"])
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert "migrate --noinput" in web["command"] and "gunicorn" in web["command"]
    assert web["env_file"] == ".env"
    assert web["environment"]["BEHIND_TLS_PROXY"].endswith("1}")
    # Only a proxy on the host reaches gunicorn, which trusts X-Forwarded-* headers.
    assert web["ports"] == ["${WEB_BIND:-127.0.0.1}:8000:8000"]


def test_the_image_has_pg_dump_for_backups_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "postgresql-client" in dockerfile
    assert "collectstatic" in dockerfile


def test_the_image_build_can_load_the_production_settings():
    """The Dockerfile's collectstatic step runs with DEBUG off and only its own variables."""
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    (step,) = [line for line in dockerfile.splitlines() if "collectstatic" in line]
    assignments = dict(re.findall(r"([A-Z_]+)=(\S+)", step.split("python manage.py")[0]))
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--dry-run"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "HOME": "/tmp", **assignments},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
