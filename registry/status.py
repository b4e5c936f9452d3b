"""A tumour's current status, derived from its treatments and imaging assessments.

Pure: takes dates and results, touches no database, so the patient page, the
dashboards and the tests share one definition.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import models

from registry.choices import AssessmentResult


class TumourStatus(models.TextChoices):
    UNTREATED = "untreated", "Untreated"
    TREATED = "treated", "Treated, not yet assessed"
    COMPLETE_ABLATION = "complete_ablation", "Complete ablation"
    RESIDUAL_UNABLATED = "residual_unablated", "Residual unablated tumour"
    LOCAL_PROGRESSION = "local_progression", "Local tumour progression"


_FROM_RESULT = {
    AssessmentResult.COMPLETE_ABLATION: TumourStatus.COMPLETE_ABLATION,
    AssessmentResult.RESIDUAL_UNABLATED: TumourStatus.RESIDUAL_UNABLATED,
    AssessmentResult.LOCAL_PROGRESSION: TumourStatus.LOCAL_PROGRESSION,
}


def tumour_status(
    treatment_dates: Iterable[datetime.date],
    assessments: Iterable[tuple[datetime.date, str]],
) -> TumourStatus:
    """Return a tumour's status from its treatment dates and (date, result) assessments.

    * No treatment: untreated.
    * Only assessments on or after the latest treatment count (a re-treatment
      starts over); "not assessed" results are ignored. None left: treated.
    * Local tumour progression seen since the latest treatment stays until
      the tumour is treated again (it is an event, not a reading).
    * Otherwise the latest assessment decides: complete ablation or residual
      unablated tumour.
    """
    treated = list(treatment_dates)
    if not treated:
        return TumourStatus.UNTREATED
    since = max(treated)
    relevant = sorted(
        (day, result) for day, result in assessments if day >= since and result in _FROM_RESULT
    )
    if not relevant:
        return TumourStatus.TREATED
    if any(result == AssessmentResult.LOCAL_PROGRESSION for _, result in relevant):
        return TumourStatus.LOCAL_PROGRESSION
    return _FROM_RESULT[AssessmentResult(relevant[-1][1])]
