"""URLs of the export API, mounted at /api/v1/ with the namespace "api".

Other apps add endpoints under /api/v1/ with their own include (and their own
namespace) in config/urls.py; the schema documents every URL.
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from registry.api import views

app_name = "api"

router = SimpleRouter()
router.register("sites", views.SiteViewSet, basename="sites")
router.register("patients", views.PatientViewSet, basename="patients")
router.register("tumours", views.TumourViewSet, basename="tumours")
router.register("procedures", views.ProcedureViewSet, basename="procedures")
router.register("tumour-treatments", views.TumourTreatmentViewSet, basename="tumour-treatments")
router.register("follow-ups", views.FollowUpViewSet, basename="follow-ups")
router.register("tumour-assessments", views.TumourAssessmentViewSet, basename="tumour-assessments")
router.register("complications", views.ComplicationViewSet, basename="complications")

urlpatterns = [
    path("", include(router.urls)),
    path("data-dictionary/", views.DataDictionaryView.as_view(), name="data-dictionary"),
    path("bundle/", views.BundleView.as_view(), name="bundle"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    path(
        "redoc/",
        # Redoc's bundle injects <style> elements while it loads (before any nonce
        # can reach it): this page alone allows inline styles. Scripts stay 'self'.
        csp_update({"style-src": [UNSAFE_INLINE]})(
            login_required(
                SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
            )
        ),
        name="redoc",
    ),
]
