"""Rate limits on export endpoints (EXPORT_THROTTLE_RATE, e.g. "120/hour")."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

EXPORT_SCOPE = "export"


class ExportRateThrottle(ScopedRateThrottle):
    """Throttle by user (or address) under the "export" scope.

    DRF binds THROTTLE_RATES when the module is imported; reading the rate at
    request time lets settings changes (and tests) take effect.
    """

    def get_rate(self) -> str | None:
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(str(self.scope))
        return None if rate is None else str(rate)
