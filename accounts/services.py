"""Personal API tokens: created and revoked by their user (or by operators), stored hashed."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from workflow.exceptions import TransitionForbidden, TransitionGuardFailed

from .models import ApiToken

logger = logging.getLogger(__name__)

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


# --- The user's own authenticator ---------------------------------------------------------------


def authenticator_remove(*, user: Any, code: str, replacing: bool = False) -> int:
    """Remove the user's authenticator (all their TOTP devices), proven by a current code of
    it, and revoke the API tokens it vouched for: with a new authenticator those tokens
    must not decide again. Writes an entry in the account's admin history. Returns the
    number of tokens revoked."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        # The user row serialises two removals (two tabs, one code): the second finds no
        # device left. A wrong code is not raised inside the block, so that django-otp's
        # throttling of it is committed.
        account = get_user_model().objects.select_for_update().get(pk=user.pk)
        devices = list(TOTPDevice.objects.filter(user=account, confirmed=True))
        code = (code or "").strip()
        proven = any(device.verify_token(code) for device in devices)
        if proven:
            names = [device.name for device in devices]
            TOTPDevice.objects.filter(user=account).delete()
            revoked = ApiToken.objects.filter(
                user=account, revoked_at__isnull=True, second_factor_verified_at__isnull=False
            ).update(revoked_at=timezone.now())
            LogEntry.objects.log_actions(
                user_id=account.pk,
                queryset=[account],
                action_flag=CHANGE,
                # Django's structured form: the admin history shows it in the reader's language.
                change_message=json.dumps(
                    [
                        *(
                            {"deleted": {"name": gettext_noop("Authenticator app"), "object": n}}
                            for n in names
                        ),
                        *(
                            [{"changed": {"fields": [gettext_noop("API tokens")]}}]
                            if revoked
                            else []
                        ),
                    ]
                ),
                single_object=True,
            )
    if not proven:
        raise TransitionGuardFailed(
            {"code": [_("This code is wrong or has expired: the authenticator was kept.")]},
            transition="authenticator_remove",
        )
    logger.info(
        "authenticator removed",
        extra={"account": account.pk, "replacing": replacing, "tokens_revoked": revoked},
    )
    return revoked
