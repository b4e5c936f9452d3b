"""Published series as data: every figure of the reference document, as published.

The table below is transcribed by hand from shared/reference/outcomes-and-benchmarks.md
section 3 (independently of audit/data/published_series.json, which the data
migration loads), so a slip in either shows up here.
"""

# ruff: noqa: RUF001 - ranges are written with en dashes, as the publications print them.

from collections import Counter

import pytest
from django.contrib.admin.sites import site as admin_site

from audit.models import BenchmarkFigure, Publication

# (publication, measure, subgroup, arm, as published)
REFERENCE = [
    # Xu et al. 2008, WJG 14:1430
    ("Xu 2008", "repeat_procedure", "all", "cryotherapy", "151/326 (46.3%)"),
    ("Xu 2008", "cea_normalisation", "all", "cryotherapy", "197 (77.5%)"),
    ("Xu 2008", "recist_cr", "all", "cryotherapy", "41/280 (14.6%)"),
    ("Xu 2008", "recist_pr", "all", "cryotherapy", "115/280 (41.1%)"),
    ("Xu 2008", "recist_sd", "all", "cryotherapy", "68/280 (24.3%)"),
    ("Xu 2008", "recist_pd", "all", "cryotherapy", "56/280 (20.0%)"),
    ("Xu 2008", "any_recurrence", "all", "cryotherapy", "47.2%"),
    ("Xu 2008", "local_progression", "all", "cryotherapy", "6.4%"),
    ("Xu 2008", "median_survival", "all", "cryotherapy", "29 months (range 3–62)"),
    ("Xu 2008", "overall_survival", "all", "cryotherapy", "78%"),
    ("Xu 2008", "overall_survival", "all", "cryotherapy", "62%"),
    ("Xu 2008", "overall_survival", "all", "cryotherapy", "41%"),
    ("Xu 2008", "overall_survival", "all", "cryotherapy", "34%"),
    ("Xu 2008", "overall_survival", "all", "cryotherapy", "23%"),
    ("Xu 2008", "intraprocedural_mortality", "all", "cryotherapy", "0/526 (0%)"),
    ("Xu 2008", "specific_adverse_events", "all", "cryotherapy", "0.3–1.5%"),
    # Glazer et al. 2017, AJR 209:1381
    ("Glazer 2017", "technical_success", "all", "cryotherapy", "279/295 (94.6%)"),
    ("Glazer 2017", "technique_efficacy", "all", "cryotherapy", "231/258 (89.5%)"),
    ("Glazer 2017", "technique_efficacy", "size_lt40", "cryotherapy", "213/228 (93.4%)"),
    ("Glazer 2017", "technique_efficacy", "size_ge40", "cryotherapy", "18/30 (60.0%)"),
    ("Glazer 2017", "local_progression", "all", "cryotherapy", "60/258 (23.3%)"),
    ("Glazer 2017", "local_progression", "size_lt40", "cryotherapy", "41/228 (18.0%)"),
    ("Glazer 2017", "local_progression", "size_ge40", "cryotherapy", "19/30 (63.3%)"),
    ("Glazer 2017", "any_complication", "all", "cryotherapy", "80/236 (33.8%)"),
    ("Glazer 2017", "major_complication", "all", "cryotherapy", "25/236 (10.6%)"),
    ("Glazer 2017", "major_complication", "size_lt40", "cryotherapy", "17/195 (8.7%)"),
    ("Glazer 2017", "major_complication", "size_ge40", "cryotherapy", "8/41 (19.5%)"),
    # NICE HTG241 evidence summary
    ("NICE HTG241", "disease_free_survival", "all", "cryotherapy_chemotherapy", "9/63 (14%)"),
    ("NICE HTG241", "disease_free_survival", "all", "resection_chemotherapy", "3/60 (5%)"),
    ("NICE HTG241", "median_survival", "all", "resection_cryotherapy", "29 months"),
    ("NICE HTG241", "median_survival", "all", "resection", "34 months"),
    ("NICE HTG241", "perioperative_mortality", "all", "cryotherapy", "1/55 (2%)"),
    ("NICE HTG241", "perioperative_mortality", "all", "resection", "8/168 (5%)"),
    ("NICE HTG241", "perioperative_morbidity", "all", "cryotherapy", "6/55 (11%)"),
    ("NICE HTG241", "perioperative_morbidity", "all", "resection", "44/168 (26%)"),
    ("NICE HTG241", "haemorrhage", "all", "cryotherapy", "2/55 (4%)"),
    ("NICE HTG241", "haemorrhage", "all", "resection", "2/168 (1%)"),
    ("NICE HTG241", "mortality_unspecified", "all", "cryotherapy", "7/326 (2%)"),
    ("NICE HTG241", "infection", "all", "cryotherapy", "12/158 (8%)"),
    ("NICE HTG241", "fever", "all", "cryotherapy", "108/326 (33%)"),
    # Niu et al. 2007, Ann Surg Oncol 14:2078
    ("Niu 2007", "mortality_30d", "all", "mixed", "3.1%"),
    ("Niu 2007", "overall_survival", "all", "resection_cryotherapy", "84%"),
    ("Niu 2007", "overall_survival", "all", "resection_cryotherapy", "43%"),
    ("Niu 2007", "overall_survival", "all", "resection_cryotherapy", "24%"),
    ("Niu 2007", "overall_survival", "all", "resection", "88%"),
    ("Niu 2007", "overall_survival", "all", "resection", "47%"),
    ("Niu 2007", "overall_survival", "all", "resection", "32%"),
    ("Niu 2007", "any_recurrence", "all", "resection_cryotherapy", "78%"),
    ("Niu 2007", "any_recurrence", "all", "resection", "66%"),
    # Littrup et al. 2016, Abdom Radiol 41:767
    ("Littrup 2016", "major_complication", "all", "cryotherapy", "20/342 (5.8%)"),
    # Cochrane review, Bala et al. CD009058
    (
        "Bala 2013",
        "all_cause_mortality_rr",
        "all",
        "cryotherapy_chemotherapy",
        "RR 0.88 (95% CI 0.77–1.02)",
    ),
    # Fong et al. 1999 (seed 004): resection comparators
    ("Fong 1999", "perioperative_mortality", "all", "resection", "2.8%"),
    ("Fong 1999", "overall_survival", "all", "resection", "37%"),
    ("Fong 1999", "overall_survival", "all", "resection", "22%"),
]

# Survival curves are read at these times (months).
SURVIVAL_POINTS = {
    ("Xu 2008", "cryotherapy"): {12: 78, 24: 62, 36: 41, 48: 34, 60: 23},
    ("Niu 2007", "resection_cryotherapy"): {12: 84, 36: 43, 60: 24},
    ("Niu 2007", "resection"): {12: 88, 36: 47, 60: 32},
    ("Fong 1999", "resection"): {60: 37, 120: 22},
}

COHORTS = {
    "Xu 2008": (326, None, 526),
    "Glazer 2017": (186, 299, 236),
    "Littrup 2016": (212, 443, 342),
    "Niu 2007": (415, None, None),
    "Fong 1999": (1001, None, None),
}


def _stored():
    return Counter(
        (f.publication.short_name, f.measure, f.subgroup, f.arm, f.display)
        for f in BenchmarkFigure.objects.select_related("publication")
    )


def test_database_holds_exactly_the_reference_figures(db):
    assert _stored() == Counter(REFERENCE)
    assert BenchmarkFigure.objects.count() == len(REFERENCE) == 54


def test_survival_figures_sit_at_their_published_times(db):
    for (publication, arm), points in SURVIVAL_POINTS.items():
        figures = BenchmarkFigure.objects.filter(
            publication__short_name=publication, measure="overall_survival", arm=arm
        )
        assert {int(f.horizon_months): int(f.value) for f in figures} == points


def test_publications_describe_their_cohorts(db):
    assert Publication.objects.count() == 7
    for short_name, (patients, tumours, procedures) in COHORTS.items():
        publication = Publication.objects.get(short_name=short_name)
        assert (publication.n_patients, publication.n_tumours, publication.n_procedures) == (
            patients,
            tumours,
            procedures,
        )
        assert publication.citation and publication.source_location


def test_every_loaded_figure_passes_validation(db):
    for figure in BenchmarkFigure.objects.all():
        figure.full_clean()


def test_every_loaded_record_has_a_history_row_saying_where_it_came_from(db):
    for model in (Publication, BenchmarkFigure):
        for record in model.objects.all():
            (first,) = record.history.all()
            assert first.history_type == "+"
            assert "reference document" in first.history_change_reason


def test_a_transcription_slip_is_refused(db):
    figure = BenchmarkFigure.objects.get(publication__short_name="Littrup 2016")
    figure.value = 8.5  # 20/342 is 5.8%
    with pytest.raises(Exception, match="check the transcription"):
        figure.full_clean()


def test_published_figures_are_on_the_dashboard_and_definitions_page(client, registry_admin):
    client.force_login(registry_admin)
    for url in ("/dashboard/", "/dashboard/definitions/"):
        page = client.get(url).content.decode()
        for publication, _, _, _, text in REFERENCE:
            assert f'<td class="published-figure">{text}</td>' in page, (url, text)
            assert publication in page
        assert page.count('class="published-figure"') == len(REFERENCE)


def test_benchmarks_are_in_the_admin_with_history_and_search(client, registry_admin):
    assert admin_site.is_registered(Publication)
    assert admin_site.is_registered(BenchmarkFigure)
    client.force_login(registry_admin)
    listing = client.get("/admin/audit/benchmarkfigure/?q=Glazer")
    assert listing.status_code == 200
    assert "279/295 (94.6%)" in listing.content.decode()
    figure = BenchmarkFigure.objects.get(measure="technical_success")
    assert client.get(f"/admin/audit/benchmarkfigure/{figure.pk}/history/").status_code == 200


def test_an_admin_correction_is_kept_in_the_history_with_author_and_reason(client, registry_admin):
    figure = BenchmarkFigure.objects.get(publication__short_name="Littrup 2016")
    client.force_login(registry_admin)
    url = f"/admin/audit/benchmarkfigure/{figure.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(note="Checked against the full text.", change_reason="Full text checked")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = figure.history.first()
    assert latest.note == "Checked against the full text."
    assert latest.history_user == registry_admin
    assert latest.history_change_reason == "Full text checked"


def test_clinicians_cannot_open_the_benchmark_admin(client, clinician_a):
    client.force_login(clinician_a)
    assert client.get("/admin/audit/benchmarkfigure/").status_code == 302


def test_a_range_needs_both_ends(db):
    figure = BenchmarkFigure.objects.get(measure="specific_adverse_events")
    figure.range_high = None
    with pytest.raises(Exception, match="both ends"):
        figure.full_clean()


@pytest.mark.parametrize(
    "fields, text",
    [
        ({"value": None, "value_unit": "months", "range_low": 3, "range_high": 62}, "3–62 months"),
        ({"value": 0.9, "value_unit": "relative_risk", "decimals": 2}, "RR 0.90"),
        ({"value": None, "range_low": 1, "range_high": None}, "1%"),
        ({"value": 12.5, "numerator": 5, "denominator": 40}, "5/40 (12.5%)"),
    ],
)
def test_figures_are_written_as_published_in_every_shape(fields, text):
    from audit.benchmarks import FigureText, figure_text

    values = {"numerator": None, "denominator": None, "value_unit": "percent", "decimals": 1}
    values.update(fields)
    assert figure_text(FigureText(**values)) == text
