"""Synthetic liver metastases: how many, where and how large."""

from __future__ import annotations

import datetime

from registry.demo.draw import Draw, table
from registry.demo.plans import TumourPlan
from registry.models.patients import NICE_MAX_DIAMETER_MM

TUMOUR_COUNT = table({1: 55, 2: 28, 3: 12, 4: 5})
# Couinaud segments weighted to the larger right lobe (V-VIII).
SEGMENTS = table({1: 2, 2: 8, 3: 8, 4: 12, 5: 14, 6: 16, 7: 18, 8: 22})
# Median 22 mm, sigma 0.5: about 10% of tumours over the 4 cm NICE maximum.
DIAMETER_MEDIAN_MM, DIAMETER_SIGMA = 22, 0.5
NEW_DIAMETER_MEDIAN_MM = 18  # new tumours are found smaller, on surveillance scans
P_SIZE_REASON = 0.6  # the rest leave the NICE size criterion something to flag
SIZE_REASONS = (
    "Not fit for resection; MDT agreed multi-probe cryoablation.",
    "Patient declined hepatectomy after discussion of alternatives.",
    "Insufficient future liver remnant for resection; MDT decision.",
    "Tumour adjacent to a major vessel; cryoablation preferred to heat-based ablation.",
)


def baseline_tumours(draw: Draw, first: datetime.date) -> list[TumourPlan]:
    """Draw the tumours present at the first procedure, labelled T1..Tn."""
    count = draw.pick(TUMOUR_COUNT)
    tumours = []
    for number in range(1, count + 1):
        size = round(draw.lognormal(DIAMETER_MEDIAN_MM, DIAMETER_SIGMA, 3, 95))
        detected = None if draw.chance(0.03) else draw.days_before(first, 14, 120)
        tumours.append(_tumour(draw, f"T{number}", size, detected))
    return tumours


def new_tumour(draw: Draw, label: str, found_on: datetime.date) -> TumourPlan:
    """Draw a tumour that a follow-up scan found on a day."""
    size = round(draw.lognormal(NEW_DIAMETER_MEDIAN_MM, 0.45, 5, 70))
    return _tumour(draw, label, size, found_on)


def _tumour(draw: Draw, label: str, size: int, detected: datetime.date | None) -> TumourPlan:
    reason = ""
    if size > NICE_MAX_DIAMETER_MM and draw.chance(P_SIZE_REASON):
        reason = draw.one_of(SIZE_REASONS)
    return TumourPlan(
        label=label,
        segment=draw.pick(SEGMENTS),
        max_diameter_mm=size,
        detected_on=detected,
        histology_confirmed=draw.tristate(0.35, 0.5),
        size_exception_reason=reason,
    )
