"""Log authentication events (connected in RegistryConfig.ready)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.http import HttpRequest

from registry.security import logs, sessions, trail


@receiver(user_logged_in, dispatch_uid="security_login")
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.start(request)
    logs.event("login", request, user=user.get_username())


@receiver(user_logged_out, dispatch_uid="security_logout")
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    logs.event("logout", request, user=user.get_username() if user else "")


@receiver(user_login_failed, dispatch_uid="security_login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the username: Django already masks the password in `credentials`.
    logs.event("login_failed", request, user=credentials.get("username", ""))


@receiver(user_locked_out, dispatch_uid="security_locked_out")
def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    logs.event("lockout", request, user=username or "", ip=ip_address or "")


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="security_refuse_user_delete")
def refuse_user_deletion(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Refuse to delete a user (one by one or in bulk): deactivate them instead."""
    raise trail.UserDeletionRefused(
        f"User {instance.get_username()} cannot be deleted: set them inactive instead, "
        "so the audit trail keeps who did what."
    )
