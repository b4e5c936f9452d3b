"""Record and edit follow-ups, with one assessment row per treated tumour."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from registry import history, selectors, services
from registry.forms.follow_ups import FOLLOW_UP_FIELDS, AssessmentRowForm, FollowUpForm
from registry.models import FollowUp, Patient
from registry.views.common import (
    clinician_required,
    locked_redirect,
    model_data,
    user_of,
    write,
)


@clinician_required
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a follow-up contact and what imaging showed at each treated tumour."""
    patient = selectors.get_patient_for(request.user, pk)
    if patient.is_locked:
        return locked_redirect(request, patient)
    data = request.POST if request.method == "POST" else None
    form = FollowUpForm(data, instance=FollowUp(patient=patient))
    rows = [AssessmentRowForm(data, tumour=t) for t in selectors.treated_tumours_of(patient)]
    if data is not None and all([form.is_valid(), *(row.is_valid() for row in rows)]):
        assessed = [row for row in rows if row.cleaned_data.get("result")]
        outcome = write(
            request,
            lambda: services.follow_up_create(
                by=user_of(request),
                patient=patient,
                data=model_data(form, FOLLOW_UP_FIELDS),
                assessments=[
                    {"tumour": row.tumour, "result": row.cleaned_data["result"]} for row in assessed
                ],
            ),
            form=form,
            patient=patient,
            rows={"assessments": assessed},
            saved_message="Follow-up recorded.",
        )
        if outcome.response:
            return outcome.response
    return _render(request, form, rows, patient)


@clinician_required
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a follow-up and its assessments, with a reason."""
    follow_up = selectors.get_follow_up_for(request.user, pk)
    patient = follow_up.patient
    if patient.is_locked:
        return locked_redirect(request, patient)
    data = request.POST if request.method == "POST" else None
    form = FollowUpForm(data, instance=follow_up, editing=True)
    existing = {a.tumour_id: a for a in follow_up.assessments.current()}
    tumours = selectors.tumours_of(patient)
    treated = set(selectors.treated_tumours_of(patient).values_list("pk", flat=True))
    rows = [
        AssessmentRowForm(data, tumour=t, assessment=existing.get(t.pk))
        for t in tumours
        if t.pk in treated or t.pk in existing
    ]
    stale: list[history.ReadableRevision] | None = None
    if data is not None and all([form.is_valid(), *(row.is_valid() for row in rows)]):
        changes = [_assessment_change(row) for row in rows]
        outcome = write(
            request,
            lambda: services.follow_up_update(
                by=user_of(request),
                follow_up=follow_up,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
                data=model_data(form, FOLLOW_UP_FIELDS),
                assessments=changes,
            ),
            form=form,
            patient=patient,
            rows={"assessments": rows},
            saved_message="Changes saved.",
        )
        if outcome.response:
            return outcome.response
        stale = outcome.stale
    return _render(request, form, rows, patient, follow_up=follow_up, stale=stale)


def _assessment_change(row: AssessmentRowForm) -> services.RowChange:
    result = row.cleaned_data.get("result")
    version = row.cleaned_data.get("version")
    if row.assessment is None:
        return services.RowChange(None, {"tumour": row.tumour, "result": result} if result else {})
    if not result:
        return services.RowChange(row.assessment, expected_version=version, remove=True)
    return services.RowChange(row.assessment, {"result": result}, expected_version=version)


def _render(
    request: HttpRequest,
    form: FollowUpForm,
    rows: list[AssessmentRowForm],
    patient: Patient,
    *,
    follow_up: FollowUp | None = None,
    stale: list[history.ReadableRevision] | None = None,
) -> HttpResponse:
    return render(
        request,
        "registry/follow_up_form.html",
        {
            "form": form,
            "rows": rows,
            "labelled_rows": [(row.row_label, row) for row in rows],
            "patient": patient,
            "follow_up": follow_up,
            "stale": stale,
        },
    )
