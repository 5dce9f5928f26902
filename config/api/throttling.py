"""Per-user and per-anonymous-IP throttles whose rates are read from the settings when used."""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling


class _SettingsRate:
    scope: str

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class UserThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Counts an authenticated user's requests, by user, whichever token or session is used."""


class AnonThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Counts anonymous requests by client IP."""
