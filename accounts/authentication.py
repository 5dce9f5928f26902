"""``Authorization: Bearer TOKEN`` for the REST API, with the personal tokens of
``accounts.services``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .services import api_token_authenticate


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send exactly one token after 'Bearer'."))
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = api_token_authenticate(plaintext)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or unknown token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
