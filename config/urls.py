"""URL configuration for CryoAudit."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from registry.views.sites import home

urlpatterns = [
    # Clinicians and site leads land on their patient list; other roles see the home page.
    path("", home, name="home"),
    path("accounts/mfa/", include("registry.security.urls")),
    # Sign-in, sign-out and password change only: no self-service password reset,
    # which would need outgoing e-mail; registry admins reset passwords in the admin.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("", include("registry.urls")),
    path("dashboard/", include("audit.urls")),
]

# The governance export API. Other apps mount their own /api/v1/ endpoints with
# their own include (and URL namespace) below this one.
urlpatterns += [
    path("api/v1/", include("registry.api.urls", namespace="api")),
]

# Benchmarking: published benchmarks and the dashboard's metrics (audit/api/).
urlpatterns += [
    path("api/v1/", include("audit.api.urls", namespace="audit_api")),
]

# A lost database connection is a 503 page (or JSON under /api/), not a 500.
handler500 = "registry.views.errors.server_error"
