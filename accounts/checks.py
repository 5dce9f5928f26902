"""Deployment checks of the sign-in settings (`manage.py check --deploy`, `make check-deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .oidc import REQUIRED_SETTINGS, oidc_enabled


@register(Tags.security, deploy=True)
def sign_in_settings_check(app_configs, **kwargs):
    problems = []
    if not settings.OTP_REQUIRED_FOR_DECISIONS:
        problems.append(
            Warning(
                "OTP_REQUIRED_FOR_DECISIONS is off: licences can be decided without a second "
                "factor.",
                id="accounts.W001",
            )
        )
    configured = [name for name in REQUIRED_SETTINGS if getattr(settings, name, "")]
    if configured and not oidc_enabled():
        problems.append(
            Error(
                "The federal sign-in is half configured: set every one of "
                f"{', '.join(REQUIRED_SETTINGS)} or none.",
                id="accounts.E001",
            )
        )
    if oidc_enabled():
        plain = [
            name
            for name in REQUIRED_SETTINGS
            if name.endswith("ENDPOINT") and not getattr(settings, name).startswith("https://")
        ]
        if plain:
            problems.append(Error(f"{', '.join(plain)} must be https:// URLs.", id="accounts.E002"))
        if settings.OIDC_RP_SIGN_ALGO != "RS256":
            problems.append(
                Warning(
                    "OIDC_RP_SIGN_ALGO should be RS256 (checked with the provider's JWKS).",
                    id="accounts.W002",
                )
            )
    return problems
