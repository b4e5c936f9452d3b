"""A URLconf where one more app mounts its own /api/v1/ endpoints (as audit does)."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns
from registry.api.permissions import CanExport


class DummyExtensionView(APIView):
    """Stands in for another app's endpoint."""

    permission_classes = [CanExport]

    def get(self, request):
        return Response([])


dummy_patterns = (
    [path("example-extension/", DummyExtensionView.as_view(), name="example")],
    "dummy",
)

urlpatterns = [*project_urlpatterns, path("api/v1/", include(dummy_patterns))]
