"""axe-core finds no serious or critical accessibility problems on the main pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}


def _problems(page: Page, axe: Axe, what: str) -> list[str]:
    result = axe.run(page)
    return [
        f"{what}: {v['id']} ({v['impact']}) {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in result.response["violations"]
        if v["impact"] in BLOCKING
    ]


def _submit(page: Page) -> None:
    page.locator("#record-form").get_by_role("button").last.click()
    page.wait_for_load_state()


def test_main_pages_have_no_serious_or_critical_violations(page: Page, full_case, lead_a):
    patient = full_case
    procedure = patient.procedures.get()
    follow_up = patient.follow_ups.first()
    complication = procedure.complications.get()
    axe = Axe()
    sign_in(page, "lena")  # a site lead sees every part of the patient page
    pages = {
        "patient list": "/patients/",
        "patient page": f"/patients/{patient.pk}/",
        "history": f"/patients/{patient.pk}/history/",
        "worklist": "/worklist/",
    }
    forms = {
        "new patient": "/patients/new/",
        "edit patient": f"/patients/{patient.pk}/edit/",
        "new procedure": f"/patients/{patient.pk}/procedures/new/",
        "edit procedure": f"/procedures/{procedure.pk}/edit/",
        "new follow-up": f"/patients/{patient.pk}/follow-ups/new/",
        "edit follow-up": f"/follow-ups/{follow_up.pk}/edit/",
        "new adverse event": f"/procedures/{procedure.pk}/complications/new/",
        "edit adverse event": f"/complications/{complication.pk}/edit/",
        "withdraw": f"/procedures/{procedure.pk}/withdraw/",
    }
    problems: list[str] = []
    for what, url in pages.items():
        page.goto(url)
        problems += _problems(page, axe, what)
    for what, url in forms.items():
        page.goto(url)
        problems += _problems(page, axe, what)
        # New forms submitted empty put every required field in error; edit
        # forms get a future date and no reason.
        dates = page.locator("input[type=date]")
        if not what.startswith("new") and dates.count():
            dates.first.fill("2999-01-01")
        _submit(page)
        assert page.locator("#error-summary").count() == 1, what
        problems += _problems(page, axe, f"{what} with errors")
    assert problems == [], "\n".join(problems)
