"""The OpenAPI schema validates, documents every endpoint, and the docs need no CDN."""

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from registry.api.tables import TABLES
from tests.api.conftest import token_for

PATHS = [f"/api/v1/{t.url_name}/" for t in TABLES] + ["/api/v1/data-dictionary/", "/api/v1/bundle/"]
# Mounted by audit (audit/api/urls.py).
PATHS += [
    "/api/v1/benchmarks/",
    "/api/v1/benchmarks/{id}/",
    "/api/v1/benchmarks/publications/",
    "/api/v1/benchmarks/publications/{id}/",
    "/api/v1/metrics/",
]


def test_spectacular_validates_the_schema_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    for path in PATHS:
        assert path in schema["paths"], path
    assert set(schema["components"]["securitySchemes"]) == {"apiToken", "cookieAuth"}


def test_schema_endpoint_needs_a_signed_in_user_or_token(api, reviewer):
    assert api.get("/api/v1/schema/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(reviewer)}")
    response = api.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/patients/" in response.json()["paths"]


@pytest.mark.parametrize("name", ["api:docs", "api:redoc"])
def test_docs_pages_serve_vendored_assets_without_inline_code(client, reviewer, name):
    url = reverse(name)
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "cdn" not in page.lower() and "googleapis" not in page
    assert "<script>" not in page and "<style" not in page and "style=" not in page
    assert "/static/drf_spectacular_sidecar/" in page


def test_swagger_ui_loads_its_settings_from_a_script_url(client, reviewer):
    client.force_login(reviewer)
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in script.content.decode()


def test_sidecar_assets_are_installed():
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")


def test_navigation_shows_export_to_exporters_only(client, reviewer, clinician_a):
    client.force_login(reviewer)
    assert f'href="{reverse("api:docs")}"' in client.get("/").content.decode()
    client.force_login(clinician_a)
    assert f'href="{reverse("api:docs")}"' not in client.get("/").content.decode()


@pytest.mark.urls("tests.api.extension_urls")
def test_another_apps_endpoints_join_the_api_and_its_schema(api, reviewer, tmp_path):
    api.force_authenticate(reviewer)
    assert api.get("/api/v1/example-extension/").status_code == 200
    assert api.get("/api/v1/patients/").status_code == 200
    assert reverse("api:docs") == "/api/v1/docs/"
    schema = api.get("/api/v1/schema/", {"format": "json"}).json()
    assert {"/api/v1/example-extension/", "/api/v1/patients/"} <= set(schema["paths"])
