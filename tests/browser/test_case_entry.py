"""A clinician enters a complete case in a real browser (Debian's chromium, headless)."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from registry.models import Patient
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

TODAY = datetime.date.today()


def _iso(days_ago: int) -> str:
    return (TODAY - datetime.timedelta(days=days_ago)).isoformat()


def _register_patient(page: Page) -> None:
    page.get_by_role("link", name="New patient", exact=True).click()
    page.get_by_label("Hospital number").fill("RX 777")
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_label("Date of birth").fill("1960-02-01")
    page.get_by_role("group", name="Sex").get_by_label("Male", exact=True).check()
    page.get_by_label("Primary tumour site").select_option("colorectal")
    page.get_by_label("Date discussed at a hepatobiliary MDT").fill(_iso(60))
    page.get_by_label("Date written information was given").fill(_iso(55))
    page.get_by_role("group", name="Alternatives").get_by_label("Yes").check()
    # With JavaScript, "Add another tumour" adds a row in the page (left empty: ignored).
    page.get_by_role("button", name="Add another tumour").click()
    expect(page.locator("#id_tumours-2-label")).to_be_focused()
    for index, (label, segment, size) in enumerate([("T1", "6", "25"), ("T2", "2", "18")]):
        page.locator(f"#id_tumours-{index}-label").fill(label)
        page.locator(f"#id_tumours-{index}-segment").select_option(segment)
        page.locator(f"#id_tumours-{index}-max_diameter_mm").fill(size)
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Patient CA-")


def _record_procedure(page: Page, patient: Patient) -> None:
    page.get_by_role("link", name="Record procedure").click()
    page.get_by_label("Date (required)", exact=True).fill(_iso(-1))  # tomorrow: a bad date
    page.get_by_role("group", name="Approach").get_by_label("Percutaneous").check()
    page.get_by_label("Image guidance").select_option("ct")
    page.get_by_role("group", name="Anaesthesia").get_by_label("General anaesthesia").check()
    page.get_by_role("group", name="Cryogen").get_by_label("Argon").check()
    page.get_by_label("Intent").select_option("primary")
    page.get_by_label("Consent documented").check()
    for tumour in patient.tumours.all():
        row = page.locator(f"#tumour-{tumour.pk}")
        row.get_by_label("Treated in this procedure").check()
        row.get_by_label("Number of probes").fill("3")
        row.get_by_role("group", name="Technical success").get_by_label("Yes").check()
    page.get_by_role("button", name="Record procedure").click()

    # The bad date is refused next to its field; everything else is kept.
    date = page.get_by_label("Date (required)", exact=True)
    expect(page.locator("#id_performed_on_error")).to_contain_text("This date is in the future")
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.get_by_label("Image guidance")).to_have_value("ct")
    expect(page.get_by_label("Consent documented")).to_be_checked()
    first = page.locator(f"#tumour-{patient.tumours.first().pk}")
    expect(first.get_by_label("Number of probes")).to_have_value("3")

    date.fill(_iso(20))
    page.get_by_role("button", name="Record procedure").click()
    expect(page.get_by_role("status").first).to_contain_text("Procedure recorded.")


def _record_complication(page: Page) -> None:
    page.get_by_role("link", name=re.compile("^Record adverse event")).click()
    page.get_by_label("Event type").select_option("haemorrhage")
    page.get_by_label("Onset date").fill(_iso(19))
    grade = page.get_by_role("group", name="CTCAE v5 grade")
    expect(grade).to_contain_text("Severe or medically significant")
    grade.get_by_label(re.compile("^3 - Severe")).check()
    page.get_by_role("button", name="Record adverse event").click()
    expect(page.get_by_role("status").first).to_contain_text("Adverse event recorded.")


def _record_follow_up(page: Page) -> None:
    page.get_by_role("link", name="Record follow-up").click()
    page.get_by_label("Date of follow-up").fill(_iso(1))
    page.get_by_role("group", name="Kind").get_by_label("Imaging").check()
    page.get_by_label("Imaging modality").select_option("mri")
    page.get_by_role("group", name="Tumour T1").get_by_label("Local tumour progression").check()
    page.get_by_role("group", name="Tumour T2").get_by_label("Complete ablation").check()
    page.get_by_role("button", name="Record follow-up").click()
    expect(page.get_by_role("status").first).to_contain_text("Follow-up recorded.")


def test_clinician_enters_a_complete_case_from_the_list_page(
    page: Page, browser, live_server, clinician_a, clinician_b
):
    sign_in(page, "alice")
    expect(page).to_have_url(re.compile("/patients/$"))

    _register_patient(page)
    patient = Patient.objects.get(hospital_number="RX 777")
    _record_procedure(page, patient)
    _record_complication(page)
    _record_follow_up(page)

    tumours = page.get_by_role("table").filter(has_text="Current status")
    expect(tumours.get_by_role("row", name=re.compile("^T1 "))).to_contain_text(
        "Local tumour progression"
    )
    expect(tumours.get_by_role("row", name=re.compile("^T2 "))).to_contain_text("Complete ablation")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("CTCAE grade 3 · major")
    expect(timeline).to_contain_text("Tumour T1: Local tumour progression")
    expect(page.get_by_text("Next follow-up due")).to_be_visible()

    # A clinician of another site gets "not found" for this patient's page.
    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "bob")
    response = other.goto(f"/patients/{patient.pk}/")
    assert response is not None and response.status == 404
    expect(other.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(other.locator("body")).not_to_contain_text(patient.registry_id)
    other.context.close()


def test_a_stale_edit_is_refused(page: Page, browser, live_server, patient_a, clinician_a, lead_a):
    sign_in(page, "alice")
    page.goto(f"/patients/{patient_a.pk}/edit/")

    other = browser.new_context(base_url=live_server.url).new_page()
    sign_in(other, "lena")
    other.goto(f"/patients/{patient_a.pk}/edit/")
    other.get_by_label("Hospital number").fill("LEAD-1")
    other.get_by_label("Reason for change").fill("Checked the notes")
    other.get_by_role("button", name="Save changes").click()
    expect(other.get_by_role("status").first).to_contain_text("Changes saved.")
    other.context.close()

    page.get_by_label("Hospital number").fill("MINE-1")
    page.get_by_label("Reason for change").fill("My correction")
    page.get_by_role("button", name="Save changes").click()

    warning = page.locator("#stale-edit")
    expect(warning).to_contain_text("Not saved: someone else changed this record")
    expect(warning).to_contain_text("Checked the notes")
    expect(warning).to_contain_text("→ LEAD-1")
    expect(page.get_by_label("Hospital number")).to_have_value("MINE-1")
    patient_a.refresh_from_db()
    assert patient_a.hospital_number == "LEAD-1"
