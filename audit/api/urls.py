"""Benchmarking endpoints, mounted at /api/v1/ beside the registry's (namespace "audit_api").

`benchmarks/publications/` is registered before `benchmarks/` so that its list is
not taken for the detail of a figure.
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from audit.api import views

app_name = "audit_api"

router = SimpleRouter()
router.register(
    "benchmarks/publications", views.PublicationViewSet, basename="benchmark-publications"
)
router.register("benchmarks", views.BenchmarkViewSet, basename="benchmarks")

urlpatterns = [
    path("", include(router.urls)),
    path("metrics/", views.MetricsView.as_view(), name="metrics"),
]
