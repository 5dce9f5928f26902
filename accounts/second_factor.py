"""Staff second factor (django-otp, TOTP): who needs one, and whether this request has it.

Two settings, both on by default (``config/settings/base.py``):

* ``STAFF_OTP_REQUIRED_ROLES`` — users holding one of these roles confirm a code right after
  signing in, before any page (``SecondFactorMiddleware``) or any API call
  (``SecondFactorPermission``);
* ``OTP_REQUIRED_FOR_DECISIONS`` — the actions that decide (approve, refuse, revoke, record the
  Government's decision, suspend and reinstate a licence) need a confirmed second factor,
  whoever takes them. Their callers check it: the web views with
  ``decision_second_factor_redirect`` and the API with ``SecondFactorPermission`` on views whose
  ``decides`` is true.

A session is verified once its user entered a code of their confirmed TOTP device
(``django_otp.login``). An API token counts as verified when it was created in such a session
(``ApiToken.second_factor_verified_at``) and its user still has a confirmed device: a token made
without the second factor, or by ``manage.py create_api_token``, never decides.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import user_has_device

from workflow.roles import user_roles

from .models import ApiToken


def second_factor_required_by_role(user: Any) -> bool:
    required = set(settings.STAFF_OTP_REQUIRED_ROLES)
    return bool(required) and any(role.value in required for role in user_roles(user))


def session_verified(user: Any) -> bool:
    """The user of a browser session (wrapped by django-otp's middleware) entered a code."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def api_request_verified(request: Any) -> bool:
    """A DRF request: a token created after a second factor, or a verified session."""
    if isinstance(request.auth, ApiToken):
        return request.auth.second_factor_verified_at is not None and user_has_device(
            request.user, confirmed=True
        )
    return session_verified(request.user)


def _setup_or_verify_url(user: Any, next_url: str) -> str:
    name = (
        "accounts:two_factor_verify"
        if user_has_device(user, confirmed=True)
        else "accounts:two_factor_setup"
    )
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def decision_second_factor_redirect(
    request: HttpRequest, next_url: str
) -> HttpResponseRedirect | None:
    """For the web views of deciding actions: None when the action may go ahead, else where to
    send the user (set up or confirm a second factor, then back to ``next_url``)."""
    if not settings.OTP_REQUIRED_FOR_DECISIONS or session_verified(request.user):
        return None
    messages.error(
        request,
        _(
            "Deciding needs your second factor: enter the code of your authenticator app, "
            "then take the decision again."
        ),
    )
    return HttpResponseRedirect(_setup_or_verify_url(request.user, next_url))


class SecondFactorMiddleware:
    """Users whose role requires a second factor see no page before they enter a code (or set
    up their authenticator). The API answers for itself (``SecondFactorPermission``)."""

    EXEMPT_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz/", "/verify/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.EXEMPT_PREFIXES)
            and request.path
            not in (
                reverse("accounts:two_factor_setup"),
                reverse("accounts:two_factor_verify"),
                reverse("logout"),
            )
            and second_factor_required_by_role(user)
            and not session_verified(user)
        ):
            return HttpResponseRedirect(_setup_or_verify_url(user, request.get_full_path()))
        return self.get_response(request)
