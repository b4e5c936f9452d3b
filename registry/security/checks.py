"""System checks for settings that must not reach production."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def mfa_enforced_outside_demo(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Refuse MFA_ENFORCED=0 unless DEBUG is on (the `make run` demo)."""
    if settings.MFA_ENFORCED or settings.DEBUG:
        return []
    return [
        Error(
            "MFA_ENFORCED is off while DEBUG is off.",
            hint="Two-factor authentication may be switched off only for the DEBUG demo. "
            "Remove MFA_ENFORCED=0 from the environment.",
            id="cryoaudit.E001",
        )
    ]
