"""Two-factor pages, under /accounts/mfa/ (names without a namespace, like auth's)."""

from django.urls import path

from registry.views import mfa

urlpatterns = [
    path("verify/", mfa.mfa_verify, name="mfa_verify"),
    path("setup/", mfa.mfa_setup, name="mfa_setup"),
    path("setup/qr.svg", mfa.mfa_setup_qr, name="mfa_setup_qr"),
    path("backup-codes/", mfa.mfa_backup_codes, name="mfa_backup_codes"),
]
