"""Clinician pages: patients, data entry, follow-up worklist, sign-off."""

from django.urls import path, re_path

from registry.views import follow_ups, patients, procedures, records, sites, worklist

app_name = "registry"

urlpatterns = [
    path("site/", sites.switch_site, name="switch_site"),
    path("patients/", patients.patient_list, name="patient_list"),
    path("patients/new/", patients.patient_create, name="patient_create"),
    path("patients/<int:pk>/", patients.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/edit/", patients.patient_edit, name="patient_edit"),
    path("patients/<int:pk>/history/", patients.patient_history, name="patient_history"),
    path("patients/<int:pk>/procedures/new/", procedures.procedure_create, name="procedure_create"),
    path("procedures/<int:pk>/edit/", procedures.procedure_edit, name="procedure_edit"),
    path("patients/<int:pk>/follow-ups/new/", follow_ups.follow_up_create, name="follow_up_create"),
    path("follow-ups/<int:pk>/edit/", follow_ups.follow_up_edit, name="follow_up_edit"),
    path(
        "procedures/<int:pk>/complications/new/",
        procedures.complication_create,
        name="complication_create",
    ),
    path("complications/<int:pk>/edit/", procedures.complication_edit, name="complication_edit"),
    re_path(
        rf"^(?P<kind>{'|'.join(records.KINDS)})/(?P<pk>[0-9]+)/(?P<action>withdraw|restore)/$",
        records.record_action,
        name="record_action",
    ),
    re_path(
        r"^patients/(?P<pk>[0-9]+)/(?P<action>lock|unlock)/$",
        records.patient_sign_off,
        name="patient_sign_off",
    ),
    path("worklist/", worklist.worklist, name="worklist"),
]
