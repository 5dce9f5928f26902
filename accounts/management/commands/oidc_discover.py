"""Print the OIDC_OP_* settings of a provider, read from its discovery document."""

from __future__ import annotations

import requests
from django.core.management.base import BaseCommand, CommandError

SETTINGS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def discover(issuer: str, timeout: int = 10) -> dict[str, str]:
    """The endpoints a provider publishes at ISSUER/.well-known/openid-configuration."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=timeout)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise CommandError(f"The document at {url} names another issuer: {document.get('issuer')}")
    if "RS256" not in document.get("id_token_signing_alg_values_supported", ["RS256"]):
        raise CommandError("The provider does not sign ID tokens with RS256.")
    missing = [key for key in SETTINGS.values() if not document.get(key)]
    if missing:
        raise CommandError(f"The discovery document lacks {', '.join(missing)}.")
    return {name: document[key] for name, key in SETTINGS.items()}


class Command(BaseCommand):
    help = "Print the OIDC_OP_* environment lines for a provider, from its discovery document."

    def add_arguments(self, parser):
        parser.add_argument("issuer", help="The provider's issuer URL, e.g. https://idp.example")

    def handle(self, *args, issuer: str, **options):
        try:
            found = discover(issuer)
        except requests.RequestException as exc:
            raise CommandError(f"Discovery failed: {exc}") from exc
        for name, value in found.items():
            self.stdout.write(f"{name}={value}")
