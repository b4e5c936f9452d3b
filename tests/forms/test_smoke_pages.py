"""Every clinician page renders for the people who may see it."""

import pytest


@pytest.mark.parametrize("who", ["clinician_client", "lead_client"])
def test_every_page_renders(request, who, full_case):
    client = request.getfixturevalue(who)
    patient = full_case
    procedure = patient.procedures.get()
    follow_up = patient.follow_ups.first()
    complication = procedure.complications.get()
    tumour = patient.tumours.first()
    urls = [
        "/patients/",
        "/patients/?q=ca&vital=alive&overdue=on",
        "/patients/new/",
        f"/patients/{patient.pk}/",
        f"/patients/{patient.pk}/edit/",
        f"/patients/{patient.pk}/history/",
        f"/patients/{patient.pk}/procedures/new/",
        f"/procedures/{procedure.pk}/edit/",
        f"/patients/{patient.pk}/follow-ups/new/",
        f"/follow-ups/{follow_up.pk}/edit/",
        f"/procedures/{procedure.pk}/complications/new/",
        f"/complications/{complication.pk}/edit/",
        f"/procedures/{procedure.pk}/withdraw/",
        f"/tumours/{tumour.pk}/withdraw/",
        "/worklist/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
