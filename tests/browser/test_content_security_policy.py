"""Every kind of page works under the Content Security Policy, in a real browser.

Chromium records every CSP violation (the securitypolicyviolation event and the
console's "Refused to ..." errors) while it loads the clinician pages, the
dashboard and its SVG charts, the API documentation (Swagger UI and Redoc) and
the admin site; there must be none. The people sign in as in production, with
their second factor: the lead enrols an authenticator app through the pages.
"""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import PASSWORD
from tests.security.conftest import current_code

pytestmark = [pytest.mark.browser, pytest.mark.mfa, pytest.mark.django_db(transaction=True)]

# Runs before any page script; init scripts are not subject to the page's CSP.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${where}`);
});
"""


class Recorder:
    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.console.append(text)

    def visit(self, path: str, *, ready: str | None = None) -> list[str]:
        """Load a page, wait for it to settle, and return the violations it caused."""
        self.console.clear()
        response = self.page.goto(path)
        assert response is not None and response.status == 200, (
            f"{path}: {response and response.status}"
        )
        if ready:
            self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        return self.page.evaluate("window.__csp") + self.console


def sign_in_with_code(page, username: str, device) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/mfa/verify/"))
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/accounts/mfa/" not in url)


def test_enrolment_and_clinical_and_dashboard_pages_raise_no_violation(page, full_case, lead_a):
    csp = Recorder(page)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # A site lead must enrol: the QR code is an image from its own URL, the key is text.
    page.wait_for_url(re.compile(r"/accounts/mfa/setup/"))
    assert page.evaluate("document.querySelector('img.mfa-qr').naturalWidth") > 0
    assert "otpauth://totp/CryoAudit" in page.locator("pre.mfa-uri").inner_text()
    assert page.evaluate("window.__csp") == []
    device = TOTPDevice.objects.get(user=lead_a)
    page.get_by_label("Code").fill(current_code(device))
    page.get_by_role("button", name="Confirm").click()
    assert page.locator("ul.mfa-codes li").count() == 10
    page.get_by_role("link", name="Continue").click()

    patient = full_case.pk
    procedure = full_case.procedures.get().pk
    for path in [
        "/patients/",
        f"/patients/{patient}/",
        f"/patients/{patient}/edit/",
        f"/patients/{patient}/history/",
        f"/patients/{patient}/procedures/new/",
        f"/procedures/{procedure}/edit/",
        f"/patients/{patient}/follow-ups/new/",
        "/worklist/",
        "/accounts/mfa/backup-codes/",
    ]:
        assert csp.visit(path) == [], path
    for path in ["/dashboard/", "/dashboard/report/", "/dashboard/definitions/"]:
        assert csp.visit(path) == [], path
    # The charts are <img> SVGs served by the app (loaded lazily): every one loads.
    csp.visit("/dashboard/")
    charts = page.locator("img.chart-image")
    assert charts.count() >= 5
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        chart.evaluate("(img) => img.decode()")
        assert chart.evaluate("(img) => img.naturalWidth") > 0
    assert page.evaluate("window.__csp") + csp.console == []


def test_api_docs_raise_no_violation(page, reviewer):
    device = TOTPDevice.objects.create(user=reviewer, name="phone", confirmed=True)
    sign_in_with_code(page, "greta", device)
    csp = Recorder(page)
    assert csp.visit("/api/v1/docs/", ready=".swagger-ui .info") == []
    redoc = csp.visit("/api/v1/redoc/", ready="redoc h1, .api-content h1")
    # Redoc's "powered by" badge points at its vendor's CDN: the policy blocks it, as
    # it should (no CDN). Nothing else may be refused.
    assert [v for v in redoc if "cdn.redoc.ly" not in v] == []


def test_admin_pages_raise_no_violation(page, registry_admin, full_case):
    device = TOTPDevice.objects.create(user=registry_admin, name="phone", confirmed=True)
    sign_in_with_code(page, "rita", device)
    csp = Recorder(page)
    patient = full_case.pk
    for path in [
        "/admin/",
        "/admin/registry/patient/",
        f"/admin/registry/patient/{patient}/change/",
        f"/admin/registry/patient/{patient}/history/",
        "/admin/registry/procedure/add/",
        f"/admin/registry/user/{registry_admin.pk}/change/",
        "/admin/registry/apitoken/add/",
    ]:
        assert csp.visit(path) == [], path
