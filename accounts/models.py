"""What a user holds to reach the application from elsewhere: personal API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the short ``prefix`` (not
    secret) finds the row. The plaintext is shown once, when the token is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Set when the token was created in a session confirmed by a second factor: only such a
    # token may take decisions when OTP_REQUIRED_FOR_DECISIONS is on (accounts.second_factor).
    second_factor_verified_at = models.DateTimeField(
        _("created after a second factor"), null=True, blank=True
    )

    class Meta:
        # The model was born in the workflow app; its rows stayed in the table it had there.
        db_table = "workflow_apitoken"
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OidcIdentity(models.Model):
    """A person's account at an OpenID Connect provider (the federal authentication service),
    linked to one user here: by the claim ``OIDC_USER_CLAIM`` (``sub`` by default) of the
    provider ``issuer``. Staff identities are linked by an operator in the admin; companies'
    users are linked on their first sign-in (``accounts.oidc``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oidc_identities",
        verbose_name=_("user"),
    )
    issuer = models.CharField(_("provider (issuer)"), max_length=255)
    subject = models.CharField(_("identifier at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_unique")
        ]
        verbose_name = _("federal sign-in identity")
        verbose_name_plural = _("federal sign-in identities")

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"
