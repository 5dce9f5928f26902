"""``Authorization: Bearer TOKEN`` for the REST API, with the personal tokens of
``accounts.services``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .services import api_token_authenticate

logger = logging.getLogger(__name__)


def _failures_key(request) -> str:
    return f"api-token-failures:{request.META.get('REMOTE_ADDR', '')}"


def _cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _locked_out(request) -> bool:
    """As for passwords: an address that sent too many bad tokens is refused for a while.
    A cache that is down lets the request through (the token is still checked)."""
    try:
        return (cache.get(_failures_key(request)) or 0) >= settings.AXES_FAILURE_LIMIT
    except Exception:
        logger.exception("Token lockout cache unavailable; not counting failures.")
        return False


def _count_failure(request) -> None:
    key = _failures_key(request)
    try:
        if cache.add(key, 1, timeout=_cooloff_seconds()):
            return
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=_cooloff_seconds())
    except Exception:
        logger.exception("Token lockout cache unavailable; not counting failures.")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send exactly one token after 'Bearer'."))
        if _locked_out(request):
            raise exceptions.Throttled(
                wait=_cooloff_seconds(),
                detail=str(_("Too many invalid tokens from this address; try again later.")),
            )
        try:
            plaintext = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            _count_failure(request)
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = api_token_authenticate(plaintext)
        if token is None or not token.user.is_active:
            _count_failure(request)
            raise exceptions.AuthenticationFailed(_("Invalid, revoked or unknown token."))
        return token.user, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'
