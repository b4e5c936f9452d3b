"""A tumour's current status, derived from treatments and assessments (pure)."""

import datetime

from registry.choices import AssessmentResult as R
from registry.status import TumourStatus, tumour_status

D = datetime.date


def test_a_tumour_without_treatment_is_untreated():
    assert tumour_status([], []) == TumourStatus.UNTREATED


def test_a_treated_tumour_without_assessment_is_treated():
    assert tumour_status([D(2025, 1, 1)], []) == TumourStatus.TREATED


def test_not_assessed_results_are_ignored():
    status = tumour_status([D(2025, 1, 1)], [(D(2025, 2, 1), R.NOT_ASSESSED)])
    assert status == TumourStatus.TREATED


def test_the_latest_assessment_decides():
    assessments = [(D(2025, 2, 1), R.RESIDUAL_UNABLATED), (D(2025, 5, 1), R.COMPLETE_ABLATION)]
    assert tumour_status([D(2025, 1, 1)], assessments) == TumourStatus.COMPLETE_ABLATION
    assert tumour_status([D(2025, 1, 1)], assessments[:1]) == TumourStatus.RESIDUAL_UNABLATED


def test_local_progression_stays_until_the_tumour_is_treated_again():
    assessments = [(D(2025, 2, 1), R.LOCAL_PROGRESSION), (D(2025, 5, 1), R.COMPLETE_ABLATION)]
    assert tumour_status([D(2025, 1, 1)], assessments) == TumourStatus.LOCAL_PROGRESSION


def test_a_re_treatment_starts_over():
    assessments = [(D(2025, 2, 1), R.LOCAL_PROGRESSION)]
    assert tumour_status([D(2025, 1, 1), D(2025, 3, 1)], assessments) == TumourStatus.TREATED
    later = [*assessments, (D(2025, 4, 1), R.COMPLETE_ABLATION)]
    assert tumour_status([D(2025, 1, 1), D(2025, 3, 1)], later) == TumourStatus.COMPLETE_ABLATION
