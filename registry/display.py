"""How records are named on pages (no queries beyond the relations already loaded)."""

from __future__ import annotations

from typing import Any

from registry.models import (
    Complication,
    FollowUp,
    Patient,
    Procedure,
    Tumour,
    TumourAssessment,
    TumourTreatment,
)

# Each model and its URL segment for withdraw/restore (registry/urls.py).
KINDS: dict[type, str] = {
    Patient: "patients",
    Tumour: "tumours",
    Procedure: "procedures",
    FollowUp: "follow-ups",
    Complication: "complications",
    TumourTreatment: "treatments",
    TumourAssessment: "assessments",
}


def kind_of(record: Any) -> str:
    return KINDS[type(record)]


def record_name(record: Any) -> str:
    """Name a record for people, e.g. "Tumour T1" or "Procedure on 02/03/2025"."""
    if isinstance(record, Patient):
        return f"Patient {record.registry_id}"
    if isinstance(record, Tumour):
        return f"Tumour {record.label}"
    if isinstance(record, Procedure):
        return f"Procedure on {record.performed_on:%d/%m/%Y}"
    if isinstance(record, FollowUp):
        return f"Follow-up on {record.seen_on:%d/%m/%Y}"
    if isinstance(record, Complication):
        return f"Adverse event ({record.event_label}) on {record.onset_on:%d/%m/%Y}"
    if isinstance(record, TumourTreatment):
        return (
            f"Treatment of tumour {record.tumour.label} on {record.procedure.performed_on:%d/%m/%Y}"
        )
    if isinstance(record, TumourAssessment):
        return f"Assessment of tumour {record.tumour.label} on {record.follow_up.seen_on:%d/%m/%Y}"
    return str(record)
