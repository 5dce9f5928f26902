"""The API's side of the staff second factor (``accounts.second_factor``)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .second_factor import api_request_verified, second_factor_required_by_role


class SecondFactorPermission(BasePermission):
    """Refuses (403) a user whose role requires a second factor, and any deciding view
    (``decides = True``) when OTP_REQUIRED_FOR_DECISIONS is on, unless the request is verified:
    a session confirmed by a code, or a token created in such a session."""

    message = _(
        "A second factor is required: sign in on the site, confirm the code of your "
        "authenticator app, then create a new API token (or use that session)."
    )

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return True
        needs = second_factor_required_by_role(user) or (
            settings.OTP_REQUIRED_FOR_DECISIONS and getattr(view, "decides", False)
        )
        return not needs or api_request_verified(request)
