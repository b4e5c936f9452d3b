"""Who must use two-factor authentication, and the devices that provide it."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from registry import selectors
from registry.choices import Role

# Roles that always need a second factor: they see many patients' data at once.
MFA_ROLES = (Role.SITE_LEAD, Role.GOVERNANCE_REVIEWER)
BACKUP_DEVICE_NAME = "Backup codes"
TOTP_DEVICE_NAME = "Authenticator app"


def mfa_required(user: Any) -> bool:
    """Tell whether the user must pass a second factor before using the registry."""
    if not settings.MFA_ENFORCED or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    roles = {role for _, role in selectors.memberships_of(user)}
    if roles & set(MFA_ROLES) or (settings.MFA_REQUIRED_FOR_CLINICIANS and roles):
        return True
    return user_has_device(user, confirmed=True)  # anyone who enrolled


def has_authenticator(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp_device(user: Any) -> TOTPDevice:
    """Return the user's unconfirmed authenticator, creating one with a fresh key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(device: TOTPDevice) -> list[str]:
    """Make the device the user's only authenticator and issue fresh backup codes."""
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_backup_codes(device.user)


@transaction.atomic
def new_backup_codes(user: Any) -> list[str]:
    """Replace the user's backup codes with new single-use ones and return them (once)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [_backup_code() for _ in range(settings.MFA_BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _backup_code() -> str:
    # 10 characters from 31 unambiguous letters and digits: about 49 bits each code.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def normalise_token(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def backup_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_verified(user: Any) -> bool:
    """Tell whether this request's user passed a second factor (set by OTPMiddleware)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())
