"""Record and edit procedures (with their treated tumours) and complications."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from registry import history, selectors, services
from registry.forms.procedures import (
    COMPLICATION_FIELDS,
    PROCEDURE_FIELDS,
    ComplicationForm,
    ProcedureForm,
    TreatmentRowForm,
)
from registry.models import Complication, Patient, Procedure
from registry.views.common import (
    clinician_required,
    locked_redirect,
    model_data,
    user_of,
    write,
)


@clinician_required
def procedure_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a procedure with one treatment row per tumour of the patient."""
    patient = selectors.get_patient_for(request.user, pk)
    if patient.is_locked:
        return locked_redirect(request, patient)
    data = request.POST if request.method == "POST" else None
    form = ProcedureForm(data, instance=Procedure(patient=patient), user=user_of(request))
    rows = [TreatmentRowForm(data, tumour=t) for t in selectors.tumours_of(patient)]
    if data is not None and _all_valid(form, rows):
        treated = [row for row in rows if row.cleaned_data.get("treated")]
        outcome = write(
            request,
            lambda: services.procedure_create(
                by=user_of(request),
                patient=patient,
                data=model_data(form, PROCEDURE_FIELDS),
                treatments=[{"tumour": row.tumour, **row.treatment_data()} for row in treated],
            ),
            form=form,
            patient=patient,
            rows={"treatments": treated},
            saved_message="Procedure recorded.",
        )
        if outcome.response:
            return outcome.response
    return _render(request, form, rows, patient)


@clinician_required
def procedure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a procedure and which tumours it treated, with a reason."""
    procedure = selectors.get_procedure_for(request.user, pk)
    patient = procedure.patient
    if patient.is_locked:
        return locked_redirect(request, patient)
    data = request.POST if request.method == "POST" else None
    form = ProcedureForm(data, instance=procedure, editing=True)
    existing = {t.tumour_id: t for t in procedure.treatments.current()}
    rows = [
        TreatmentRowForm(data, tumour=t, treatment=existing.get(t.pk))
        for t in selectors.tumours_of(patient)
    ]
    stale: list[history.ReadableRevision] | None = None
    if data is not None and _all_valid(form, rows):
        changes = [_treatment_change(row) for row in rows]
        outcome = write(
            request,
            lambda: services.procedure_update(
                by=user_of(request),
                procedure=procedure,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                data=model_data(form, PROCEDURE_FIELDS),
                treatments=changes,
            ),
            form=form,
            patient=patient,
            rows={"treatments": rows},
            saved_message="Changes saved.",
        )
        if outcome.response:
            return outcome.response
        stale = outcome.stale
    return _render(request, form, rows, patient, procedure=procedure, stale=stale)


def _treatment_change(row: TreatmentRowForm) -> services.RowChange:
    treated = row.cleaned_data.get("treated")
    version = row.cleaned_data.get("version")
    if row.treatment is None:
        data = {"tumour": row.tumour, **row.treatment_data()} if treated else {}
        return services.RowChange(None, data)
    if not treated:
        return services.RowChange(row.treatment, expected_version=version, remove=True)
    return services.RowChange(row.treatment, row.treatment_data(), expected_version=version)


def _all_valid(form: Any, rows: list[Any]) -> bool:
    return all([form.is_valid(), *(row.is_valid() for row in rows)])


def _render(
    request: HttpRequest,
    form: ProcedureForm,
    rows: list[TreatmentRowForm],
    patient: Patient,
    *,
    procedure: Procedure | None = None,
    stale: list[history.ReadableRevision] | None = None,
) -> HttpResponse:
    return render(
        request,
        "registry/procedure_form.html",
        {
            "form": form,
            "rows": rows,
            "labelled_rows": [(row.row_label, row) for row in rows],
            "patient": patient,
            "procedure": procedure,
            "stale": stale,
        },
    )


@clinician_required
def complication_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an adverse event after a procedure, with grading help."""
    procedure = selectors.get_procedure_for(request.user, pk)
    patient = procedure.patient
    if patient.is_locked:
        return locked_redirect(request, patient)
    data = request.POST if request.method == "POST" else None
    form = ComplicationForm(data, instance=Complication(procedure=procedure))
    if data is not None and form.is_valid():
        outcome = write(
            request,
            lambda: services.complication_create(
                by=user_of(request),
                procedure=procedure,
                data=model_data(form, COMPLICATION_FIELDS),
            ),
            form=form,
            patient=patient,
            saved_message="Adverse event recorded.",
        )
        if outcome.response:
            return outcome.response
    return _render_complication(request, form, procedure)


@clinician_required
def complication_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an adverse event, with a reason."""
    complication = selectors.get_complication_for(request.user, pk)
    procedure = complication.procedure
    patient = procedure.patient
    if patient.is_locked:
        return locked_redirect(request, patient)
    data = request.POST if request.method == "POST" else None
    form = ComplicationForm(data, instance=complication, editing=True)
    stale: list[history.ReadableRevision] | None = None
    if data is not None and form.is_valid():
        outcome = write(
            request,
            lambda: services.record_update(
                by=user_of(request),
                record=complication,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                data=model_data(form, COMPLICATION_FIELDS),
            ),
            form=form,
            patient=patient,
            saved_message="Changes saved.",
        )
        if outcome.response:
            return outcome.response
        stale = outcome.stale
    return _render_complication(request, form, procedure, complication, stale)


def _render_complication(
    request: HttpRequest,
    form: ComplicationForm,
    procedure: Procedure,
    complication: Complication | None = None,
    stale: list[history.ReadableRevision] | None = None,
) -> HttpResponse:
    return render(
        request,
        "registry/complication_form.html",
        {
            "form": form,
            "procedure": procedure,
            "patient": procedure.patient,
            "complication": complication,
            "stale": stale,
        },
    )
