"""Sign-in through an OpenID Connect provider (mozilla-django-oidc): the Belgian federal
authentication service (FAS/CSAM, with itsme and the eID behind it) or any other, set by
configuration alone (``OIDC_*`` in the environment; README "Sign-in").

Who is who: the provider's identifier of the person (the claim ``OIDC_USER_CLAIM``, ``sub`` by
default; the national register number where the provider sends it) is stored with the
provider's issuer on an ``OidcIdentity``. The first sign-in of an unknown identity:

* links it to the one existing company user (no staff role, not staff, not superuser) whose
  e-mail address is the provider's *verified* e-mail, if ``OIDC_LINK_BY_EMAIL``;
* otherwise creates a company user (role applicant, no organisation, no password) if
  ``OIDC_CREATE_USERS``: an organisation administrator or the unit then makes them a member;
* never links or creates a staff account: an operator links a staff member's identity in the
  admin, so that a federal identity cannot become a case manager or a head of unit by itself.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from workflow.roles import Role, is_staff_member

from .models import OidcIdentity

logger = logging.getLogger(__name__)

# Every setting the sign-in needs; without all of them the button and the routes are absent.
REQUIRED_SETTINGS = (
    "OIDC_RP_CLIENT_ID",
    "OIDC_RP_CLIENT_SECRET",
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


def oidc_enabled() -> bool:
    return all(getattr(settings, name, "") for name in REQUIRED_SETTINGS)


def _may_be_linked(user: Any) -> bool:
    return user.is_active and not (user.is_staff or user.is_superuser or is_staff_member(user))


class FederalSignInBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching people by a stable claim instead of by e-mail."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Listed in AUTHENTICATION_BACKENDS whether configured or not: unconfigured, it stays
        # out of the way of password sign-in instead of refusing to load.
        self.enabled = oidc_enabled()
        # get_user() needs it for sessions opened before the configuration was removed.
        self.UserModel = get_user_model()
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any):
        # Only the callback's call (a code and a state, no password) is ours.
        if not self.enabled or request is None or "password" in kwargs or "username" in kwargs:
            return None
        if request.path != reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL):
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        # The library checks signature and nonce; the issuer and audience are checked here.
        issuer = settings.OIDC_OP_ISSUER
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token issued by another provider.")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if audience is not None and self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token issued to another client.")
        return payload

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(self._subject(claims))

    def _subject(self, claims: dict[str, Any]) -> str:
        return str(claims.get(settings.OIDC_USER_CLAIM) or "").strip()[:255]

    def _issuer(self) -> str:
        return settings.OIDC_OP_ISSUER or settings.OIDC_OP_AUTHORIZATION_ENDPOINT

    def filter_users_by_claims(self, claims: dict[str, Any]):
        User = get_user_model()
        identity = (
            OidcIdentity.objects.select_related("user")
            .filter(issuer=self._issuer(), subject=self._subject(claims))
            .first()
        )
        if identity is not None:
            OidcIdentity.objects.filter(pk=identity.pk).update(last_sign_in_at=timezone.now())
            return User.objects.filter(pk=identity.user_id, is_active=True)
        email = (claims.get("email") or "").strip()
        if settings.OIDC_LINK_BY_EMAIL and email and claims.get("email_verified") is True:
            candidates = list(User.objects.filter(email__iexact=email, is_active=True))
            if any(not _may_be_linked(user) for user in candidates):
                # Nor a second, company account beside the staff one with the same address.
                raise SuspiciousOperation("A staff account has this e-mail; link it in the admin.")
            if len(candidates) == 1:
                self._link(candidates[0], claims)
                return User.objects.filter(pk=candidates[0].pk)
        return User.objects.none()

    def _link(self, user: Any, claims: dict[str, Any]) -> None:
        try:
            with transaction.atomic():
                OidcIdentity.objects.create(
                    user=user,
                    issuer=self._issuer(),
                    subject=self._subject(claims),
                    last_sign_in_at=timezone.now(),
                )
        except IntegrityError:
            # The same person's sign-in in another tab linked it first.
            pass
        logger.info("Federal identity linked to user %s", user.pk)

    def create_user(self, claims: dict[str, Any]):
        if not settings.OIDC_CREATE_USERS:
            return None
        key = hashlib.sha256(f"{self._issuer()}|{self._subject(claims)}".encode()).hexdigest()
        try:
            return self._create_user(claims, username=f"fas-{key[:24]}")
        except IntegrityError:
            # The same person's first sign-in in another tab created the account first.
            identity = OidcIdentity.objects.select_related("user").filter(
                issuer=self._issuer(), subject=self._subject(claims)
            )
            return identity.get().user

    def _create_user(self, claims: dict[str, Any], *, username: str):
        User = get_user_model()
        with transaction.atomic():
            user = User(
                username=username,
                email=(claims.get("email") or "")[:254]
                if claims.get("email_verified") is True
                else "",
                first_name=(claims.get("given_name") or "")[:150],
                last_name=(claims.get("family_name") or "")[:150],
            )
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get_or_create(name=Role.APPLICANT.value)[0])
            self._link(user, claims)
        return user

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]):
        # Whatever the library's own OIDC_CREATE_USER says: ours is OIDC_CREATE_USERS.
        user_info = self.get_userinfo(access_token, id_token, payload)
        if user_info.get("sub") != payload.get("sub"):
            # OpenID Connect Core 5.3.2: userinfo of another person than the ID token's.
            raise SuspiciousOperation("The userinfo's subject is not the ID token's.")
        # What the signed ID token says wins over the userinfo response.
        claims = {**user_info, **payload}
        if not self.verify_claims(claims):
            raise SuspiciousOperation("The provider sent no identifier.")
        users = list(self.filter_users_by_claims(claims))
        if len(users) == 1:
            return users[0]
        return self.create_user(claims)


class FederalSignInStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider; absent (404) when the sign-in is not configured."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("Federal sign-in is not configured.")
        return super().dispatch(request, *args, **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if oidc_enabled():
            super().__init__(*args, **kwargs)


class FederalSignInCallback(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; a state that this browser was not
    given, a forged or foreign token, or an unknown staff identity ends on the sign-in page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not oidc_enabled():
            raise Http404("Federal sign-in is not configured.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except (SuspiciousOperation, requests.RequestException) as exc:
            logger.warning("Federal sign-in refused: %s", exc)
            return self.login_failure()

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def login_failure(self) -> HttpResponse:
        messages.error(
            self.request,
            _("Sign-in with the federal authentication service failed. Try again or contact us."),
        )
        return HttpResponseRedirect(self.failure_url)

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        if is_staff_member(self.user):
            self.request.session.set_expiry(settings.SESSION_IDLE_SECONDS_STAFF)
        return response
