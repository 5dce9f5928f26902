"""The sign-in settings' deployment checks."""

from __future__ import annotations

from accounts.checks import sign_in_settings_check


def ids(settings) -> set[str]:
    return {problem.id for problem in sign_in_settings_check(None)}


def oidc(settings, base: str) -> None:
    settings.OIDC_RP_CLIENT_ID = "bxl-permits"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    for name in ("AUTHORIZATION", "TOKEN", "USER", "JWKS"):
        setattr(settings, f"OIDC_OP_{name}_ENDPOINT", f"{base}/{name.lower()}")


def test_production_defaults_pass(settings):
    settings.OTP_REQUIRED_FOR_DECISIONS = True
    assert ids(settings) == set()


def test_decisions_without_a_second_factor_are_flagged(settings):
    settings.OTP_REQUIRED_FOR_DECISIONS = False
    assert "accounts.W001" in ids(settings)


def test_a_half_configured_federal_sign_in_is_an_error(settings):
    settings.OTP_REQUIRED_FOR_DECISIONS = True
    settings.OIDC_RP_CLIENT_ID = "bxl-permits"
    assert ids(settings) == {"accounts.E001"}


def test_federal_endpoints_must_be_https(settings):
    settings.OTP_REQUIRED_FOR_DECISIONS = True
    oidc(settings, "http://idp.example.test")
    assert ids(settings) == {"accounts.E002"}
    oidc(settings, "https://idp.example.test")
    assert ids(settings) == set()
