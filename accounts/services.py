"""Personal API tokens: created and revoked by their user (or by operators), stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from workflow.exceptions import TransitionForbidden

from .models import ApiToken

PREFIX_BYTES = 4  # eight hex characters: enough to find the row, useless to an attacker
# Last-used time is written at most this often per token, not on every request.
LAST_USED_RESOLUTION_SECONDS = 60


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def api_token_create(*, user: Any, name: str, second_factor: bool = False) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the row and the plaintext, which is never stored.
    ``second_factor``: created in a session confirmed by a second factor (it may decide)."""
    name = (name or "").strip()[:100] or _("API token")
    while True:
        prefix = secrets.token_hex(PREFIX_BYTES)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    plaintext = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=token_hash(plaintext),
        second_factor_verified_at=timezone.now() if second_factor else None,
    )
    return token, plaintext


def api_token_revoke(*, token: ApiToken, actor: Any) -> ApiToken:
    """Revoke ``token``: its user or a superuser may; revoking twice changes nothing."""
    if actor is None or not (actor.pk == token.user_id or actor.is_superuser):
        raise TransitionForbidden(_("You cannot revoke this token."), transition="revoke_token")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_list(*, user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_authenticate(plaintext: str) -> ApiToken | None:
    """The active token whose plaintext this is, with its user; None for anything else."""
    prefix, dot, _secret = (plaintext or "").partition(".")
    if not dot or not prefix or len(prefix) != PREFIX_BYTES * 2:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, token_hash(plaintext)):
        return None
    now = timezone.now()
    if (
        token.last_used_at is None
        or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS
    ):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
