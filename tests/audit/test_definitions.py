"""Outcome definitions live in one module and are shown, filled in, on the Definitions page."""

import pytest
from django.utils.html import escape

from audit.definitions import MEASURES, PublishedMeasure, Unit, measures_for_display
from audit.models import BenchmarkFigure, Publication


@pytest.mark.parametrize("measure", MEASURES, ids=lambda m: m.code)
def test_each_measure_states_unit_numerator_denominator_time_point_and_exclusions(measure):
    assert measure.unit in {Unit.PATIENT, Unit.TUMOUR, Unit.PROCEDURE}
    for text in (measure.name, measure.numerator, measure.denominator, measure.time_point):
        assert len(text) > 10
    assert measure.exclusions.startswith("Withdrawn records")
    assert measure.terminology
    assert set(measure.benchmarks + measure.context) <= set(PublishedMeasure.values)


def test_the_issue_lists_every_measure(db):
    codes = {m.code for m in MEASURES}
    assert codes == {
        "technical_success",
        "primary_efficacy",
        "assisted_efficacy",
        "residual_tumour",
        "local_progression",
        "ltp_incidence",
        "any_complication",
        "major_complication",
        "mortality_30d",
        "overall_survival",
        "median_survival",
        "any_recurrence",
        "recist_cr",
        "recist_pr",
        "recist_sd",
        "recist_pd",
        "cea_normalisation",
        "repeat_procedure",
        "procedures_per_patient",
    }


def test_every_published_figure_is_shown_beside_some_measure(db):
    shown = {code for m in MEASURES for code in m.benchmarks + m.context}
    assert set(BenchmarkFigure.objects.values_list("measure", flat=True)) <= shown


def test_every_reference_series_is_a_loaded_publication(db):
    references = {m.reference for m in MEASURES if m.reference}
    assert references <= set(Publication.objects.values_list("short_name", flat=True))


def test_the_page_shows_every_definition(client, clinician_a):
    client.force_login(clinician_a)
    page = client.get("/dashboard/definitions/").content.decode()
    for measure in measures_for_display():
        assert f'id="{measure.anchor}"' in page
        assert escape(measure.numerator) in page
        assert escape(measure.denominator) in page
    assert 'id="verdict-rules"' in page
    assert "Ahmed et al., Radiology 2014" in page


def test_the_efficacy_window_in_the_text_follows_the_settings(client, clinician_a, settings):
    client.force_login(clinician_a)
    assert "60-180 days" in client.get("/dashboard/definitions/").content.decode()
    settings.AUDIT_EFFICACY_WINDOW_DAYS = (45, 120)
    page = client.get("/dashboard/definitions/").content.decode()
    assert "45-120 days" in page and "60-180 days" not in page
