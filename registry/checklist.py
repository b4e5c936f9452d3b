"""The NICE HTG241 checklist of one patient's record, with missing items flagged.

Works on records already loaded (the patient page prefetches them): no queries.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from registry.models import Patient, Procedure, Tumour


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    detail: str


def nice_checklist(
    patient: Patient, procedures: Sequence[Procedure], tumours: Sequence[Tumour]
) -> list[ChecklistItem]:
    """Check MDT selection, written information, consent and the 4 cm size rule."""
    first = min((p.performed_on for p in procedures), default=None)
    return [
        _mdt(patient, first),
        _information(patient, first),
        _consent(procedures),
        _size(tumours),
    ]


def _mdt(patient: Patient, first: datetime.date | None) -> ChecklistItem:
    label = "Discussed at a hepatobiliary MDT before the first procedure (NICE 1.3)"
    if patient.mdt_date is None:
        return ChecklistItem(label, False, "No MDT date recorded.")
    if first is not None and patient.mdt_date > first:
        return ChecklistItem(
            label, False, f"MDT on {patient.mdt_date:%d/%m/%Y}, after the first procedure."
        )
    return ChecklistItem(label, True, f"MDT on {patient.mdt_date:%d/%m/%Y}.")


def _information(patient: Patient, first: datetime.date | None) -> ChecklistItem:
    label = "Written information given, naming the alternative treatments (NICE 1.2)"
    missing = []
    if patient.written_information_date is None:
        missing.append("no date written information was given")
    if patient.alternatives_discussed is not True:
        missing.append("alternatives not recorded as discussed")
    if missing:
        return ChecklistItem(label, False, "Missing: " + "; ".join(missing) + ".")
    given = patient.written_information_date
    assert given is not None
    if first is not None and given > first:
        return ChecklistItem(label, False, f"Given on {given:%d/%m/%Y}, after the first procedure.")
    return ChecklistItem(label, True, f"Given on {given:%d/%m/%Y}; alternatives discussed.")


def _consent(procedures: Sequence[Procedure]) -> ChecklistItem:
    label = "Consent documented for every procedure (NICE 1.1)"
    if not procedures:
        return ChecklistItem(label, True, "No procedure recorded yet.")
    missing = [p for p in procedures if not p.consent_documented]
    if missing:
        dates = ", ".join(f"{p.performed_on:%d/%m/%Y}" for p in missing)
        return ChecklistItem(label, False, f"No documented consent for the procedure on {dates}.")
    return ChecklistItem(label, True, f"Documented for all {len(procedures)} procedure(s).")


def _size(tumours: Sequence[Tumour]) -> ChecklistItem:
    label = "Tumours within the recommended maximum size of 4 cm (NICE 2.2.3)"
    large = [t for t in tumours if t.exceeds_nice_size]
    if not large:
        return ChecklistItem(label, True, "No tumour over 40 mm.")
    parts = []
    for tumour in large:
        reason = "reason recorded" if tumour.size_exception_reason.strip() else "no reason recorded"
        parts.append(f"{tumour.label} ({tumour.max_diameter_mm} mm, {reason})")
    return ChecklistItem(label, False, "Over 40 mm: " + "; ".join(parts) + ".")
